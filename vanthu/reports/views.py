"""Printing a register: GET /registers/<kind>/print/?unit=&from=&to=&series=&format= → a PDF or XLSX download;
a register of more than REPORTS_ASYNC_ROWS rows is printed by a job instead, and the person is sent to a page
with its progress (htmx polling) and then the download (/registers/prints/<id>/).

Authenticated by LoginRequiredMiddleware; `registers.access_register` answers 404 to anyone but the unit's
clerks and leaders cleared for every row; malformed parameters get a 400 page saying what is wrong. Each
print is a read that Decree 30 wants in the usage history, so it is recorded as an audit event here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanthu.audit import log, reads
from vanthu.documents.numbering import GENERAL
from vanthu.org.models import Person
from vanthu.org.queries import scope_of
from vanthu.reports import actions, pdf, registers, xlsx
from vanthu.reports.models import PrintState, RegisterPrint

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SERIES = re.compile(r"^[\w-]{1,30}$")


class BadParameters(Exception):
    """A print request that cannot be served as asked; the message (translated) says why."""


@dataclass(frozen=True)
class PrintRequest:
    unit_id: int
    start: dt.date
    end: dt.date
    series: str
    format: str


def _date(query: QueryDict, name: str, label: str) -> dt.date | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise BadParameters(
            _("%(label)s “%(value)s” không hợp lệ; hãy ghi theo dạng năm-tháng-ngày, ví dụ 2026-01-31.")
            % {"label": label, "value": raw[:20]}
        ) from exc


def default_unit_id(person: Person) -> int:
    """The unit whose register a person most likely prints: their own, else the first they keep or lead."""
    scope = scope_of(person)
    printable = scope.clerk_unit_ids | scope.leader_unit_ids
    if person.unit_id in printable or not printable:
        return person.unit_id
    return min(printable)


def parse(query: QueryDict, *, person: Person) -> PrintRequest:
    """Read and check the parameters. Dates default to 1 January of this year through today; a missing end
    is the end of the start's year (or today), a missing start the 1 January of the end's year."""
    raw_unit = query.get("unit", "").strip()
    if raw_unit:
        if not raw_unit.isdigit():
            raise BadParameters(_("Mã đơn vị “%(value)s” không hợp lệ.") % {"value": raw_unit[:20]})
        unit_id = int(raw_unit)
    else:
        unit_id = default_unit_id(person)
    today = timezone.localdate()
    start = _date(query, "from", _("Ngày bắt đầu"))
    end = _date(query, "to", _("Ngày kết thúc"))
    if start is None and end is None:
        start, end = today.replace(month=1, day=1), today
    elif start is None:
        assert end is not None
        start = end.replace(month=1, day=1)
    elif end is None:
        end = min(max(today, start), start.replace(month=12, day=31))
    if end < start:
        raise BadParameters(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
    if (end - start).days + 1 > registers.MAX_DAYS:
        raise BadParameters(
            _("Mỗi lần in được tối đa %(days)s ngày (một năm); hãy chia khoảng thời gian ra.")
            % {"days": registers.MAX_DAYS}
        )
    series = query.get("series", "").strip() or GENERAL
    if not SERIES.match(series):
        raise BadParameters(_("Dãy số “%(value)s” không hợp lệ.") % {"value": series[:40]})
    kind = query.get("format", "").strip().lower() or "pdf"
    if kind not in FORMATS:
        raise BadParameters(
            _("Định dạng “%(value)s” không được hỗ trợ; hãy chọn pdf hoặc xlsx.") % {"value": kind[:20]}
        )
    return PrintRequest(unit_id=unit_id, start=start, end=end, series=series, format=kind)


def content_disposition(*, ascii_name: str, name: str) -> str:
    """An attachment with an ASCII file name for old clients and the Vietnamese one (RFC 5987 / 6266)."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def produce(printout: registers.RegisterPrintout, *, fmt: str, printed_by: Person | None,
            via: str, rows: Iterable[registers.Row] | None = None,
            request: HttpRequest | None = None) -> tuple[bytes, str, str]:
    """Render `printout` and record the print in the audit log. Returns (content, file name, ASCII name).

    The register is the Phụ lục IV form that is signed and bound: it is printed in Vietnamese whatever the
    language of the page that asked for it."""
    now = timezone.now()
    renderer = pdf.render if fmt == "pdf" else xlsx.render
    with translation.override("vi"):
        content = renderer(printout, registers.rows(printout) if rows is None else rows, printed_by=printed_by,
                           printed_at=now)
        names = (f"{printout.file_name}.{fmt}", f"{printout.ascii_file_name}.{fmt}")
    log.record(
        actor=printed_by,
        verb="reports.register.printed",
        target=printout.unit,
        unit=printout.unit,
        at=now,
        data={
            "kind": printout.kind, "series": printout.series, "from": printout.start.isoformat(),
            "to": printout.end.isoformat(), "format": fmt, "rows": printout.count,
            "registers": printout.register_ids, "sha256": hashlib.sha256(content).hexdigest(), "via": via,
            **(reads.origin(request) if request is not None else {}),
        },
    )
    return content, *names


def _back_url(kind: str) -> str:
    """The register page the print form sits on (the documents app's), if it is there."""
    try:
        return reverse(f"{kind}_register")
    except NoReverseMatch:
        return ""


@require_GET
def register_print(request: HttpRequest, kind: str) -> HttpResponse:
    person: Person | None = getattr(request, "person", None) or None
    if person is None:
        raise Http404
    try:
        asked = parse(request.GET, person=person)
    except BadParameters as exc:
        return render(request, "reports/bad_request.html", {"message": str(exc), "back_url": _back_url(kind)},
                      status=400)
    printout = registers.access_register(person, unit_id=asked.unit_id, kind=registers.KINDS[kind],
                                         series=asked.series, start=asked.start, end=asked.end)
    if printout.count > settings.REPORTS_ASYNC_ROWS:  # a large register is printed by a job, with progress
        job = actions.request_register_print(printout=printout, fmt=asked.format, acting=person)
        return redirect("register_print_status", pk=job.pk)
    content, name, ascii_name = produce(printout, fmt=asked.format, printed_by=person, via="web", request=request)
    response = HttpResponse(content, content_type=FORMATS[asked.format])
    response["Content-Disposition"] = content_disposition(ascii_name=ascii_name, name=name)
    response["Cache-Control"] = "no-store"
    return response


def _own_print(request: HttpRequest, pk: uuid.UUID) -> RegisterPrint:
    """The print job, for the person who asked for it only (404 for anyone else)."""
    person: Person | None = getattr(request, "person", None) or None
    job = RegisterPrint.objects.select_related("unit", "file").filter(pk=pk).first()
    if person is None or job is None or job.person_id != person.pk:
        raise Http404
    return job


@require_GET
def register_print_status(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The progress of a large register's printing (polled by htmx), then its download link."""
    job = _own_print(request, pk)
    context = {"job": job, "back_url": _back_url(job.kind), "done": job.state == PrintState.DONE,
               "failed": job.state == PrintState.FAILED}
    if request.headers.get("HX-Request"):
        return render(request, "reports/print_status.html#progress", context)
    return render(request, "reports/print_status.html", context)


@require_GET
def register_print_file(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_print(request, pk)
    if job.state != PrintState.DONE or job.file is None:
        raise Http404
    response = HttpResponse(job.file.read_bytes(), content_type=FORMATS[job.format])
    response["Content-Disposition"] = content_disposition(ascii_name=job.ascii_name, name=job.file_name)
    response["Cache-Control"] = "no-store"
    return response
