"""Records (hồ sơ, Decree 30 Điều 29): open one from the catalogue or ad hoc, file documents and other files in
it with their ordinal, remove an item, close it (final title, code, retention, totals, dates; nothing in it may
still be a draft or unsigned), reopen it with a reason. Catalogue actions are in `catalogue_actions.py`, the
archive transfer in `transfer_actions.py`, the handover in `handover_actions.py`.

Each action locks the record row, checks the acting person's right (`access`), writes one audit event targeting
the record (its history), and refuses with a translated message, leaving nothing changed."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.core.files import store_bytes
from vanthu.documents import uploads
from vanthu.documents.access import can_see
from vanthu.documents.models import Direction, Document, ReceivedVia, Status
from vanthu.org.access import person_or_none
from vanthu.org.models import Person, Unit
from vanthu.records import checks, freezes
from vanthu.records.access import can_file_into, can_manage_record, is_unit_member, serves_in
from vanthu.records.catalogue_actions import new_entry
from vanthu.records.models import (
    Catalogue,
    CatalogueEntry,
    CatalogueState,
    ItemKind,
    Record,
    RecordItem,
    RecordState,
)

Actor = Person | SystemActor

# what may not stay in a closed record: drafts and documents not yet signed (Điều 29.4)
UNFINISHED = (Status.DRAFT, Status.IN_REVIEW, Status.AWAITING_SIGNATURE)


def _lock(record: Record) -> Record:
    return Record.objects.select_for_update().select_related("unit", "entry__catalogue").get(pk=record.pk)


def _may_open(acting: Actor, unit: Unit) -> None:
    if isinstance(acting, SystemActor):
        return
    if acting is None or not acting.is_active or not is_unit_member(acting, unit):
        raise checks.forbidden()


def _creator(acting: Actor, creator: Person | None, unit: Unit) -> Person:
    person = creator or person_or_none(acting)
    if person is None:
        raise ActionRefused(_("Hãy chọn người lập hồ sơ."), code="required", field="creator")
    if not serves_in(person, unit):
        raise ActionRefused(_("Người lập hồ sơ phải là cán bộ đang công tác tại đơn vị."), code="outside_unit",
                            field="creator")
    return person


def _new_record(*, entry: CatalogueEntry, code: str, title: str, retention_years: int | None, creator: Person,
                start_date: dt.date, description: str = "") -> Record:
    catalogue = entry.catalogue
    if Record.objects.filter(unit_id=catalogue.unit_id, year=catalogue.year, code=code).exists():
        raise ActionRefused(_("Đã có hồ sơ số “%(code)s” năm %(year)d; hãy đặt số và ký hiệu khác.")
                            % {"code": code, "year": catalogue.year}, code="duplicate", field="code")
    return Record.objects.create(
        entry=entry, unit_id=catalogue.unit_id, year=catalogue.year, organ_id=(catalogue.unit.code or "")[:13],
        code=code, title=title, retention_years=retention_years, creator=creator, start_date=start_date,
        description=(description or "")[:500])


@action("records.record.opened")
def open_record(*, entry: CatalogueEntry, acting: Actor, creator: Person | None = None, code: str = "",
                title: str = "", start_date: dt.date | None = None) -> Record:
    """Open a record from an approved (or published) catalogue's entry; code and title default to the entry's."""
    catalogue = Catalogue.objects.select_related("unit").get(pk=entry.catalogue_id)  # its state as it is now
    entry.catalogue = catalogue
    _may_open(acting, catalogue.unit)
    if catalogue.state == CatalogueState.DRAFT:
        raise ActionRefused(_("Danh mục hồ sơ năm %(year)d chưa được duyệt; hãy mở hồ sơ ngoài danh mục.")
                            % {"year": catalogue.year}, code="catalogue_draft", target=catalogue)
    person = _creator(acting, creator or entry.responsible, catalogue.unit)
    record = _new_record(entry=entry, code=checks.code(code or entry.code), title=checks.title(title or entry.title),
                         retention_years=entry.retention_years, creator=person,
                         start_date=start_date or timezone.localdate())
    log.record(actor=acting, verb="records.record.opened", target=record, unit=record.unit,
               data={"entry": entry.pk, "code": record.code})
    return record


@action("records.record.opened_ad_hoc")
def open_ad_hoc_record(*, unit: Unit, year: int, code: str, title: str, retention_years: int | None,
                       acting: Actor, creator: Person | None = None, start_date: dt.date | None = None,
                       description: str = "") -> Record:
    """A record not in the catalogue (Điều 29.2): the handler sets code, title, retention, creator and start date;
    it joins the year's catalogue as an ad hoc entry (a draft catalogue is made if the unit has none)."""
    _may_open(acting, unit)
    checks.year(year)
    catalogue = Catalogue.objects.filter(unit=unit, year=year).first()
    if catalogue is None:
        catalogue = Catalogue.objects.create(unit=unit, year=year, created_by=person_or_none(acting))
    person = _creator(acting, creator, unit)
    entry = new_entry(catalogue=catalogue, code=code, title=title, retention_years=retention_years,
                      responsible=person, ad_hoc=True)
    record = _new_record(entry=entry, code=entry.code, title=entry.title, retention_years=entry.retention_years,
                         creator=person, start_date=start_date or timezone.localdate(), description=description)
    log.record(actor=acting, verb="records.record.opened_ad_hoc", target=record, unit=unit,
               data={"entry": entry.pk, "code": record.code, "retention_years": record.retention_years})
    return record


def _kind_of(document: Document) -> str:
    """Outgoing documents are văn bản đi; incoming ones văn bản đến, or nội bộ when they came from a unit of
    the same organisation through the internal channel."""
    if document.direction == Direction.OUTGOING:
        return ItemKind.OUTGOING
    return ItemKind.INTERNAL if document.received_via == ReceivedVia.INTERNAL else ItemKind.INCOMING


def _next_ordinal(record: Record) -> int:
    return (record.items.aggregate(m=Max("ordinal"))["m"] or 0) + 1


def _fileable(acting: Actor, record: Record) -> None:
    if record.state == RecordState.TRANSFERRED or record.transfer_id is not None:
        raise ActionRefused(_("Hồ sơ đã nộp lưu; đơn vị không được thay đổi."), code="archived", target=record)
    if record.state != RecordState.OPEN:
        raise ActionRefused(_("Hồ sơ đã kết thúc; hãy mở lại hồ sơ (nêu lý do) trước khi thay đổi."),
                            code="closed", target=record)
    if not can_file_into(acting, record):
        raise checks.forbidden(record)
    freezes.refuse_if_frozen(record)


@action("records.document.filed")
def file_document(*, record: Record, document: Document, acting: Actor, note: str = "") -> RecordItem:
    """File a document the person may see into an open record, at the next ordinal; never twice in one record."""
    record = _lock(record)
    _fileable(acting, record)
    if not isinstance(acting, SystemActor) and not can_see(acting, document):
        raise ActionRefused(_("Không tìm thấy văn bản."), code="not_found", status=404, target=record)
    if record.items.filter(document=document).exists():
        raise ActionRefused(_("Văn bản “%(doc)s” đã có trong hồ sơ này.") % {"doc": document},
                            code="duplicate", field="document", target=record)
    item = RecordItem.objects.create(record=record, ordinal=_next_ordinal(record), kind=_kind_of(document),
                                     document=document, note=(note or "")[:500], filed_by=person_or_none(acting))
    log.record(actor=acting, verb="records.document.filed", target=record, unit=record.unit,
               data={"document": document.pk, "ordinal": item.ordinal})
    return item


@action("records.file.filed")
def file_other(*, record: Record, name: str, data: bytes, title: str, acting: Actor,
               dated: dt.date | None = None, note: str = "") -> RecordItem:
    """File another document (a PDF or DOCX not registered as a document: minutes, a photo's report, …)."""
    record = _lock(record)
    _fileable(acting, record)
    clean_title = checks.title(title, target=record)
    checked = uploads.check(data, name=name, allowed=(uploads.PDF, uploads.DOCX))
    stored = store_bytes(checked.data, content_type=checked.content_type)
    item = RecordItem.objects.create(record=record, ordinal=_next_ordinal(record), kind=ItemKind.OTHER, file=stored,
                                     title=clean_title, dated=dated, pages=checked.pages,
                                     note=(note or "")[:500], filed_by=person_or_none(acting))
    log.record(actor=acting, verb="records.file.filed", target=record, unit=record.unit,
               data={"ordinal": item.ordinal, "title": clean_title, "sha256": stored.sha256})
    return item


@action("records.item.removed")
def remove_item(*, record: Record, item: RecordItem, acting: Actor, reason: str) -> None:
    """Take a duplicate or a draft out of an open record; the later items move up one place (no gap)."""
    record = _lock(record)
    _fileable(acting, record)
    why = checks.reason(reason, target=record)
    if item.record_id != record.pk:
        raise ActionRefused(_("Văn bản không thuộc hồ sơ này."), code="not_found", status=404, target=record)
    ordinal = item.ordinal
    data = {"ordinal": ordinal, "document": item.document_id, "title": item.title, "reason": why}
    item.delete()
    # move the later items up: via a temporary offset so the unique (record, ordinal) holds on every row
    later = record.items.filter(ordinal__gt=ordinal)
    later.update(ordinal=F("ordinal") + 1_000_000)
    later = record.items.filter(ordinal__gt=1_000_000)
    later.update(ordinal=F("ordinal") - 1_000_001)
    log.record(actor=acting, verb="records.item.removed", target=record, unit=record.unit, data=data)


def _item_date(item: RecordItem) -> dt.date | None:
    doc = item.document
    if doc is None:
        return item.dated
    if doc.issued_date:
        return doc.issued_date
    return timezone.localtime(doc.arrival_at).date() if doc.arrival_at else None


@action("records.record.closed")
def close_record(*, record: Record, acting: Actor, title: str = "", code: str = "",
                 retention_years: int | str | None = "keep", end_date: dt.date | None = None,
                 description: str | None = None) -> Record:
    """Kết thúc hồ sơ: revise title, code and retention; count documents and pages; start and end dates from
    the documents (or given); refused while anything in it is a draft or not yet signed, or it is empty."""
    record = _lock(record)
    if record.state != RecordState.OPEN:
        raise ActionRefused(_("Hồ sơ không ở trạng thái đang mở."), code="not_open", target=record)
    if not can_manage_record(acting, record):
        raise checks.forbidden(record)
    freezes.refuse_if_frozen(record)
    items = list(record.items.select_related("document").order_by("ordinal"))
    if not items:
        raise ActionRefused(_("Hồ sơ chưa có văn bản nào; không thể kết thúc."), code="empty", target=record)
    unfinished = [i for i in items if i.document is not None and i.document.status in UNFINISHED]
    if unfinished:
        listed = ", ".join(f"{i.ordinal}. {i.document.subject[:60]} ({i.document.get_status_display()})"
                           for i in unfinished if i.document is not None)
        raise ActionRefused(
            _("Hồ sơ còn văn bản dự thảo hoặc chưa ký: %(items)s. Hãy loại ra hoặc hoàn thành trước khi kết thúc.")
            % {"items": listed}, code="unfinished", target=record)
    new_code = checks.code(code or record.code, target=record)
    if new_code != record.code and Record.objects.filter(unit=record.unit, year=record.year, code=new_code).exists():
        raise ActionRefused(_("Đã có hồ sơ số “%(code)s” năm %(year)d; hãy đặt số và ký hiệu khác.")
                            % {"code": new_code, "year": record.year}, code="duplicate", field="code",
                            target=record)
    years = record.retention_years if retention_years == "keep" else checks.retention(
        retention_years if retention_years is None or isinstance(retention_years, int) else -1, target=record)
    dates = [d for d in (_item_date(i) for i in items) if d is not None]
    record.title = checks.title(title or record.title, target=record)
    record.code = new_code
    record.retention_years = years
    record.start_date = min(dates) if dates else record.start_date
    record.end_date = end_date or (max(dates) if dates else timezone.localdate())
    if record.end_date < record.start_date:
        raise ActionRefused(_("Ngày kết thúc không được trước ngày bắt đầu."), code="invalid", field="end_date",
                            target=record)
    record.doc_total = len(items)
    record.page_total = sum(((i.document.page_amount if i.document is not None else i.pages) or 0) for i in items)
    if description is not None:
        record.description = description[:500]
    record.state = RecordState.CLOSED
    record.closed_at = timezone.now()
    record.closed_by = person_or_none(acting)
    record.version += 1
    record.save()
    log.record(actor=acting, verb="records.record.closed", target=record, unit=record.unit,
               data={"code": record.code, "doc_total": record.doc_total, "page_total": record.page_total,
                     "retention_years": record.retention_years})
    return record


@action("records.record.reopened")
def reopen_record(*, record: Record, acting: Actor, reason: str) -> Record:
    """Open a closed record again (not one listed for or held by the archive); the reason is in its history."""
    record = _lock(record)
    if record.transfer_id is not None or record.state == RecordState.TRANSFERRED:
        raise ActionRefused(_("Hồ sơ đã nộp lưu; đơn vị không được thay đổi."), code="archived", target=record)
    if record.state != RecordState.CLOSED:
        raise ActionRefused(_("Hồ sơ chưa kết thúc."), code="not_closed", target=record)
    if not can_manage_record(acting, record):
        raise checks.forbidden(record)
    freezes.refuse_if_frozen(record)
    why = checks.reason(reason, target=record)
    record.state = RecordState.OPEN
    record.closed_at = None
    record.closed_by = None
    record.doc_total = None
    record.page_total = None
    record.end_date = None
    record.version += 1
    record.save()
    log.record(actor=acting, verb="records.record.reopened", target=record, unit=record.unit, data={"reason": why})
    return record
