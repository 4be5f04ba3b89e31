"""The clerk's legal limits of Decree 30 (checklist points 22 and 27), counted on the working-day calendar
(`core.workdays`):

- an incoming document is registered and presented the day it arrives, at the latest the next working day;
  an urgent one (Khẩn and above) at once, the day it arrives (Điều 23.1, 24.2; 4.2.c);
- a signed outgoing document is issued the day it is signed, at the latest the next working day; an urgent
  one at once, the day it is signed (Điều 18.1).

`limit_of(document)` gives the limit of the step the clerk still owes (None when none is owed); the inbox and
the arrivals queue show it per item, red once passed. `SameDayReminders` is the reminder source
(`notify.reminders`, registered by DocumentsConfig.ready()): the unit's clerks are reminded on the due day
and after it, and the unit's leaders hear of it when it is late (the pass's escalation stage).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core import workdays
from vanthu.core.choices import Urgency
from vanthu.documents.models import Document, Status
from vanthu.notify.reminders import BATCH, Due
from vanthu.org.models import Role, RoleGrant

INCOMING_WAITING = (Status.RECEIVED, Status.REGISTERED)
OUTGOING_WAITING = (Status.SIGNED,)
LOOKBACK_DAYS = 40  # a start older than this is beyond the reminder pass's look-back anyway


@dataclass(frozen=True)
class Limit:
    day: dt.date
    at_once: bool  # urgent: at once, the day it came (or was signed)
    step: str  # "present" | "issue"

    def overdue(self, today: dt.date | None = None) -> bool:
        return self.day < (today or timezone.localdate())

    @property
    def label(self) -> str:
        if self.at_once:
            return _("Ngay trong ngày %(day)s") % {"day": f"{self.day:%d/%m/%Y}"}
        return _("Chậm nhất %(day)s") % {"day": f"{self.day:%d/%m/%Y}"}


def limit_from(start: dt.datetime, urgency: int, *, step: str) -> Limit:
    day = timezone.localdate(start)
    if urgency >= Urgency.URGENT:
        return Limit(day=day, at_once=True, step=step)
    return Limit(day=workdays.add_working_days(day, 1), at_once=False, step=step)


def limit_of(document: Document) -> Limit | None:
    if document.is_incoming and document.status in INCOMING_WAITING:
        return limit_from(document.arrival_at or document.created_at, document.urgency, step="present")
    if document.is_outgoing and document.status in OUTGOING_WAITING and document.signed_at is not None:
        return limit_from(document.signed_at, document.urgency, step="issue")
    return None


class SameDayReminders:
    name = "documents.same_day"

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        clerks: dict[int, list[tuple[int, int]]] = {}
        for unit_id, person_id, clearance in RoleGrant.objects.filter(
                role=Role.CLERK, person__is_active=True).values_list("unit_id", "person_id", "person__clearance"):
            clerks.setdefault(unit_id, []).append((person_id, clearance))
        leaders: dict[int, list[int]] = {}
        for unit_id, person_id in RoleGrant.objects.filter(role=Role.LEADER, person__is_active=True).values_list(
                "unit_id", "person_id"):
            leaders.setdefault(unit_id, []).append(person_id)
        earliest = timezone.make_aware(dt.datetime.combine(deadline_from - dt.timedelta(days=LOOKBACK_DAYS),
                                                           dt.time()))
        latest = timezone.make_aware(dt.datetime.combine(deadline_until + dt.timedelta(days=1), dt.time()))
        waiting = (Document.objects.filter(direction="in", status__in=INCOMING_WAITING, arrival_at__gte=earliest,
                                           arrival_at__lt=latest)
                   | Document.objects.filter(direction="out", status__in=OUTGOING_WAITING, signed_at__gte=earliest,
                                             signed_at__lt=latest))
        marker = "987654321"
        page = reverse("document_detail", args=[int(marker)])
        last = 0
        while True:
            batch = list(waiting.filter(pk__gt=last).order_by("pk").only(
                "pk", "direction", "status", "arrival_at", "signed_at", "created_at", "urgency", "secrecy", "unit_id",
                "subject")[:BATCH])
            if not batch:
                return
            last = batch[-1].pk
            out: list[Due] = []
            for document in batch:
                limit = limit_of(document)
                if limit is None or not deadline_from <= limit.day <= deadline_until:
                    continue
                what = _("Trình văn bản đến") if limit.step == "present" else _("Phát hành văn bản đã ký")
                title = f"{what}: {document.subject[:200]}"
                escalate = tuple(leaders.get(document.unit_id, ()))
                for person_id, clearance in clerks.get(document.unit_id, ()):
                    if clearance >= document.secrecy:
                        out.append(Due(f"{self.name}:{limit.step}:{document.pk}", person_id, title,
                                       page.replace(marker, str(document.pk)), limit.day, escalate))
            yield out


SOURCE = SameDayReminders()
