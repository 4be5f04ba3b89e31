"""Pages of the handling forms and reports (checklist points 29 and 31), each shown as a page and downloadable
as PDF or XLSX (?format=pdf|xlsx):

- /documents/<pk>/handling-slip/ — the Phiếu giải quyết văn bản đến, for whoever may see the (registered,
  incoming) document (`access_document`: 404 otherwise);
- /reports/handling/<kind>/?unit=&from=&to= — the Sổ theo dõi giải quyết văn bản đến (`followup`) and the
  two handling reports (`handling-in`, `handling-out`), for the unit's clerks and the leaders over it (404 for
  anyone else, as the registers). A file of more than REPORTS_ASYNC_ROWS documents is made by the register
  print job, with its progress page.

Every print and download is a read in the audit log (`audit.reads`): the slip is in the document's usage
history, a report in the unit's chain.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from vanthu.audit import reads
from vanthu.documents import access, printable
from vanthu.org.models import Person, Unit
from vanthu.org.views import require_person
from vanthu.reports import actions, handling
from vanthu.reports.views import FORMATS, BadParameters, content_disposition, parse

TITLES = {"followup": gettext_lazy("Sổ theo dõi giải quyết văn bản đến"),
          "handling-in": gettext_lazy("Báo cáo giải quyết văn bản đến"),
          "handling-out": gettext_lazy("Báo cáo văn bản đi")}
SLUGS = {"followup": "so-theo-doi-giai-quyet", "handling-in": "bao-cao-giai-quyet-vb-den",
         "handling-out": "bao-cao-vb-di"}


def _file(doc: printable.Printable, fmt: str, slug: str) -> HttpResponse:
    content = printable.to_pdf(doc) if fmt == "pdf" else printable.to_xlsx(doc)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition(ascii_name=f"{slug}.{fmt}", name=f"{slug}.{fmt}")
    response["Cache-Control"] = "no-store"
    return response


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "").strip().lower()
    if fmt and fmt not in FORMATS:
        raise Http404
    return fmt


@require_GET
def handling_slip(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk)
    if not document.is_incoming or document.number is None:
        raise Http404
    fmt = _format(request)
    with translation.override("vi"):  # the form is printed in Vietnamese, like the registers
        doc = handling.handling_slip(document, printed_by=person)
    if fmt:
        reads.record_read(request=request, actor=person, verb=reads.PRINTED, target=document, unit=document.unit_id,
                          data={"form": "handling_slip", "format": fmt})
        return _file(doc, fmt, f"phieu-giai-quyet-{document.number:02d}")
    return render(request, "reports/printable.html", {"doc": doc, "document": document})


def _unit_for(person: Person, unit_id: int) -> Unit:
    unit = Unit.objects.select_related("parent").filter(pk=unit_id).first()
    if unit is None or not access.can_print_register(person, unit):
        raise Http404
    return unit


@require_GET
def handling_report(request: HttpRequest, kind: str) -> HttpResponse:
    person = require_person(request)
    if kind not in handling.KINDS:
        raise Http404
    try:
        asked = parse(request.GET, person=person)
    except BadParameters as exc:
        return render(request, "reports/bad_request.html", {"message": str(exc), "back_url": ""}, status=400)
    unit = _unit_for(person, asked.unit_id)
    fmt = _format(request)
    if fmt:
        total = handling.size(kind, unit, asked.start, asked.end)
        if total > settings.REPORTS_ASYNC_ROWS:
            job = actions.request_report_print(kind=kind, unit=unit, start=asked.start, end=asked.end, fmt=fmt,
                                               total=total, acting=person)
            return redirect("register_print_status", pk=job.pk)
        content, name = produce(kind, unit, asked.start, asked.end, fmt=fmt, person=person, request=request)
        response = HttpResponse(content, content_type=FORMATS[fmt])
        response["Content-Disposition"] = content_disposition(ascii_name=name, name=name)
        response["Cache-Control"] = "no-store"
        return response
    with translation.override("vi"):
        doc = handling.build(kind, unit, asked.start, asked.end, printed_by=person)
    return render(request, "reports/printable.html", {
        "doc": doc, "kind": kind, "unit": unit, "start": asked.start, "end": asked.end,
        "query": f"unit={unit.pk}&from={asked.start.isoformat()}&to={asked.end.isoformat()}",
        "kinds": [(k, str(t)) for k, t in TITLES.items()],
    })


def produce(kind: str, unit: Unit, start: dt.date, end: dt.date, *, fmt: str, person: Person,
            request: HttpRequest | None, via: str = "web") -> tuple[bytes, str]:
    """Render a report and record the print (the page, or the job with `request=None`)."""
    with translation.override("vi"):
        doc = handling.build(kind, unit, start, end, printed_by=person)
        content = printable.to_pdf(doc) if fmt == "pdf" else printable.to_xlsx(doc)
    name = f"{SLUGS[kind]}-{unit.abbreviation or unit.pk}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    reads.record_read(request=request, actor=person, verb=reads.REPORT_PRINTED, target=unit, unit=unit,
                      data={"report": kind, "from": start.isoformat(), "to": end.isoformat(), "format": fmt},
                      via=via)
    return content, name
