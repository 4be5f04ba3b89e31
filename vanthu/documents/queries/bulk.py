"""The clerk's bulk work (issue 12 item 9): the registered documents waiting to be presented, the receipt
slips of a day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanthu.documents.models import Direction, Document, Status
from vanthu.org.models import Person
from vanthu.org.queries import scope_of

BULK_ROWS = 200


def registered_to_present(person: Person, *, limit: int = BULK_ROWS) -> list[Document]:
    """Documents registered in the units the person is clerk of and not yet presented: urgent first, newest
    number first (the `doc_unit_status` index)."""
    scope = scope_of(person)
    units = list(scope.clerk_unit_ids)
    if not units:
        return []
    rows = Document.objects.filter(unit_id__in=units, direction=Direction.INCOMING, status=Status.REGISTERED,
                                   secrecy__lte=scope.clearance)
    return list(rows.select_related("doc_type", "unit").order_by("-urgency", "-created_at")[:limit])


def receipt_slips(person: Person, *, day: dt.date, limit: int = 500) -> list[Document]:
    """The incoming documents the person's clerk units received on `day` (local), in number order: one receipt
    slip (phiếu nhận) each."""
    scope = scope_of(person)
    units = list(scope.clerk_unit_ids)
    if not units:
        return []
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = Document.objects.filter(unit_id__in=units, direction=Direction.INCOMING, number__isnull=False,
                                   arrival_at__gte=start, arrival_at__lt=start + dt.timedelta(days=1),
                                   secrecy__lte=scope.clearance)
    return list(rows.select_related("doc_type", "unit", "created_by", "register").order_by("unit__path", "number")[
        :limit])
