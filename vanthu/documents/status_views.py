"""Pages of the statuses (issue 8): the sender's recipients with their trails (refreshed by htmx), the evidence
of a status, the clerk's queue of arrivals (one-click register, return with a reason), the answer to a recall,
and sending a failed status again. Same shape as `documents.views`: person → `access_document` (404) → action."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanthu.audit import reads
from vanthu.core import files
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, actions, queries, trails
from vanthu.documents.access import Need
from vanthu.documents.forms import ReasonForm, bound_data, person_in_unit_label, submit
from vanthu.documents.models import MessageKind, OutboxMessage
from vanthu.documents.views import _form_page, safe_filename
from vanthu.org.models import Person, Unit
from vanthu.org.queries import head_for, leaders_over, scope_of
from vanthu.org.views import require_person

POST = require_http_methods(["POST"])


@require_GET
def recipients_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The sender's recipients with their delivery and trail: the part of the page htmx refreshes."""
    person = require_person(request)
    document = access.access_document(person, pk)
    page = queries.document_page(person, document)
    return render(request, "documents/_recipients.html",
                  {"document": document, "page": page, "can": access.allowed(person, document)})


@require_GET
def trail_evidence(request: HttpRequest, pk: int, trail_id: int) -> HttpResponseBase:
    """The signed envelope a status came in (for whoever may see the sender's document)."""
    person = require_person(request)
    document = access.access_document(person, pk)
    row = trails.evidence_of(document, trail_id)
    assert row.evidence is not None
    try:
        handle = files.open_file(row.evidence.sha256)
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    reads.record_read(request=request, actor=person, verb=reads.DOWNLOADED, target=document, unit=document.unit_id,
                      data={"evidence": trail_id})
    name = f"trang-thai-{row.edxml_code}-{row.key}.edxml"
    response = FileResponse(handle, content_type="application/xml", as_attachment=True,
                            filename=safe_filename(name, content_type="application/xml"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def arrivals(request: HttpRequest) -> HttpResponse:
    """The clerk's queue of arrivals to register, electronic beside paper, with the recalls to answer."""
    person = require_person(request)
    queue = trails.arrivals_queue(person)
    to_present = queries.registered_to_present(person)
    return render(request, "documents/arrivals.html", {
        "queue": queue, "to_present": to_present, "leaders": _bulk_leaders(person) if to_present else [],
        "today": timezone.localdate(),
    })


def _bulk_leaders(person: Person) -> list[tuple[int, str]]:
    """Leaders the clerk may present to (of the clerk's units and above), shown with position and unit; the
    head of the clerk's first unit first."""
    units = list(Unit.objects.filter(pk__in=scope_of(person).clerk_unit_ids).order_by("depth", "path"))
    seen: dict[int, Person] = {}
    for unit in units:
        for leader in leaders_over(unit).select_related("unit"):
            seen.setdefault(leader.pk, leader)
    head = head_for(units[0]) if units else None
    ordered = sorted(seen.values(), key=lambda p: (p.pk != (head.pk if head else None), p.unit.depth, p.full_name))
    return [(p.pk, person_in_unit_label(p)) for p in ordered]


@POST
def arrivals_bulk_register(request: HttpRequest) -> HttpResponse:
    """Register the selected arrivals at once (all or nothing)."""
    person = require_person(request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    try:
        done = actions.register_many(document_ids=ids, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã vào sổ %(n)s văn bản, số đến %(numbers)s.")
                         % {"n": len(done), "numbers": ", ".join(str(d.number) for d in done)})
    return redirect("arrivals")


@require_GET
def receipt_slips(request: HttpRequest) -> HttpResponse:
    """The receipt slips (phiếu nhận văn bản) of one day's incoming documents, to print."""
    person = require_person(request)
    if not scope_of(person).clerk_unit_ids:
        raise Http404
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate()
    except ValueError:
        messages.error(request, _("Ngày không hợp lệ."))
        day = timezone.localdate()
    slips = queries.receipt_slips(person, day=day)
    return render(request, "documents/receipt_slips.html", {"slips": slips, "day": day})


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("next") == "arrivals":
        return redirect("arrivals")
    return redirect("document_detail", pk=pk)


@POST
def arrival_register(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: enter an arrival in the register with the metadata it came with (03 goes back)."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.REGISTER)
    try:
        done = actions.register_received(document=document, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã vào sổ văn bản đến, số đến %(n)s.") % {"n": done.number})
    return _back(request, pk)


@POST
def arrival_return(request: HttpRequest, pk: int) -> HttpResponse:
    """From the queue: return an arrival to its sender with the reason typed beside it (02 goes back)."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RETURN)
    try:
        actions.return_received(document=document, acting=person, reason=request.POST.get("reason", ""))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã trả lại văn bản cho nơi gửi."))
    return _back(request, pk)


@POST
def recall_accept(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.ANSWER_RECALL)
    try:
        actions.accept_recall(document=document, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đồng ý thu hồi; văn bản bị hủy và nơi gửi được báo."))
    return _back(request, pk)


@require_http_methods(["GET", "POST"])
def recall_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.ANSWER_RECALL)
    form = ReasonForm(bound_data(request))
    done = submit(request, form, lambda d: actions.refuse_recall(document=document, acting=person,
                                                                 reason=d["reason"]),
                  _("Đã từ chối thu hồi; nơi gửi được báo kèm lý do."))
    if done is not None:
        return redirect("document_detail", pk=done.pk)
    return _form_page(request, document, form, title=_("Từ chối thu hồi văn bản"), submit=_("Từ chối thu hồi"),
                      danger=True, intro=_("Văn bản đã xử lý xong; ghi lý do không hủy được (ví dụ: kết quả xử lý "
                                           "đã có hiệu lực). Nơi gửi nhận trạng thái 16 kèm lý do."))


@POST
def status_retry(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    """The receiving unit's clerk sends again a status whose delivery to the sender failed."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RETRY_DELIVERY)
    message = OutboxMessage.objects.filter(pk=message_id, document=document, kind=MessageKind.STATUS).first()
    if message is None:
        raise Http404
    try:
        actions.retry_delivery(message=message, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi lại trạng thái cho nơi gửi."))
    return redirect("document_detail", pk=pk)
