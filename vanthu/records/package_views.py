"""The record package on the record's page: a panel (loaded by htmx) with the button that asks for the package,
then the export's progress and the download link. Only who may export sees the panel; the download is theirs
alone (the token of their request, their audit event)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanthu.audit import reads
from vanthu.core import blobs
from vanthu.core.errors import ActionRefused
from vanthu.org.views import require_person
from vanthu.records import exporting, package_actions
from vanthu.records.access import access_record
from vanthu.records.package.writer import safe_name

TOKEN = re.compile(r"^[0-9a-f]{32}$")


@require_GET
def package_panel(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    if exporting.export_problem(person, record) is not None:
        return HttpResponse("")
    token = request.GET.get("goi", "")
    state, data = exporting.outcome(record, token=token, person=person) if TOKEN.match(token) else ("", {})
    return render(request, "records/package_panel.html#panel",
                  {"record": record, "token": token, "state": state, "data": data})


@require_POST
def package_start(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    try:
        token = package_actions.request_package(record=record, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect("records:record", pk=record.pk)
    messages.success(request, _("Đang tạo gói hồ sơ; tệp sẽ có ở mục “Gói hồ sơ” khi xong."))
    return redirect(reverse("records:record", kwargs={"pk": record.pk}) + f"?goi={token}")


@require_GET
def package_download(request: HttpRequest, pk: int, token: str) -> HttpResponseBase:
    person = require_person(request)
    record = access_record(person, pk)
    if not TOKEN.match(token) or exporting.export_problem(person, record) is not None:
        raise Http404
    state, data = exporting.outcome(record, token=token, person=person)
    if state != "ready" or not data.get("file"):
        raise Http404
    reads.record_read(request=request, actor=person, verb=reads.EXPORTED, target=record, unit=record.unit_id,
                      data={"export": "record-package", "token": token})
    name = f"goi-ho-so-{safe_name(record.file_code)}.zip"
    response = FileResponse(blobs.open_file(str(data["file"])), as_attachment=True, filename=name,
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
