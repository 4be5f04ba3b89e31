"""The KPIs of the paperless office (checklist point 55; vn-rules §6, QĐ 942/QĐ-TTg targets), for a unit and its
subtree over a period of days, computed by queries over what vanthu already keeps — nothing is stored:

- **dual-signed**: of the outgoing documents issued in the period (issue date; recalled or replaced ones count),
  those issued electronically — signed by the authorised person and sealed by the agency's key (issuance
  refuses anything else) — rather than hand-signed on paper;
- **same-day sent**: of those signed in vanthu, the ones issued (and so sent) the day they were signed;
- **same-day acknowledged**: of the incoming documents that arrived electronically (through a transport, with
  an `Arrival`) in the period, the ones whose registration (status 03) left the day they arrived;
- **records online**: the work records opened in the period (start date) and how many are closed and
  transferred to the archive; and of the documents of the period (incoming registered, outgoing issued), the
  share filed in a work record;
- **time to 04 and 06**: over the electronic arrivals of the period, the mean hours from arrival to the
  status 04 (assigned) and 06 (done) the unit sent back, and how many reached each.

Days are Vietnam's (`TIME_ZONE`). Percentages are rounded to one decimal; None where nothing was counted.
Who may ask is the caller's check (`can_see_kpis`: the leaders of the unit or above it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from vanthu.documents.models import (
    Arrival,
    Direction,
    Document,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Status,
)
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.records.models import Record, RecordItem, RecordState

ISSUED = (Status.ISSUED, Status.RECALLED, Status.REPLACED)
NOT_REGISTERED = (Status.RECEIVED, Status.RETURNED)


def can_see_kpis(person: Person, unit: Unit) -> bool:
    return person.is_active and scope_of(person).leads(unit)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _hours(pairs: list[tuple[dt.datetime, dt.datetime]]) -> float | None:
    if not pairs:
        return None
    return round(sum((later - start).total_seconds() for start, later in pairs) / 3600 / len(pairs), 1)


@dataclass(frozen=True)
class Kpis:
    unit: Unit
    start: dt.date
    end: dt.date
    outgoing_issued: int = 0
    dual_signed: int = 0
    signed_in_system: int = 0
    same_day_sent: int = 0
    incoming_electronic: int = 0
    same_day_acknowledged: int = 0
    records_opened: int = 0
    records_closed: int = 0
    records_transferred: int = 0
    documents: int = 0
    documents_filed: int = 0
    reached_04: int = 0
    hours_to_04: float | None = None
    reached_06: int = 0
    hours_to_06: float | None = None
    children: list[Kpis] = field(default_factory=list)

    @property
    def dual_signed_pct(self) -> float | None:
        return percent(self.dual_signed, self.outgoing_issued)

    @property
    def same_day_sent_pct(self) -> float | None:
        return percent(self.same_day_sent, self.signed_in_system)

    @property
    def same_day_acknowledged_pct(self) -> float | None:
        return percent(self.same_day_acknowledged, self.incoming_electronic)

    @property
    def records_closed_pct(self) -> float | None:
        return percent(self.records_closed, self.records_opened)

    @property
    def records_transferred_pct(self) -> float | None:
        return percent(self.records_transferred, self.records_opened)

    @property
    def documents_filed_pct(self) -> float | None:
        return percent(self.documents_filed, self.documents)

    def as_dict(self) -> dict[str, object]:
        """The figures as the API and the sheet give them (without the children)."""
        return {
            "unit": self.unit.pk, "unit_name": self.unit.name, "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "outgoing_issued": self.outgoing_issued, "dual_signed": self.dual_signed,
            "dual_signed_pct": self.dual_signed_pct, "signed_in_system": self.signed_in_system,
            "same_day_sent": self.same_day_sent, "same_day_sent_pct": self.same_day_sent_pct,
            "incoming_electronic": self.incoming_electronic, "same_day_acknowledged": self.same_day_acknowledged,
            "same_day_acknowledged_pct": self.same_day_acknowledged_pct,
            "records_opened": self.records_opened, "records_closed": self.records_closed,
            "records_closed_pct": self.records_closed_pct, "records_transferred": self.records_transferred,
            "records_transferred_pct": self.records_transferred_pct,
            "documents": self.documents, "documents_filed": self.documents_filed,
            "documents_filed_pct": self.documents_filed_pct,
            "reached_04": self.reached_04, "hours_to_04": self.hours_to_04,
            "reached_06": self.reached_06, "hours_to_06": self.hours_to_06,
        }


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone))


def compute(unit: Unit, start: dt.date, end: dt.date, *, with_children: bool = False) -> Kpis:
    """The KPIs of `unit` and its subtree from `start` to `end` (both included); with_children, also one
    `Kpis` per direct child unit (its own subtree) in `children`."""
    zone = timezone.get_current_timezone()
    since, until = _bounds(start, end)
    subtree = Q(unit__path__startswith=unit.path)

    outgoing = Document.objects.filter(subtree, direction=Direction.OUTGOING, status__in=ISSUED,
                                       issued_date__range=(start, end))
    issued = outgoing.count()
    electronic = outgoing.filter(on_paper=False)
    dual = electronic.count()
    signed = electronic.filter(signed_at__isnull=False, issued_at__isnull=False)
    same_day_sent = signed.annotate(signed_on=TruncDate("signed_at", tzinfo=zone),
                                    issued_on=TruncDate("issued_at", tzinfo=zone)).filter(
        signed_on=F("issued_on")).count()

    arrivals = list(Arrival.objects.filter(Q(document__unit__path__startswith=unit.path),
                                           document__direction=Direction.INCOMING,
                                           document__arrival_at__gte=since, document__arrival_at__lt=until)
                    .values_list("document_id", "document__arrival_at"))
    arrived_at = {doc_id: at for doc_id, at in arrivals if at is not None}
    first: dict[tuple[int, str], dt.datetime] = {}
    for doc_id, status, at in OutboxMessage.objects.filter(
            kind=MessageKind.STATUS, document_id__in=list(arrived_at),
            status__in=(MessageStatus.REGISTERED, MessageStatus.ASSIGNED, MessageStatus.DONE)).values_list(
            "document_id", "status", "created_at"):
        key = (doc_id, status)
        if key not in first or at < first[key]:
            first[key] = at
    acknowledged = sum(1 for doc_id, arrival in arrived_at.items()
                       if (doc_id, MessageStatus.REGISTERED) in first
                       and timezone.localtime(first[(doc_id, MessageStatus.REGISTERED)], zone).date()
                       == timezone.localtime(arrival, zone).date())
    to_04 = [(arrival, first[(d, MessageStatus.ASSIGNED)]) for d, arrival in arrived_at.items()
             if (d, MessageStatus.ASSIGNED) in first]
    to_06 = [(arrival, first[(d, MessageStatus.DONE)]) for d, arrival in arrived_at.items()
             if (d, MessageStatus.DONE) in first]

    records = Record.objects.filter(subtree, start_date__range=(start, end))
    incoming = Document.objects.filter(subtree, direction=Direction.INCOMING, number__isnull=False,
                                       arrival_at__gte=since, arrival_at__lt=until).exclude(
        status__in=NOT_REGISTERED)
    period_docs = set(incoming.values_list("pk", flat=True)) | set(outgoing.values_list("pk", flat=True))
    filed = set(RecordItem.objects.filter(document_id__in=list(period_docs)).values_list("document_id",
                                                                                           flat=True))
    children = [compute(child, start, end) for child in unit.children.filter(is_active=True).order_by("path")] \
        if with_children else []
    return Kpis(
        unit=unit, start=start, end=end, outgoing_issued=issued, dual_signed=dual, signed_in_system=signed.count(),
        same_day_sent=same_day_sent, incoming_electronic=len(arrived_at), same_day_acknowledged=acknowledged,
        records_opened=records.count(),
        records_closed=records.filter(state__in=(RecordState.CLOSED, RecordState.TRANSFERRED)).count(),
        records_transferred=records.filter(state=RecordState.TRANSFERRED).count(),
        documents=len(period_docs), documents_filed=len(filed),
        reached_04=len(to_04), hours_to_04=_hours(to_04), reached_06=len(to_06), hours_to_06=_hours(to_06),
        children=children,
    )
