"""Per-person read state: written when a person opens a document page, read by the inbox for its page of
items only. Not an audited action: opening a page changes nothing of the document (the audit records the
writes that matter); the row only tells the inbox what this person has not opened yet."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from vanthu.documents.models import Document, DocumentRead
from vanthu.org.models import Person


def mark_read(person: Person, document: Document) -> None:
    """One INSERT … ON CONFLICT DO NOTHING: the first opening is kept."""
    DocumentRead.objects.bulk_create([DocumentRead(person=person, document=document, read_at=timezone.now())],
                                     ignore_conflicts=True)


def read_ids(person: Person, document_ids: Iterable[int]) -> set[int]:
    """Which of `document_ids` `person` has opened (one indexed query over the given ids)."""
    ids = list(set(document_ids))
    if not ids:
        return set()
    return set(DocumentRead.objects.filter(person=person, document_id__in=ids).values_list("document_id", flat=True))
