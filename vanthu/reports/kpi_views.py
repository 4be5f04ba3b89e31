"""The KPI page (checklist point 55): /reports/kpis/?unit=&from=&to= — for the leaders of the unit or above it
(404 for anyone else): the unit's subtree and each unit under it, over the period; ?format=xlsx (or pdf) gives
the same table as a file. Figures from `records.kpis` (computed, never stored)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanthu.audit import reads
from vanthu.documents import printable
from vanthu.documents.printable import Column, Table_
from vanthu.org.models import Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.records import kpis
from vanthu.reports.views import FORMATS, BadParameters, content_disposition, parse


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


COLUMNS = [
    (lambda: _("Đơn vị"), 46, lambda k: k.unit.name),
    (lambda: _("VB đi phát hành"), 18, lambda k: str(k.outgoing_issued)),
    (lambda: _("Ký số người ký và cơ quan"), 20, lambda k: _pct(k.dual_signed_pct)),
    (lambda: _("Gửi trong ngày ký"), 20, lambda k: _pct(k.same_day_sent_pct)),
    (lambda: _("VB đến điện tử"), 18, lambda k: str(k.incoming_electronic)),
    (lambda: _("Báo vào sổ (03) trong ngày"), 22, lambda k: _pct(k.same_day_acknowledged_pct)),
    (lambda: _("Hồ sơ mở / kết thúc / nộp lưu"), 26,
     lambda k: f"{k.records_opened} / {_pct(k.records_closed_pct)} / {_pct(k.records_transferred_pct)}"),
    (lambda: _("VB đã lập hồ sơ"), 18, lambda k: _pct(k.documents_filed_pct)),
    (lambda: _("Giờ đến khi giao (04)"), 18, lambda k: _hours(k.hours_to_04)),
    (lambda: _("Giờ đến khi xong (06)"), 18, lambda k: _hours(k.hours_to_06)),
]


def table_rows(figures: kpis.Kpis) -> list[list[str]]:
    """The subtree's row (its name marked as the total), then one row per unit under it."""
    first = [get(figures) for _h, _w, get in COLUMNS]
    first[0] = _("%(unit)s (cả cấp dưới)") % {"unit": figures.unit.name}
    return [first] + [[get(child) for _h, _w, get in COLUMNS] for child in figures.children]


def as_printable(figures: kpis.Kpis, *, printed_by: str) -> printable.Printable:
    unit = figures.unit
    doc = printable.Printable(
        parent_name=unit.parent.name if unit.parent_id and unit.parent else "", unit_name=unit.name,
        place_name=unit.place_name, title=_("Chỉ số văn phòng điện tử"),
        subtitle=[_("Từ ngày %(start)s đến ngày %(end)s") % {"start": printable.vn_date(figures.start),
                                                           "end": printable.vn_date(figures.end)}],
        landscape=True, printed_by=printed_by, sheet_name="Chỉ số")
    doc.table(Table_(columns=[Column(str(heading()), width, centred=i > 0)
                              for i, (heading, width, _g) in enumerate(COLUMNS)], rows=table_rows(figures)))
    return doc


@require_GET
def kpi_page(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    led = [u for u in Unit.objects.filter(scope_of(person).leader_q("path"), is_active=True).order_by("path")]
    if not led:
        raise Http404
    query = request.GET.copy()
    if not query.get("unit"):
        query["unit"] = str(led[0].pk)
    try:
        asked = parse(query, person=person)
    except BadParameters as exc:
        return render(request, "reports/bad_request.html", {"message": str(exc), "back_url": ""}, status=400)
    unit = Unit.objects.select_related("parent").filter(pk=asked.unit_id).first()
    if unit is None or not kpis.can_see_kpis(person, unit):
        raise Http404
    figures = kpis.compute(unit, asked.start, asked.end, with_children=True)
    fmt = request.GET.get("format", "").strip().lower()
    if fmt:
        if fmt not in FORMATS:
            raise Http404
        with translation.override("vi"):
            doc = as_printable(figures, printed_by=person.full_name)
            content = printable.to_pdf(doc) if fmt == "pdf" else printable.to_xlsx(doc)
        name = f"chi-so-{unit.abbreviation or unit.pk}-{asked.start:%Y%m%d}-{asked.end:%Y%m%d}.{fmt}"
        reads.record_read(request=request, actor=person, verb=reads.REPORT_PRINTED, target=unit, unit=unit,
                          data={"report": "kpis", "from": asked.start.isoformat(), "to": asked.end.isoformat(),
                                "format": fmt})
        response = HttpResponse(content, content_type=FORMATS[fmt])
        response["Content-Disposition"] = content_disposition(ascii_name=name, name=name)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "reports/kpis.html", {
        "figures": figures, "units": led, "unit": unit, "start": asked.start, "end": asked.end,
        "headings": [heading() for heading, _w, _g in COLUMNS], "rows": table_rows(figures),
        "query": f"unit={unit.pk}&from={asked.start.isoformat()}&to={asked.end.isoformat()}",
    })
