"""A register's rows (sổ đăng ký văn bản đến / đi), read through the same query as the register pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.schemas import QueryIn, RegisterRef, UnitRef
from vanthu.documents import numbering
from vanthu.documents import queries as document_queries

router = Router()

KINDS = {"in": "incoming", "out": "outgoing"}


class RegisterQuery(QueryIn):
    unit: int | None = Field(None, description="Đơn vị giữ sổ (mặc định: đơn vị người gọi làm văn thư)")
    year: int | None = Field(None, ge=1900, le=9999, description="Năm của sổ (mặc định năm nay)")
    series: str = Field(numbering.GENERAL, max_length=30, description="Dãy số: chung, mat, loai-<viết tắt>")
    before: int | None = Field(None, ge=1, description="Con trỏ: giá trị `next` của trang trước")


class RegisterRow(Schema):
    number: int
    document_id: int | None = Field(description="null khi restricted")
    restricted: bool = Field(description="Văn bản trên mức được tiếp cận của người gọi: chỉ có số, ngày và độ mật; "
                                         "các trường khác rỗng hoặc null")
    notation: str
    subject: str
    organ_name: str
    doc_type: str
    urgency: int | None
    secrecy: int
    status: str
    arrival_at: dt.datetime | None
    issued_date: dt.date | None
    signer_name: str
    handlers: list[str] = Field(description="Văn bản đến: đơn vị, cá nhân chủ trì xử lý")
    recipients: list[str] = Field(description="Văn bản đi: nơi nhận")


class RegisterPageOut(Schema):
    unit: UnitRef
    year: int
    series: str
    register_info: RegisterRef | None = Field(description="null khi sổ chưa có văn bản nào")
    total: int = Field(description="Số cuối đã cấp trong sổ (không đếm lại)")
    rows: list[RegisterRow]
    next: int | None = Field(description="Con trỏ trang sau (truyền vào `before`); null khi hết")


@router.get("/registers/{kind}", response=RegisterPageOut,
            summary="Sổ đăng ký văn bản đến (in) hoặc đi (out) của một đơn vị, số mới nhất trước")
def register_rows(request: HttpRequest, kind: Literal["in", "out"], query: Query[RegisterQuery]) -> RegisterPageOut:
    page = document_queries.register_page(
        person_of(request), kind=KINDS[kind], unit_id=str(query.unit) if query.unit else None,
        year=str(query.year) if query.year else None, series=query.series,
        before=str(query.before) if query.before else None,
    )
    rows = []
    for row in page.rows:
        doc = row.document
        assert doc.number is not None
        if row.masked:  # above the caller's clearance: the number, the date and the secrecy mark only
            incoming = page.kind == "incoming"
            rows.append(RegisterRow(
                number=doc.number, document_id=None, restricted=True, notation="", subject="", organ_name="",
                doc_type="", urgency=None, secrecy=doc.secrecy, status="",
                arrival_at=doc.arrival_at if incoming else None, issued_date=None if incoming else doc.issued_date,
                signer_name="", handlers=[], recipients=[],
            ))
            continue
        rows.append(RegisterRow(
            number=doc.number, document_id=doc.pk, restricted=False, notation=doc.notation, subject=doc.subject,
            organ_name=doc.organ_name, doc_type=doc.doc_type.name, urgency=doc.urgency, secrecy=doc.secrecy,
            status=doc.status, arrival_at=doc.arrival_at, issued_date=doc.issued_date, signer_name=doc.signer_name,
            handlers=list(row.handlers), recipients=[str(r) for r in row.recipients],
        ))
    return RegisterPageOut(
        unit=UnitRef.of(page.unit), year=page.year, series=page.series,
        register_info=RegisterRef.of(page.register) if page.register else None, total=page.total, rows=rows,
        next=page.next_before,
    )
