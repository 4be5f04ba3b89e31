"""The reminder source of archive transfers, for notify's reminder pass (`vanthu.notify.reminders`): for each
unit with closed records of a year still to transfer (retention ≥ RECORDS_TRANSFER_MIN_YEARS or permanent), its
clerks are reminded as the legal deadline nears, on it and after it; the unit's leaders hear when it is late (the pass's
escalation). One item per unit and year (`queries.transfer_deadline`); construction records and records kept back
by an approved hold have their own date (`periods.due_date`) and their own item. The pass sends each stage once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from vanthu.notify.reminders import Due
from vanthu.org.models import Role, RoleGrant
from vanthu.records import periods
from vanthu.records.models import HoldState, Record, RecordKind
from vanthu.records.queries import due_for_transfer_q, transfer_deadline


def _years_due(deadline_from: dt.date, deadline_until: dt.date) -> list[int]:
    return [y for y in range(deadline_from.year - 12, deadline_until.year + 1)
            if deadline_from <= transfer_deadline(y) <= deadline_until]


def _groups(deadline_from: dt.date, deadline_until: dt.date) -> list[dict[str, Any]]:
    """(unit, year, due date, count) of the records due in the window: the common ones by their year's deadline
    (one query), those with a period of their own (construction, or kept back by an approved hold) one by one."""
    special = Q(entry__kind=RecordKind.CONSTRUCTION) | Q(holds__state=HoldState.APPROVED)
    groups: list[dict[str, Any]] = []
    years = _years_due(deadline_from, deadline_until)
    if years:
        for g in (Record.objects.filter(due_for_transfer_q(), year__in=years).exclude(special)
                  .values("unit_id", "unit__name", "year").annotate(n=Count("id")).order_by("unit_id", "year")):
            groups.append({**g, "due": transfer_deadline(g["year"]), "own": False})
    counted: Counter[tuple[int, str, int, dt.date]] = Counter()
    for record in (Record.objects.filter(due_for_transfer_q()).filter(special).distinct()
                   .select_related("unit", "entry").prefetch_related("holds")):
        due = periods.due_date(record)
        if deadline_from <= due <= deadline_until:
            counted[(record.unit_id, record.unit.name, record.year, due)] += 1
    for (unit_id, name, year, due), n in sorted(counted.items()):
        groups.append({"unit_id": unit_id, "unit__name": name, "year": year, "n": n, "due": due, "own": True})
    return groups


class TransferReminders:
    name = "records.transfer"

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        groups = _groups(deadline_from, deadline_until)
        if not groups:
            return
        unit_ids = {g["unit_id"] for g in groups}
        clerks: dict[int, list[int]] = {}
        leaders: dict[int, list[int]] = {}
        for unit_id, person_id, role in RoleGrant.objects.filter(
                unit_id__in=unit_ids, role__in=(Role.CLERK, Role.LEADER), person__is_active=True).values_list(
                "unit_id", "person_id", "role"):
            (clerks if role == Role.CLERK else leaders).setdefault(unit_id, []).append(person_id)
        url = reverse("records:transfers")
        batch: list[Due] = []
        for group in groups:
            title = _("Nộp lưu %(n)d hồ sơ năm %(year)d của %(unit)s") % {
                "n": group["n"], "year": group["year"], "unit": group["unit__name"]}
            key = f"records.transfer:{group['unit_id']}:{group['year']}"
            if group["own"]:  # construction records, or records kept back: their own date
                key += f":{group['due'].isoformat()}"
            up = tuple(sorted(leaders.get(group["unit_id"], ())))
            for person_id in sorted(clerks.get(group["unit_id"], ())):
                batch.append(Due(key, person_id, title, f"{url}?year={group['year']}", group["due"], up))
        yield batch


SOURCE = TransferReminders()
