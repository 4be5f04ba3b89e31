"""Reads of notifications: always a person's own (no other access path exists)."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from vanthu.notify.models import Notification
from vanthu.org.models import Person

BELL_CAP = 99


def unread_count(person: Person, *, cap: int = BELL_CAP) -> int:
    """Unread notifications, counted up to cap + 1 (the bell shows "99+"): one COUNT over the partial index."""
    return Notification.objects.filter(person=person, read_at__isnull=True).order_by().values("pk")[: cap + 1].count()


def for_person(person: Person) -> QuerySet[Notification]:
    """Unread first, then newest first."""
    return Notification.objects.filter(person=person).order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")


def access_notification(person: Person, pk: int) -> Notification:
    """The person's own notification; 404 for another's or a missing one alike."""
    try:
        return Notification.objects.get(pk=pk, person=person)
    except Notification.DoesNotExist:
        raise Http404 from None
