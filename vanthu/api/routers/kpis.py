"""The KPIs of a unit and its subtree over a period (checklist point 55), the same figures as the page
/reports/kpis/ (`vanthu.records.kpis`); for the leaders of the unit or above it (404 for anyone else)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.common import unit_by_id
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import QueryIn
from vanthu.core.errors import ActionRefused
from vanthu.records import kpis

router = Router()
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_DAYS = 366


class KpiQuery(QueryIn):
    unit: int | None = Field(None, description="Đơn vị (cả các đơn vị cấp dưới); mặc định: đơn vị của người gọi")
    date_from: dt.date | None = Field(None, description="Từ ngày (mặc định 01/01 năm nay)")
    date_to: dt.date | None = Field(None, description="Đến ngày (mặc định hôm nay)")


class KpiOut(Schema):
    unit: int
    unit_name: str
    date_from: dt.date
    date_to: dt.date
    outgoing_issued: int = Field(description="Văn bản đi phát hành trong kỳ")
    dual_signed: int = Field(description="Trong đó phát hành điện tử: chữ ký số người ký và của cơ quan")
    dual_signed_pct: float | None
    signed_in_system: int = Field(description="Văn bản đi ký số trên hệ thống")
    same_day_sent: int = Field(description="Trong đó phát hành (gửi) ngay trong ngày ký")
    same_day_sent_pct: float | None
    incoming_electronic: int = Field(description="Văn bản đến điện tử trong kỳ")
    same_day_acknowledged: int = Field(description="Trong đó báo đã vào sổ (03) ngay trong ngày đến")
    same_day_acknowledged_pct: float | None
    records_opened: int = Field(description="Hồ sơ công việc mở trong kỳ")
    records_closed: int
    records_closed_pct: float | None
    records_transferred: int
    records_transferred_pct: float | None
    documents: int = Field(description="Văn bản đến vào sổ và văn bản đi phát hành trong kỳ")
    documents_filed: int = Field(description="Trong đó đã lập hồ sơ")
    documents_filed_pct: float | None
    reached_04: int
    hours_to_04: float | None = Field(description="Số giờ trung bình từ lúc đến đến khi báo 04 (đã giao xử lý)")
    reached_06: int
    hours_to_06: float | None = Field(description="Số giờ trung bình từ lúc đến đến khi báo 06 (đã xử lý xong)")


class KpisOut(KpiOut):
    children: list[KpiOut] = Field(description="Từng đơn vị trực thuộc (cả cấp dưới của nó)")


def _out(figures: kpis.Kpis) -> dict[str, object]:
    data = figures.as_dict()
    data["date_from"], data["date_to"] = data.pop("from"), data.pop("to")
    return data


@router.get("/kpis", response={200: KpisOut, **ERRORS},
            summary="Chỉ số văn phòng điện tử của một đơn vị và cấp dưới trong một kỳ")
def unit_kpis(request: HttpRequest, query: Query[KpiQuery]) -> dict[str, object]:
    person = person_of(request)
    unit = unit_by_id(query.unit, field="unit") if query.unit is not None else person.unit
    if not kpis.can_see_kpis(person, unit):
        raise Http404
    today = timezone.localdate()
    end = query.date_to or today
    start = query.date_from or end.replace(month=1, day=1)
    if end < start:
        raise ActionRefused(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."), code="invalid", field="date_to")
    if (end - start).days + 1 > MAX_DAYS:
        raise ActionRefused(_("Mỗi lần xem được tối đa %(days)s ngày (một năm); hãy chia khoảng thời gian ra.")
                            % {"days": MAX_DAYS}, code="invalid", field="date_from")
    figures = kpis.compute(unit, start, end, with_children=True)
    return {**_out(figures), "children": [_out(child) for child in figures.children]}
