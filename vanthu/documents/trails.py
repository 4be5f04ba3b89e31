"""What the pages and the API read of the statuses (issue 8): the sender's trail per recipient, the receiving
side's exchange with the sender (the recall notice, the statuses it reported and how their delivery went), and
the clerk's queue of arrivals to register. Reads only: the writes are in `actions.delivery_status`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from vanthu.documents import access, limits
from vanthu.documents.models import (
    Arrival,
    Document,
    MessageKind,
    OutboxMessage,
    RecallAnswer,
    ReceivedVia,
    RecipientStatus,
    Status,
)
from vanthu.documents.outbox import failure_text
from vanthu.org.models import Person
from vanthu.org.queries import scope_of

# How long a recalled arrival stays in the clerk's queue as a notice.
RECALL_NOTICE_DAYS = 30


def trails_for(recipient_ids: Iterable[int]) -> dict[int, list[RecipientStatus]]:
    """Each recipient's statuses received, oldest first (one query)."""
    trails: dict[int, list[RecipientStatus]] = {}
    rows = RecipientStatus.objects.filter(recipient_id__in=list(recipient_ids)).select_related("evidence")
    for row in rows.order_by("received_at", "pk"):
        trails.setdefault(row.recipient_id, []).append(row)
    return trails


def evidence_of(document: Document, trail_id: int) -> RecipientStatus:
    """A status of `document`'s trail that has evidence (the page checked the document may be seen); 404
    otherwise."""
    row = RecipientStatus.objects.filter(pk=trail_id, document=document, evidence__isnull=False).select_related(
        "evidence").first()
    if row is None or row.evidence is None:
        raise Http404
    return row


@dataclass(frozen=True)
class Report:
    """A status the receiving unit sent its sender, and how its delivery went."""

    message: OutboxMessage
    failure: str

    @property
    def failed(self) -> bool:
        return self.message.state == OutboxMessage.State.FAILED


@dataclass
class Exchange:
    """The receiving side of a document that came through a transport."""

    arrival: Arrival
    reports: list[Report] = field(default_factory=list)

    @property
    def recall_requested(self) -> bool:
        return self.arrival.cancelled_at is not None

    @property
    def recall_pending(self) -> bool:
        return self.arrival.recall_answer == RecallAnswer.PENDING

    @property
    def recall_refused(self) -> bool:
        return self.arrival.recall_answer == RecallAnswer.REFUSED


def exchange_of(document: Document) -> Exchange | None:
    """The arrival of an incoming document with its recall and the statuses reported back; None for what
    came on paper."""
    if not document.is_incoming:
        return None
    arrival = Arrival.objects.filter(document=document).first()
    if arrival is None:
        return None
    messages = OutboxMessage.objects.filter(document=document, kind=MessageKind.STATUS).order_by("pk")
    return Exchange(arrival=arrival, reports=[Report(message=m, failure=failure_text(m)) for m in messages])


@dataclass(frozen=True)
class QueueRow:
    document: Document
    arrival: Arrival | None
    limit: limits.Limit | None = None  # register and present: the same day, at the latest the next working day

    @property
    def electronic(self) -> bool:
        return self.document.received_via != ReceivedVia.PAPER


@dataclass
class ArrivalsQueue:
    """The clerk's queue: what arrived and waits to be registered (urgent first, then oldest), the recalls
    waiting for the unit's answer, and the arrivals recalled lately (frozen)."""

    waiting: list[QueueRow]
    recall_pending: list[QueueRow]
    recalled: list[QueueRow]
    can_register_paper: bool


def arrivals_queue(person: Person, *, limit: int = 200, waiting: bool = True) -> ArrivalsQueue:
    scope = scope_of(person)
    visible = Document.objects.filter(access.visible_q(scope), direction="in")
    clerk_units = list(scope.clerk_unit_ids)
    arrived = visible.filter(unit_id__in=clerk_units, status=Status.RECEIVED).select_related(
        "doc_type", "unit", "arrival").order_by("-urgency", "arrival_at", "pk")[:limit] if waiting else []
    mine = Q(unit_id__in=clerk_units)  # the units the person is clerk of, and those under their command
    for path in scope.leader_paths:
        mine |= Q(unit__path__startswith=path)
    since = timezone.now() - dt.timedelta(days=RECALL_NOTICE_DAYS)
    pending = visible.filter(mine, arrival__recall_answer=RecallAnswer.PENDING).select_related(
        "doc_type", "unit", "arrival").order_by("-arrival__cancelled_at")[:limit]
    recalled = visible.filter(mine, status=Status.CANCELLED, arrival__cancelled_at__gte=since).select_related(
        "doc_type", "unit", "arrival").order_by("-arrival__cancelled_at")[:limit]

    def rows(documents: Iterable[Document]) -> list[QueueRow]:
        return [QueueRow(document=d, arrival=getattr(d, "arrival", None), limit=limits.limit_of(d)) for d in documents]

    return ArrivalsQueue(waiting=rows(arrived), recall_pending=rows(pending), recalled=rows(recalled),
                         can_register_paper=bool(clerk_units))


def recall_notices(person: Person, *, limit: int = 5) -> tuple[list[QueueRow], list[QueueRow]]:
    """For the inbox: the recalls waiting for an answer and the arrivals frozen by a recall in the last days,
    in the units the person is clerk of or commands (none for others: no query)."""
    scope = scope_of(person)
    if not scope.clerk_unit_ids and not scope.leader_paths:
        return [], []
    queue = arrivals_queue(person, limit=limit, waiting=False)
    return queue.recall_pending, queue.recalled
