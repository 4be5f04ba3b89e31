"""Pages of documents: registers, the document page and its files, signing, issuing, copying and recalling
(the incoming forms are `incoming_views.py`, the drafting forms `drafting_views.py`; they share the helpers here).

Every view has the same shape: the person (404 without one) → the document through `access_document`
(404 for missing and forbidden alike, `need=` the right to act) → a form → one action → redirect, or the
form again with the action's refusal next to its field and everything typed kept.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from vanthu.audit import reads
from vanthu.core import files, handoff, links
from vanthu.core.errors import ActionRefused
from vanthu.core.htmx import is_htmx
from vanthu.core.queue import after_action
from vanthu.documents import access, actions, layout, marking, queries, sim_views
from vanthu.documents.access import Need
from vanthu.documents.formatting import content_disposition
from vanthu.documents.forms import (
    CopyRequestForm,
    ReasonForm,
    RemoteSignatureForm,
    SecretForm,
    bound_data,
    submit,
    too_large_message,
)
from vanthu.documents.models import (
    Conversion,
    CopyForm,
    Document,
    MessageKind,
    OutboxMessage,
)
from vanthu.documents.reads import mark_read
from vanthu.documents.uploads import PDF
from vanthu.org import second_factor
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.signing import service as signing

GET_POST = require_http_methods(["GET", "POST"])


# --- helpers ---------------------------------------------------------------------------------------------


def _detail(document: Document) -> HttpResponse:
    return redirect("document_detail", pk=document.pk)


def _upload_too_large(request: HttpRequest, form: forms.Form, field: str = "file") -> bool:
    """An oversize upload was cut off while reading the request: say so next to the file field."""
    if not getattr(request, "vanthu_upload_too_large", False):
        return False
    form.is_valid()
    form.errors.pop(field, None)
    form.add_error(field, too_large_message())
    return True


def _form_page(request: HttpRequest, document: Document, form: forms.Form, *, title: str, submit: str,
               intro: str = "", danger: bool = False, buttons: list[tuple[str, str, str]] | None = None,
               extra: dict[str, Any] | None = None, template: str = "documents/form_page.html") -> HttpResponse:
    context = {"document": document, "form": form, "title": title, "submit": submit, "intro": intro,
               "danger": danger, "buttons": buttons or [], **(extra or {})}
    return render(request, template, context)


def _scan_warnings(request: HttpRequest, document: Document, person: Person, upload: Any) -> None:
    """A scan short of Circular 01/2019 (PDF 1.4, colour, 200 dpi, 100 %) is kept, with the figures (checklist 17)."""
    scan = actions.note_scan(document=document, acting=person, file=upload)
    for warning in scan.warnings if scan is not None else []:
        messages.warning(request, _("Bản số hóa chưa đạt yêu cầu (Thông tư 01/2019/TT-BNV): %(fault)s")
                         % {"fault": warning})


def _layout_warnings(request: HttpRequest, upload: Any) -> None:
    """A PDF draft that breaks Decree 30 Phụ lục I's layout is kept, with a warning per fault (checklist 54)."""
    if getattr(upload, "content_type", "") != PDF:
        return
    for warning in layout.check(upload.data).warnings:
        messages.warning(request, _("Dự thảo chưa đúng thể thức trình bày (Phụ lục I Nghị định 30): %(fault)s")
                         % {"fault": warning})


# --- registers -------------------------------------------------------------------------------------------


@require_GET
def incoming_register(request: HttpRequest) -> HttpResponse:
    return _register(request, "incoming")


@require_GET
def outgoing_register(request: HttpRequest) -> HttpResponse:
    return _register(request, "outgoing")


def _register(request: HttpRequest, kind: str) -> HttpResponse:
    person = require_person(request)
    page = queries.register_page(
        person, kind=kind, unit_id=request.GET.get("unit"), year=request.GET.get("year"),
        series=request.GET.get("series"), before=request.GET.get("before"),
    )
    template = "documents/register.html"
    if is_htmx(request) and page.before is not None:
        template += "#rows"
    return render(request, template, {"page": page, "can_register": kind == "incoming"
                                      and page.unit.pk in scope_of(person).clerk_unit_ids})


# --- the document page and its files ---------------------------------------------------------------------


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk)
    page = queries.document_page(person, document)
    can = access.allowed(person, document)
    can["review"] = can["review"] and document.is_outgoing
    mark_read(person, document)
    can["seal_scan"] = actions.can_seal_scan(person, document)
    reads.record_read(request=request, actor=person, verb=reads.VIEWED, target=document, unit=document.unit_id)
    usage = queries.usage_history(document) if access.can_see_usage(person, document) else None
    # the files' links signed for this person and session, checked by nginx (decision 0035); None: checked path
    file_links = links.minter(request, via=links.PAGE, person_id=person.pk, document_id=document.pk,
                              secrecy=document.secrecy)
    return render(request, "documents/detail.html", {"document": document, "page": page, "can": can,
                                                     "voidable": actions.VOIDABLE, "usage": usage,
                                                     "file_links": file_links})


@require_GET
def document_conversion(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the draft page while its DOCX is converted: the same notice while pending, then a reload."""
    person = require_person(request)
    document = access.access_document(person, pk)
    latest = document.versions.order_by("-number").first()
    if latest is not None and latest.conversion == Conversion.PENDING and document.current_file_id is None:
        return render(request, "documents/_files.html#converting", {"document": document, "latest": latest})
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str, *, content_type: str) -> str:
    """A file name safe for Content-Disposition: no path, no control or reserved characters, right extension."""
    cleaned = UNSAFE_NAME.sub("_", name).strip(" ._") or "van-ban"
    extension = {PDF: ".pdf"}.get(content_type)
    if extension and not cleaned.lower().endswith(extension):
        cleaned += extension
    return cleaned[-150:]


@require_GET
@xframe_options_sameorigin
def document_file(request: HttpRequest, pk: int, sha256: str) -> HttpResponseBase:
    person = require_person(request)
    document = access.access_document(person, pk, related=access.FILE_READ)  # the narrow read (issue 17)
    name, content_type = queries.file_of(document, sha256)
    inline = content_type == PDF
    filename = safe_filename(name, content_type=content_type)
    marked = bool(document.secrecy) and content_type == PDF
    response: HttpResponseBase
    try:
        if marked:  # a secret document's copy carries who took it and when; the stored original is untouched
            original = files.read(sha256)
        else:  # handed to the reverse proxy when there is one (core/handoff.py), else streamed
            response = handoff.stored_file(sha256, content_type=content_type, filename=filename)
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    reads.record_read(request=request, actor=person, verb=reads.DOWNLOADED, target=document, unit=document.unit_id,
                      data={"file": name[:150], "sha256": sha256, "marked": marked})
    if marked:
        response = HttpResponse(marking.marked_copy(original, text=marking.mark_text(
            secrecy=document.get_secrecy_display(), person_name=person.full_name, unit_name=person.unit.name,
            at=timezone.now())), content_type=PDF)
        response["Content-Disposition"] = content_disposition(filename, attachment=False)
    else:
        response["Content-Disposition"] = content_disposition(filename, attachment=not inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store" if document.secrecy else "private, max-age=300"
    return response


# --- outgoing: signature, issuance, recall ----------------------------------------------------------------


@GET_POST
def document_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """'Ký số' (first click, this page or its panel on the document page), then the PIN and 'Xác nhận ký'."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.SIGN)
    credential = signing.credential_for_person(person)
    if credential.backend in ("remote", "sim"):  # the key is not here: the interrupted flow (SIM-PKI too)
        target = reverse("document_sign_remote", args=[document.pk])
        if is_htmx(request):  # the "Ký số" button loads a panel: send the whole page there instead
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
    form = SecretForm(bound_data(request), needs_secret=credential.needs_secret,
                      initial={"expected_version": document.version})
    done = submit(request, form, lambda d: actions.sign_outgoing(document=document, acting=person,
                                                                 secret=d["secret"] or None, otp=d["otp"]),
                  _("Đã ký số văn bản. Văn thư sẽ cấp số và phát hành."))
    if done is not None:
        return after_action(request, pk=done.pk)
    return _signing_page(request, person, document, form, credential=credential, mode="sign")


@GET_POST
def document_sign_remote(request: HttpRequest, pk: int) -> HttpResponse:
    """Signing with a key held by a remote signing service: 'Gửi yêu cầu ký' records the digest (the signer
    confirms on their device); the service's answer completes the signature."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.SIGN)
    credential = signing.credential_for_person(person)
    form = RemoteSignatureForm(bound_data(request) if request.POST.get("step") == "complete" else None)
    if request.method == "POST" and request.POST.get("step") == "request":
        try:
            actions.request_remote_signature(document=document, acting=person)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi yêu cầu ký. Đồng chí xác nhận trên thiết bị ký số của mình."))
        return redirect("document_sign_remote", pk=document.pk)
    done = submit(request, form, lambda d: actions.complete_remote_signature(
        document=document, acting=person, signature=d["signature"]),
        _("Đã ký số văn bản. Văn thư sẽ cấp số và phát hành."))
    if done is not None:
        return _detail(done)
    document.refresh_from_db(fields=["remote_request", "version"])
    remote = document.remote_request
    context: dict[str, Any] = {
        "document": document, "form": form, "credential": credential, "mode": "remote",
        "remote": remote, "digest_b64": base64.b64encode(bytes(remote.digest)).decode() if remote else "",
        "page": queries.document_page(person, document), "show_file": True,
        **sim_views.sim_context(credential, remote),
    }
    if remote is None:  # before the request: the preview, where the number, date and signature will go
        from vanthu.documents.placement_views import preview_context

        context.update(preview_context(person, document))
    return render(request, "documents/sign_remote.html", context)


@GET_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk numbers, registers, seals (organisation signature) and sends the signed document."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.ISSUE)
    credential = signing.credential_for_unit(document.unit)
    form = SecretForm(bound_data(request), needs_secret=credential.needs_secret,
                      label=_("Mã PIN chữ ký số của cơ quan"), initial={"expected_version": document.version})
    done = submit(request, form, lambda d: actions.issue_outgoing(
        document=document, acting=person, secret=d["secret"] or None, otp=d["otp"],
        expected_version=d["expected_version"],
    ), lambda doc: _("Đã phát hành văn bản số %(n)s.") % {"n": doc.notation})
    if done is not None:
        return after_action(request, pk=done.pk)
    return _signing_page(request, person, document, form, credential=credential, mode="issue")


def _signing_page(request: HttpRequest, person: Person, document: Document, form: SecretForm, *,
                  credential: signing.CredentialInfo, mode: str) -> HttpResponse:
    """The PIN form: as a panel inside the document page (htmx), or as a page showing the file to sign."""
    from vanthu.documents.placement_views import preview_context

    context: dict[str, Any] = {"document": document, "form": form, "credential": credential, "mode": mode,
                               "action_url": reverse(f"document_{mode}", args=[document.pk]),
                               "needs_enrolment": not second_factor.is_enrolled(person),
                               "has_keys": person.security_keys.exists(),
                               **preview_context(person, document)}
    if is_htmx(request):
        return render(request, "documents/sign.html#panel", context)
    context.update(page=queries.document_page(person, document), show_file=True)
    return render(request, "documents/sign.html", context)


@GET_POST
def document_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk makes an electronic copy (SAO Y, SAO LỤC, TRÍCH SAO) signed with the unit's seal key."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.COPY)
    units = list(Unit.objects.filter(pk__in=scope_of(person).clerk_unit_ids).order_by("path"))
    true_copies = list(document.copies.filter(form=CopyForm.TRUE_COPY).select_related("unit").order_by("made_at"))
    form = CopyRequestForm(bound_data(request), units=units, true_copies=true_copies,
                           initial={"unit": document.unit_id if document.unit_id in {u.pk for u in units} else None})
    done = submit(request, form, lambda d: actions.make_copy(
        document=document, acting=person, unit=d["unit"], form=d["form"], pages=d["pages"],
        source_copy=d["source_copy"], secret=d["secret"] or None, otp=d["otp"],
    ), lambda copy: _("Đã làm %(form)s, ký số của %(unit)s.") % {"form": copy.get_form_display(), "unit": copy.unit})
    if done is not None:
        return _detail(document)
    return _form_page(request, document, form, title=_("Làm bản sao điện tử"), submit=_("Sao và ký số"),
                      intro=_("Bản sao điện tử được ký số của cơ quan (không hình dấu) ở góc trên bên phải trang "
                              "đầu, ghi hình thức sao, tên cơ quan sao và thời gian ký."))


@GET_POST
def document_recall(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RECALL)
    form = ReasonForm(bound_data(request))
    done = submit(request, form, lambda d: actions.recall_outgoing(document=document, acting=person,
                                                                   reason=d["reason"]),
                  _("Đã thu hồi văn bản; các bản đã gửi trong hệ thống bị hủy."))
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Thu hồi văn bản"), submit=_("Thu hồi"), danger=True,
                      intro=_("Văn bản bị thu hồi không còn hiệu lực; nơi nhận trong hệ thống được báo hủy."))


@require_http_methods(["POST"])
def delivery_retry(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    """The issuing unit's clerk sends again to a recipient whose delivery failed."""
    person = require_person(request)
    document = access.access_document(person, pk)
    message = OutboxMessage.objects.filter(pk=message_id, document=document, kind=MessageKind.DOCUMENT).first()
    if message is None:
        raise Http404
    try:
        actions.retry_delivery(message=message, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi lại văn bản đến %(place)s.") % {"place": message.recipient})
    return _detail(document)
