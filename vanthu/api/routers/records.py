"""Work records (hồ sơ công việc): list, a record with its documents as the person may see them, open (from the
catalogue or ad hoc), file a document, close, reopen; the catalogue (create, entries, approve, publish); the
archive transfer (due list, submit, accept); the handover (draw up, confirm). The same actions as the pages
(vanthu.records.*_actions); 404 for what one may not see."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile

from vanthu.api.auth import person_of
from vanthu.api.common import checked_upload, person_by_id, reject_if_too_large, unit_by_id
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import In, LongText, PersonRef, UnitRef
from vanthu.documents import uploads
from vanthu.documents.access import Need, access_document
from vanthu.org.models import Person
from vanthu.records import actions, catalogue_actions, handover_actions, transfer_actions
from vanthu.records.access import (
    access_catalogue,
    access_handover,
    access_record,
    access_transfer,
    can_keep_records,
    can_manage_record,
)
from vanthu.records.models import Catalogue, CatalogueEntry, Handover, Record, Transfer
from vanthu.records.queries import items_of, record_list, suggestions, totals, transfer_candidates

router = Router()
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
Retention = int | None


class RecordOut(Schema):
    id: int
    code: str
    file_code: str
    year: int
    title: str
    unit: UnitRef
    creator: PersonRef
    state: str
    retention_years: int | None = Field(description="Thời hạn bảo quản (năm); null = vĩnh viễn")
    retention: str
    start_date: dt.date
    end_date: dt.date | None
    doc_total: int | None
    page_total: int | None
    transfer_id: int | None
    can_manage: bool


def record_out(record: Record, person: Person) -> RecordOut:
    return RecordOut(id=record.pk, code=record.code, file_code=record.file_code, year=record.year,
                     title=record.title, unit=UnitRef.of(record.unit), creator=PersonRef.of(record.creator),
                     state=record.state, retention_years=record.retention_years, retention=record.retention_label,
                     start_date=record.start_date, end_date=record.end_date, doc_total=record.doc_total,
                     page_total=record.page_total, transfer_id=record.transfer_id,
                     can_manage=can_manage_record(person, record))


class ItemOut(Schema):
    ordinal: int
    kind: str
    visible: bool = Field(description="false: chỉ số, ngày và độ mật (người gọi không được xem văn bản)")
    document_id: int | None
    notation: str
    date: dt.date | None
    title: str
    secrecy: int
    pages: int | None


class RecordDetail(RecordOut):
    items: list[ItemOut]
    documents_now: int
    pages_now: int


def _detail(record: Record, person: Person) -> RecordDetail:
    views = items_of(person, record)
    docs, pages = totals(record)
    items = [ItemOut(ordinal=v.item.ordinal, kind=v.item.kind, visible=v.visible,
                     document_id=v.item.document_id if v.visible else None, notation=v.notation, date=v.dated,
                     title=v.title, secrecy=v.secrecy, pages=v.pages) for v in views]
    return RecordDetail(**record_out(record, person).model_dump(), items=items, documents_now=docs, pages_now=pages)


@router.get("/records", response={200: list[RecordOut], **ERRORS}, summary="Hồ sơ được xem (đang mở, hoặc đã kết thúc)")
def list_records(request: HttpRequest, closed: bool = False) -> list[RecordOut]:
    person = person_of(request)
    return [record_out(r, person) for r in record_list(person, closed=closed)[:1000]]


@router.get("/records/{record_id}", response={200: RecordDetail, **ERRORS}, summary="Một hồ sơ và văn bản trong đó")
def record_detail(request: HttpRequest, record_id: int) -> RecordDetail:
    person = person_of(request)
    return _detail(access_record(person, record_id), person)


class AdHocIn(In):
    unit: int
    year: int
    code: str = Field(max_length=20)
    title: str = Field(max_length=500)
    retention_years: Retention = None
    start_date: dt.date | None = None


@router.post("/records", response={200: RecordDetail, **ERRORS}, summary="Mở hồ sơ ngoài danh mục")
def open_ad_hoc(request: HttpRequest, payload: AdHocIn) -> RecordDetail:
    person = person_of(request)
    record = actions.open_ad_hoc_record(unit=unit_by_id(payload.unit, field="unit"), year=payload.year,
                                        code=payload.code, title=payload.title,
                                        retention_years=payload.retention_years, acting=person,
                                        start_date=payload.start_date)
    return _detail(record, person)


class FileIn(In):
    document: int


@router.post("/records/{record_id}/documents", response={200: RecordDetail, **ERRORS},
             summary="Lưu một văn bản vào hồ sơ (số thứ tự tiếp theo)")
def file_document(request: HttpRequest, record_id: int, payload: FileIn) -> RecordDetail:
    person = person_of(request)
    record = access_record(person, record_id)
    document = access_document(person, payload.document, need=Need.FILE)
    actions.file_document(record=record, document=document, acting=person)
    return _detail(access_record(person, record_id), person)


class ReasonIn(In):
    reason: LongText


class OtherFileIn(In):
    title: str = Field(max_length=500, description="Tên, trích yếu của tài liệu")
    dated: dt.date | None = Field(None, description="Ngày của tài liệu")
    note: str = Field("", max_length=500)


@router.post("/records/{record_id}/files", response={200: RecordDetail, **ERRORS},
             summary="Lưu một tài liệu khác (PDF hoặc DOCX, không phải văn bản đã đăng ký) vào hồ sơ",
             description="Multipart form: `title`, optional `dated` and `note`, and `file` (PDF or DOCX, typed by "
                         "content). The next ordinal of the record is given to it.")
def file_other(request: HttpRequest, record_id: int, data: Form[OtherFileIn],
               file: File[UploadedFile]) -> RecordDetail:
    person = person_of(request)
    record = access_record(person, record_id)
    reject_if_too_large(request, [file])
    checked = checked_upload(request, file, field="file", allowed=(uploads.PDF, uploads.DOCX))
    actions.file_other(record=record, name=checked.name, data=checked.data, title=data.title, acting=person,
                       dated=data.dated, note=data.note)
    return _detail(access_record(person, record_id), person)


@router.post("/records/{record_id}/items/{ordinal}/remove", response={200: RecordDetail, **ERRORS},
             summary="Rút một văn bản, tài liệu khỏi hồ sơ đang mở, nêu lý do (các số thứ tự sau dồn lên)")
def remove_item(request: HttpRequest, record_id: int, ordinal: int, payload: ReasonIn) -> RecordDetail:
    person = person_of(request)
    record = access_record(person, record_id)
    item = record.items.filter(ordinal=ordinal).first()
    if item is None:
        raise Http404
    actions.remove_item(record=record, item=item, acting=person, reason=payload.reason)
    return _detail(access_record(person, record_id), person)


class CloseIn(In):
    title: str = Field("", max_length=500)
    code: str = Field("", max_length=20)
    retention_years: Retention = Field(None, description="Bỏ trống trường này để giữ nguyên")
    keep_retention: bool = True
    end_date: dt.date | None = None


@router.post("/records/{record_id}/close", response={200: RecordDetail, **ERRORS}, summary="Kết thúc hồ sơ")
def close(request: HttpRequest, record_id: int, payload: CloseIn) -> RecordDetail:
    person = person_of(request)
    record = access_record(person, record_id)
    actions.close_record(record=record, acting=person, title=payload.title, code=payload.code,
                         retention_years="keep" if payload.keep_retention else payload.retention_years,
                         end_date=payload.end_date)
    return _detail(access_record(person, record_id), person)


@router.post("/records/{record_id}/reopen", response={200: RecordDetail, **ERRORS}, summary="Mở lại hồ sơ, nêu lý do")
def reopen(request: HttpRequest, record_id: int, payload: ReasonIn) -> RecordDetail:
    person = person_of(request)
    actions.reopen_record(record=access_record(person, record_id), acting=person, reason=payload.reason)
    return _detail(access_record(person, record_id), person)


@router.get("/documents/{document_id}/record-suggestions", response={200: list[RecordOut], **ERRORS},
            summary="Hồ sơ gợi ý để lưu văn bản (theo loại và trích yếu)")
def record_suggestions(request: HttpRequest, document_id: int) -> list[RecordOut]:
    person = person_of(request)
    document = access_document(person, document_id, need=Need.FILE)
    return [record_out(r, person) for r in suggestions(person, document)]


# --- catalogue ----------------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    code: str
    title: str
    retention_years: int | None
    retention: str
    responsible_id: int | None
    heading_id: int | None
    ad_hoc: bool
    record_ids: list[int]


class CatalogueOut(Schema):
    id: int
    unit: UnitRef
    year: int
    state: str
    copied_from_id: int | None
    approved_by_id: int | None
    entries: list[EntryOut]


def _catalogue_out(catalogue: Catalogue) -> CatalogueOut:
    entries = [EntryOut(id=e.pk, code=e.code, title=e.title, retention_years=e.retention_years,
                        retention=e.retention_label, responsible_id=e.responsible_id, heading_id=e.heading_id,
                        ad_hoc=e.ad_hoc, record_ids=[r.pk for r in e.records.all()])
               for e in catalogue.entries.prefetch_related("records")]
    return CatalogueOut(id=catalogue.pk, unit=UnitRef.of(catalogue.unit), year=catalogue.year, state=catalogue.state,
                        copied_from_id=catalogue.copied_from_id, approved_by_id=catalogue.approved_by_id,
                        entries=entries)


class CatalogueIn(In):
    unit: int
    year: int
    copy_previous: bool = True


@router.post("/catalogues", response={200: CatalogueOut, **ERRORS}, summary="Lập danh mục hồ sơ (sao năm trước)")
def create_catalogue(request: HttpRequest, payload: CatalogueIn) -> CatalogueOut:
    person = person_of(request)
    unit = unit_by_id(payload.unit, field="unit")
    catalogue = catalogue_actions.create_catalogue(unit=unit, year=payload.year, acting=person,
                                                   copy_previous=payload.copy_previous)
    return _catalogue_out(catalogue)


@router.get("/catalogues/{catalogue_id}", response={200: CatalogueOut, **ERRORS}, summary="Một danh mục hồ sơ")
def catalogue_detail(request: HttpRequest, catalogue_id: int) -> CatalogueOut:
    return _catalogue_out(access_catalogue(person_of(request), catalogue_id))


class EntryIn(In):
    code: str = Field(max_length=20)
    title: str = Field(max_length=500)
    retention_years: Retention = None
    responsible: int | None = None
    suggest_types: list[str] = Field(default_factory=list, max_length=10)
    suggest_words: str = Field("", max_length=300)


@router.post("/catalogues/{catalogue_id}/entries", response={200: CatalogueOut, **ERRORS},
             summary="Thêm hồ sơ vào danh mục (dự thảo)")
def add_entry(request: HttpRequest, catalogue_id: int, payload: EntryIn) -> CatalogueOut:
    person = person_of(request)
    catalogue = access_catalogue(person, catalogue_id)
    responsible = person_by_id(payload.responsible, field="responsible") if payload.responsible else None
    catalogue_actions.add_entry(catalogue=catalogue, code=payload.code, title=payload.title,
                                retention_years=payload.retention_years, responsible=responsible,
                                suggest_types=payload.suggest_types, suggest_words=payload.suggest_words,
                                acting=person)
    return _catalogue_out(catalogue)


@router.post("/catalogues/{catalogue_id}/approve", response={200: CatalogueOut, **ERRORS},
             summary="Thủ trưởng duyệt danh mục")
def approve(request: HttpRequest, catalogue_id: int) -> CatalogueOut:
    person = person_of(request)
    catalogue = catalogue_actions.approve_catalogue(catalogue=access_catalogue(person, catalogue_id), acting=person)
    return _catalogue_out(catalogue)


@router.post("/catalogues/{catalogue_id}/publish", response={200: CatalogueOut, **ERRORS},
             summary="Ban hành danh mục đã duyệt")
def publish(request: HttpRequest, catalogue_id: int) -> CatalogueOut:
    person = person_of(request)
    catalogue = catalogue_actions.publish_catalogue(catalogue=access_catalogue(person, catalogue_id), acting=person)
    return _catalogue_out(catalogue)


@router.post("/catalogues/{catalogue_id}/entries/{entry_id}/open", response={200: RecordDetail, **ERRORS},
             summary="Mở hồ sơ từ danh mục")
def open_from_entry(request: HttpRequest, catalogue_id: int, entry_id: int) -> RecordDetail:
    person = person_of(request)
    catalogue = access_catalogue(person, catalogue_id)
    entry = CatalogueEntry.objects.filter(pk=entry_id, catalogue=catalogue).first()
    if entry is None:
        raise Http404
    return _detail(actions.open_record(entry=entry, acting=person), person)


# --- archive transfer ---------------------------------------------------------------------------------------


class TransferOut(Schema):
    id: int
    unit: UnitRef
    year: int
    state: str
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    records: list[RecordOut]


def _transfer_out(transfer: Transfer, person: Person) -> TransferOut:
    return TransferOut(id=transfer.pk, unit=UnitRef.of(transfer.unit), year=transfer.year, state=transfer.state,
                       submitted_at=transfer.submitted_at, accepted_at=transfer.accepted_at,
                       records=[record_out(r, person) for r in transfer.records.select_related("unit", "creator")])


@router.get("/records-due", response={200: list[RecordOut], **ERRORS}, summary="Hồ sơ đến hạn nộp lưu của đơn vị")
def records_due(request: HttpRequest, unit: int, year: int) -> list[RecordOut]:
    person = person_of(request)
    target = unit_by_id(unit, field="unit")
    if not can_keep_records(person, target):
        raise Http404
    return [record_out(r, person) for r in transfer_candidates(target, year).select_related("unit")]


class TransferIn(In):
    unit: int
    year: int
    records: list[int] | None = Field(None, max_length=5000)


@router.post("/transfers", response={200: TransferOut, **ERRORS}, summary="Nộp lưu hồ sơ")
def submit(request: HttpRequest, payload: TransferIn) -> TransferOut:
    person = person_of(request)
    transfer = transfer_actions.submit_transfer(unit=unit_by_id(payload.unit, field="unit"), year=payload.year,
                                                acting=person, record_ids=payload.records)
    return _transfer_out(transfer, person)


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **ERRORS}, summary="Một đợt nộp lưu")
def transfer_detail(request: HttpRequest, transfer_id: int) -> TransferOut:
    person = person_of(request)
    return _transfer_out(access_transfer(person, transfer_id), person)


@router.post("/transfers/{transfer_id}/accept", response={200: TransferOut, **ERRORS}, summary="Lưu trữ nhận hồ sơ")
def accept(request: HttpRequest, transfer_id: int) -> TransferOut:
    person = person_of(request)
    transfer = transfer_actions.accept_transfer(transfer=access_transfer(person, transfer_id), acting=person)
    return _transfer_out(transfer, person)


# --- handover -----------------------------------------------------------------------------------------------


class HandoverOut(Schema):
    id: int
    giver: PersonRef
    receiver: PersonRef
    state: str
    reason: str
    giver_confirmed_at: dt.datetime | None
    receiver_confirmed_at: dt.datetime | None
    record_ids: list[int]
    task_ids: list[int]


def _handover_out(handover: Handover) -> HandoverOut:
    items = list(handover.items.all())
    return HandoverOut(id=handover.pk, giver=PersonRef.of(handover.giver), receiver=PersonRef.of(handover.receiver),
                       state=handover.state, reason=handover.reason, giver_confirmed_at=handover.giver_confirmed_at,
                       receiver_confirmed_at=handover.receiver_confirmed_at,
                       record_ids=[i.record_id for i in items if i.record_id],
                       task_ids=[i.task_id for i in items if i.task_id])


class HandoverIn(In):
    giver: int
    receiver: int
    reason: LongText


@router.post("/handovers", response={200: HandoverOut, **ERRORS}, summary="Lập biên bản bàn giao")
def draw_up(request: HttpRequest, payload: HandoverIn) -> HandoverOut:
    person = person_of(request)
    giver = Person.objects.select_related("unit").filter(pk=payload.giver).first()  # may have left already
    if giver is None:
        raise Http404
    handover = handover_actions.draw_up_handover(giver=giver,
                                                 receiver=person_by_id(payload.receiver, field="receiver"),
                                                 reason=payload.reason, acting=person)
    return _handover_out(handover)


@router.post("/handovers/{handover_id}/confirm", response={200: HandoverOut, **ERRORS},
             summary="Xác nhận biên bản bàn giao (bên mình)")
def confirm(request: HttpRequest, handover_id: int) -> HandoverOut:
    person = person_of(request)
    handover = handover_actions.confirm_handover(handover=access_handover(person, handover_id), acting=person)
    return _handover_out(handover)
