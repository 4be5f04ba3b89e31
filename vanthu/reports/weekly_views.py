"""The weekly status report of a unit's tasks, for the unit's leaders (and leaders above): PDF or XLSX."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from vanthu.audit import reads
from vanthu.org.models import Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.reports import weekly
from vanthu.reports.views import content_disposition
from vanthu.workflow.task_queries import week_of
from vanthu.workflow.task_queries import weekly as weekly_rows

TYPES = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@require_GET
def weekly_report(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not scope_of(person).leads(unit):
        raise Http404
    fmt = request.GET.get("format", "pdf")
    if fmt not in TYPES:
        raise Http404
    try:
        day = dt.date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else timezone.localdate()
    except ValueError as exc:
        raise Http404 from exc
    start, end = week_of(day)
    rows = weekly_rows(unit, start=start, end=end)
    with translation.override("vi"):
        render = weekly.render_pdf if fmt == "pdf" else weekly.render_xlsx
        content = render(unit, rows, start=start, end=end)
    reads.record_read(request=request, actor=person, verb=reads.REPORT_PRINTED, target=unit, unit=unit,
                      data={"report": "weekly", "week": start.isoformat(), "format": fmt})
    name = f"bao-cao-tuan-{unit.abbreviation or unit.pk}-{start:%Y%m%d}.{fmt}"
    response = HttpResponse(content, content_type=TYPES[fmt])
    response["Content-Disposition"] = content_disposition(ascii_name=name, name=name)
    response["Cache-Control"] = "no-store"
    return response
