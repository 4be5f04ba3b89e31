"""Look-up: `GET /api/v1/search?q=…&limit=…` and the filters, results in rank order, through the same query as
the results page (so the same access rule)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.schemas import QueryIn
from vanthu.audit import reads
from vanthu.search.queries import PAGE_MAX, Filters, search

router = Router()


class SearchQuery(QueryIn):
    q: str = Field("", max_length=10_000, description="Từ cần tìm (có hoặc không dấu; \"cụm từ\"; số ký hiệu)")
    limit: int = Field(20, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=2_000)
    sort: str = Field("relevance", pattern="^(relevance|date)$")
    doc_type: int | None = None
    direction: str = Field("", pattern="^(|in|out)$")
    unit: int | None = Field(None, description="Đơn vị giữ văn bản, gồm cả đơn vị cấp dưới")
    organ: str = Field("", max_length=200, description="Cơ quan ban hành")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    register_id: int | None = Field(None, description="Sổ đăng ký")
    year: int | None = Field(None, ge=1900, le=9999)
    status: str = Field("", max_length=20)
    urgency: int | None = Field(None, ge=0, le=4)
    secrecy: int | None = Field(None, ge=0, le=3)
    signer: str = Field("", max_length=50)
    deadline: str = Field("", pattern="^(|overdue|soon|open|none)$")


class SearchHit(Schema):
    id: int
    subject: str
    notation: str
    doc_type: str
    organ_name: str
    issued_date: dt.date | None
    unit: str
    status: str
    urgency: int
    secrecy: int
    snippet: str = Field(description="Đoạn nội dung có từ tìm, từ khớp trong <mark>")


class SearchOut(Schema):
    total: int = Field(description="Số văn bản khớp (chính xác khi total_exact)")
    total_exact: bool = Field(description="false: có hơn `total` văn bản khớp")
    corrected: str = Field(description="Khi không có kết quả đúng như đã gõ: câu tìm đã sửa lỗi gõ")
    notices: list[str]
    results: list[SearchHit]


@router.get("/search", response=SearchOut, summary="Tra cứu văn bản: kết quả theo mức phù hợp")
def search_documents(request: HttpRequest, query: Query[SearchQuery]) -> SearchOut:
    filters = Filters(
        doc_type=query.doc_type, unit=query.unit, organ=query.organ, direction=query.direction,
        date_from=query.date_from, date_to=query.date_to, register=query.register_id, year=query.year,
        status=query.status, urgency=query.urgency, secrecy=query.secrecy, signer=query.signer,
        deadline=query.deadline,
    )
    person = person_of(request)
    result = search(person, query.q, filters, offset=query.offset, limit=query.limit,
                    by_relevance=query.sort == "relevance", facets=False)
    reads.record_read(request=request, actor=person, verb=reads.SEARCHED, unit=person.unit_id, via="api",
                      data={"q": query.q[:200], "offset": query.offset, "total": result.total})
    return SearchOut(
        total=result.total, total_exact=result.total_exact, corrected=result.corrected,
        notices=[str(n) for n in result.notices],
        results=[
            SearchHit(
                id=h.document.pk, subject=h.document.subject, notation=h.document.notation,
                doc_type=h.document.doc_type.name, organ_name=h.document.organ_name,
                issued_date=h.document.issued_date, unit=h.document.unit.name, status=h.document.status,
                urgency=h.document.urgency, secrecy=h.document.secrecy, snippet=str(h.snippet),
            )
            for h in result.hits
        ],
    )
