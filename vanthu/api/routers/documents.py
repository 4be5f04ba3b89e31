"""Reading documents: the list of what the caller may see, one document in full, its history, its files."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status as Answer

from vanthu.api import queries
from vanthu.api.auth import person_of
from vanthu.api.common import document_for, unit_by_id
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import DocumentDetail, DocumentSummary, In, QueryIn
from vanthu.audit import reads
from vanthu.core import files, handoff, links
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, marking
from vanthu.documents import queries as document_queries
from vanthu.documents.access import FILE_READ, access_document
from vanthu.documents.formatting import content_disposition
from vanthu.documents.models import DocumentCopy, Status
from vanthu.documents.reads import mark_read
from vanthu.documents.uploads import PDF

router = Router()
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

LIMIT_MAX = 100
SHA256 = r"^[0-9a-f]{64}$"


class DocumentListQuery(QueryIn):
    direction: Literal["in", "out"] | None = Field(None, description="in: văn bản đến, out: văn bản đi")
    unit: int | None = Field(None, description="Đơn vị nhận (đến) hoặc ban hành (đi)")
    year: int | None = Field(None, ge=1900, le=9999, description="Năm tạo")
    status: Status | None = None
    before: int | None = Field(None, ge=1, description="Con trỏ: giá trị `next` của trang trước")
    limit: int = Field(50, ge=1, le=LIMIT_MAX)


class DocumentPage(Schema):
    items: list[DocumentSummary]
    next: int | None = Field(description="Con trỏ trang sau (truyền vào `before`); null khi hết")


@router.get("/documents", response=DocumentPage, summary="Văn bản người gọi được xem, mới nhất trước")
def list_documents(request: HttpRequest, query: Query[DocumentListQuery]) -> DocumentPage:
    rows, next_cursor = queries.documents_page(
        person_of(request), direction=query.direction, unit_id=query.unit, year=query.year, status=query.status,
        before=query.before, limit=query.limit,
    )
    return DocumentPage(items=[DocumentSummary.of(d) for d in rows], next=next_cursor)


@router.get("/documents/{document_id}", response=DocumentDetail, summary="Toàn bộ thông tin một văn bản")
def get_document(request: HttpRequest, document_id: int) -> DocumentDetail:
    document = document_for(request, document_id)
    person = person_of(request)
    reads.record_read(request=request, actor=person, verb=reads.VIEWED, target=document,
                      unit=document.unit_id, via="api")
    mark_read(person, document)  # the inbox's unread mark, as the document page does
    # each file's link signed for this person and token, checked by nginx (decision 0035); None: `url` only
    file_links = links.minter(request, via=links.API, person_id=person.pk, document_id=document.pk,
                              secrecy=document.secrecy)
    return queries.document_detail(document, person, links=file_links)


class EventOut(Schema):
    id: int
    at: dt.datetime
    verb: str
    actor_id: int | None
    actor_name: str
    data: dict[str, Any]


@router.get("/documents/{document_id}/history", response=list[EventOut], summary="Nhật ký của văn bản")
def document_history(request: HttpRequest, document_id: int) -> list[EventOut]:
    document = document_for(request, document_id)
    return [
        EventOut(id=e.pk, at=e.at, verb=e.verb, actor_id=e.actor_id, actor_name=e.actor_name, data=e.data or {})
        for e in queries.history(document)
    ]


@router.get(
    "/documents/{document_id}/files/{sha256}", url_name="document_file",
    summary="Tải một tệp của văn bản (PDF, hoặc DOCX nguồn của dự thảo)",
    openapi_extra={"responses": {200: {"description": "The file's bytes", "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}},
)
def document_file(
    request: HttpRequest, document_id: int, sha256: str = Path(..., pattern=SHA256)
) -> HttpResponseBase:
    person = person_of(request)
    document = access_document(person, document_id, related=FILE_READ)  # the narrow read: one join (issue 17)
    name, content_type = document_queries.file_of(document, sha256)
    marked = bool(document.secrecy) and content_type == PDF
    reads.record_read(request=request, actor=person, verb=reads.DOWNLOADED, target=document, unit=document.unit_id,
                      data={"file": name[:150], "sha256": sha256, "marked": marked}, via="api")
    response: HttpResponseBase
    if marked:  # the copy of a secret document carries who took it and when (the stored original is untouched)
        with files.open_file(sha256) as handle:
            original = handle.read()
        response = HttpResponse(marking.marked_copy(original, text=marking.mark_text(
            secrecy=document.get_secrecy_display(), person_name=person.full_name, unit_name=person.unit.name,
            at=timezone.now())), content_type=PDF)
        response["Content-Disposition"] = content_disposition(name, attachment=False)
        response["X-Original-SHA256"] = sha256
    else:
        response = handoff.stored_file(sha256, content_type=content_type, filename=name)
        response["Content-Disposition"] = content_disposition(name, attachment=False)
        response["X-Content-SHA256"] = sha256
    # A classified document's file is never kept by the client or a proxy (the same as the page serves it).
    response["Cache-Control"] = "no-store" if document.secrecy else "private, max-age=3600, immutable"
    return response


class CopyIn(In):
    form: Literal["SY", "SL", "TrS"] = Field(description="SY = sao y, SL = sao lục, TrS = trích sao")
    unit: int = Field(description="Đơn vị sao (người gọi là văn thư của đơn vị này)")
    pages: str = Field("", max_length=100, description="Các trang trích sao, ví dụ 1-3, 5 (chỉ với TrS)")
    source_copy: int | None = Field(None, description="Bản sao y làm nguồn (chỉ với SL)")
    secret: str | None = Field(None, max_length=256, description="Mã PIN khóa ký số của đơn vị (nếu cần)")
    otp: str | None = Field(None, max_length=4000,
                            description="Mã xác thực hai lớp của người gọi: 6 chữ số (TOTP) hoặc phản hồi WebAuthn")


class CopyOut(Schema):
    id: int
    form: str
    unit: int
    pages: str
    sha256: str
    made_at: dt.datetime


@router.post("/documents/{document_id}/copies", response={201: CopyOut, **ERRORS},
             summary="Làm bản sao điện tử (sao y, sao lục, trích sao) có chữ ký số của đơn vị")
def make_copy(request: HttpRequest, document_id: int, payload: CopyIn) -> Answer[CopyOut]:
    document = document_for(request, document_id)
    source = None
    if payload.source_copy is not None:
        source = DocumentCopy.objects.filter(pk=payload.source_copy, document=document).first()
        if source is None:
            raise ActionRefused(_("Không tìm thấy bản sao y này của văn bản."), code="not_found", field="source_copy",
                                status=404)
    copy = actions.make_copy(document=document, acting=person_of(request), unit=unit_by_id(payload.unit, field="unit"),
                             form=payload.form, pages=payload.pages, source_copy=source, secret=payload.secret or None,
                             otp=payload.otp)
    return Answer(201, CopyOut(id=copy.pk, form=copy.form, unit=copy.unit_id, pages=copy.pages, sha256=copy.file_id,
                               made_at=copy.made_at))
