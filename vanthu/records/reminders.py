"""The reminder source of archive transfers, for notify's reminder pass (`vanthu.notify.reminders`): for each
unit with closed records of a year still to transfer (retention ≥ RECORDS_TRANSFER_MIN_YEARS or permanent), its
clerks are reminded as the legal deadline (`queries.transfer_deadline`) nears, on it and after it; the unit's
leaders hear when it is late (the pass's escalation). One item per unit and year; the pass sends each stage once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from vanthu.notify.reminders import Due
from vanthu.org.models import Role, RoleGrant
from vanthu.records.models import Record
from vanthu.records.queries import due_for_transfer_q, transfer_deadline


def _years_due(deadline_from: dt.date, deadline_until: dt.date) -> list[int]:
    return [y for y in range(deadline_from.year - 12, deadline_until.year + 1)
            if deadline_from <= transfer_deadline(y) <= deadline_until]


class TransferReminders:
    name = "records.transfer"

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        years = _years_due(deadline_from, deadline_until)
        if not years:
            return
        groups = list(Record.objects.filter(due_for_transfer_q(), year__in=years).values("unit_id", "unit__name",
                      "year").annotate(n=Count("id")).order_by("unit_id", "year"))
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
            up = tuple(sorted(leaders.get(group["unit_id"], ())))
            for person_id in sorted(clerks.get(group["unit_id"], ())):
                batch.append(Due(f"records.transfer:{group['unit_id']}:{group['year']}", person_id, title,
                                 f"{url}?year={group['year']}", transfer_deadline(group["year"]), up))
        yield batch


SOURCE = TransferReminders()
