"""Downloads of the records' prints (`records_prints`): the record's list of documents, the catalogue's list
of records, the transfer list; through the records' access functions (404 otherwise); always in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from vanthu.audit import reads
from vanthu.org.models import Person, Unit
from vanthu.org.views import require_person
from vanthu.records.access import access_catalogue, access_record, access_transfer
from vanthu.reports import records_prints
from vanthu.reports.views import content_disposition

TYPES = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _send(request: HttpRequest, sheet_of: Callable[[], records_prints.Sheet], fmt: str, *, person: Person,
          target: object, unit: Unit) -> HttpResponse:
    if fmt not in TYPES:
        raise Http404
    with translation.override("vi"):
        sheet = sheet_of()
        content = (records_prints.render_pdf if fmt == "pdf" else records_prints.render_xlsx)(sheet)
    reads.record_read(request=request, actor=person, verb=reads.REPORT_PRINTED, target=target, unit=unit,
                      data={"print": sheet.name, "format": fmt})
    response = HttpResponse(content, content_type=TYPES[fmt])
    name = f"{sheet.name}.{fmt}"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    response["Content-Disposition"] = content_disposition(ascii_name=ascii_name, name=name)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def record_items_print(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    return _send(request, lambda: records_prints.record_items_sheet(record, person=person), fmt, person=person,
                 target=record, unit=record.unit)


@require_GET
def catalogue_print(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    return _send(request, lambda: records_prints.catalogue_sheet(catalogue), fmt, person=person, target=catalogue,
                 unit=catalogue.unit)


@require_GET
def transfer_print(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    person = require_person(request)
    transfer = access_transfer(person, pk)
    return _send(request, lambda: records_prints.transfer_sheet(transfer), fmt, person=person, target=transfer,
                 unit=transfer.unit)
