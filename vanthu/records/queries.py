"""Reads of work records: lists, a record's items as a person may see them, suggestions, what is due."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from vanthu.core.choices import Secrecy
from vanthu.documents.access import documents_visible_to
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit
from vanthu.records.access import can_file_into, records_visible_to
from vanthu.records.models import CatalogueEntry, Record, RecordItem, RecordState


def record_list(person: Person, *, closed: bool = False, unit: Unit | None = None) -> QuerySet[Record]:
    """Records `person` may see: open ones, or (closed=True) closed and transferred ones."""
    rows = records_visible_to(person)
    rows = rows.exclude(state=RecordState.OPEN) if closed else rows.filter(state=RecordState.OPEN)
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.select_related("unit", "creator").annotate(items_count=Count("items")).order_by(
        "-year", "unit_id", "code", "id")


@dataclass(frozen=True)
class ItemView:
    """One line of a record as one person sees it: `visible` False shows ordinal, number, date and mark only."""

    item: RecordItem
    visible: bool

    @property
    def secrecy(self) -> int:
        return self.item.document.secrecy if self.item.document is not None else Secrecy.NONE

    @property
    def secrecy_label(self) -> str:
        return str(Secrecy(self.secrecy).label) if self.secrecy else ""

    @property
    def notation(self) -> str:
        return self.item.document.notation if self.item.document is not None else ""

    @property
    def dated(self) -> dt.date | None:
        doc = self.item.document
        if doc is None:
            return self.item.dated
        return doc.issued_date or (doc.arrival_at.date() if doc.arrival_at else None)

    @property
    def title(self) -> str:
        if not self.visible:
            return ""
        return self.item.document.subject if self.item.document is not None else self.item.title

    @property
    def organ(self) -> str:
        doc = self.item.document
        return doc.organ_name if doc is not None and self.visible else ""

    @property
    def pages(self) -> int | None:
        doc = self.item.document
        return (doc.page_amount if doc is not None else self.item.pages)


def items_of(person: Person | None, record: Record) -> list[ItemView]:
    """The record's items in order; a document `person` may not see keeps only its number, date and mark
    (person None: everything, for the system's own prints and the archive package)."""
    rows = list(record.items.select_related("document__unit", "document__drafting_unit", "document__doc_type",
                                            "file").order_by("ordinal"))
    if person is None:
        return [ItemView(row, True) for row in rows]
    ids = [row.document_id for row in rows if row.document_id is not None]
    seen = set(documents_visible_to(person).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [ItemView(row, row.document_id is None or row.document_id in seen) for row in rows]


def totals(record: Record) -> tuple[int, int]:
    """(documents, pages) of an open record, counted now (a closed record keeps its own)."""
    docs = 0
    pages = 0
    for row in record.items.select_related("document").order_by():
        docs += 1
        pages += (row.document.page_amount if row.document is not None else row.pages) or 0
    return docs, pages


def records_of_document(person: Person, document: Document) -> list[Record]:
    """The records a document is filed in, that `person` may see."""
    return list(records_visible_to(person).filter(items__document=document).distinct().order_by("-year", "code"))


def fileable_records(person: Person, *, unit: Unit | None = None) -> list[Record]:
    """Open records `person` may file into, newest year first."""
    rows = records_visible_to(person).filter(state=RecordState.OPEN, transfer__isnull=True)
    if unit is not None:
        rows = rows.filter(unit=unit)
    return [r for r in rows.select_related("unit").order_by("-year", "code") if can_file_into(person, r)]


def suggestions(person: Person, document: Document, *, limit: int = 5) -> list[Record]:
    """Open records `person` may file `document` into, best first: an entry naming the document's type, then
    entries whose keywords or title share words with its subject; records it is already in are left out."""
    already = set(document.record_items.values_list("record_id", flat=True))
    candidates = [r for r in fileable_records(person) if r.pk not in already]
    if not candidates:
        return []
    entries = {e.pk: e for e in CatalogueEntry.objects.filter(pk__in=[r.entry_id for r in candidates])}
    subject_words = _words(document.subject)
    abbreviation = document.doc_type.abbreviation

    def score(record: Record) -> int:
        entry = entries[record.entry_id]
        points = 0
        if abbreviation and abbreviation in (entry.suggest_types or []):
            points += 10
        points += 3 * len(subject_words & _words(entry.suggest_words))
        points += len(subject_words & _words(record.title))
        if record.unit_id == document.unit_id:
            points += 1
        return points

    scored = sorted(((score(r), r) for r in candidates), key=lambda pair: (-pair[0], pair[1].code))
    return [r for points, r in scored if points > 1][:limit]


_STOP = {"về", "việc", "của", "và", "các", "cho", "năm", "trong", "với", "theo", "the", "số"}


def _words(text: str) -> set[str]:
    return {w for w in (text or "").lower().replace(",", " ").replace(".", " ").split() if len(w) > 1} - _STOP


# --- archive transfer --------------------------------------------------------------------------------------


def transfer_deadline(year: int) -> dt.date:
    """The last day to transfer a year's records: RECORDS_TRANSFER_MONTHS months after the year ends."""
    months = settings.RECORDS_TRANSFER_MONTHS
    total = year * 12 + 11 + months  # December of `year`, then `months` more (0-based month index)
    y, m = divmod(total, 12)
    return dt.date(y, m + 1, calendar.monthrange(y, m + 1)[1])


def due_for_transfer_q() -> Q:
    """Closed records not yet transferred whose retention reaches the threshold (or is permanent)."""
    return Q(state=RecordState.CLOSED, transfer__isnull=True) & (
        Q(retention_years__isnull=True) | Q(retention_years__gte=settings.RECORDS_TRANSFER_MIN_YEARS))


def transfer_candidates(unit: Unit, year: int) -> QuerySet[Record]:
    return Record.objects.filter(due_for_transfer_q(), unit=unit, year=year).select_related(
        "creator", "entry").prefetch_related("holds").order_by("code", "id")


def open_records_of(person: Person) -> QuerySet[Record]:
    return Record.objects.filter(creator=person, state=RecordState.OPEN).order_by("year", "code")
