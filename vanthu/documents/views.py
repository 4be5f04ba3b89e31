"""Pages of documents: registers, the document page and its file, the incoming and outgoing forms.

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
from django.core import signing as django_signing
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from vanthu.audit import reads
from vanthu.core import blobs, files, handoff
from vanthu.core.errors import ActionRefused
from vanthu.core.htmx import is_htmx
from vanthu.core.queue import after_action
from vanthu.documents import access, actions, layout, marking, queries, sim_views
from vanthu.documents.access import Need
from vanthu.documents.formatting import content_disposition
from vanthu.documents.forms import (
    CommentForm,
    CopyRequestForm,
    DraftForm,
    DraftMetadataForm,
    IncomingForm,
    IncomingMetadataForm,
    ReasonForm,
    RemoteSignatureForm,
    ReviewForm,
    SecretForm,
    SubmitForm,
    VersionForm,
    apply_refusal,
    attempt,
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
    ReviewKind,
    Status,
)
from vanthu.documents.reads import mark_read
from vanthu.documents.uploads import PDF, CheckedFile
from vanthu.documents.uploads import check as check_upload
from vanthu.org import second_factor
from vanthu.org.models import Person, Role, Unit
from vanthu.org.queries import leaders_over, scope_of, signers_for
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
    return render(request, "documents/detail.html", {"document": document, "page": page, "can": can,
                                                     "voidable": actions.VOIDABLE, "usage": usage})


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
    document = access.access_document(person, pk)
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


# --- incoming --------------------------------------------------------------------------------------------


def _clerk_units(person: Person) -> list[Unit]:
    ids = list(scope_of(person).clerk_unit_ids)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("depth", "path"))


HELD_SALT = "vanthu.documents.held-upload"


def _hold(person: Person, main: CheckedFile, attachments: list[CheckedFile]) -> str:
    """Keep the uploaded files in the file store while the clerk decides on a possible duplicate (the browser
    does not keep a chosen file), as a value signed for this person only."""
    held = [(files.store_bytes(f.data, content_type=f.content_type).sha256, f.name) for f in [main, *attachments]]
    return django_signing.dumps({"p": person.pk, "f": held}, salt=HELD_SALT, compress=True)


def _held(person: Person, value: str) -> list[CheckedFile] | None:
    """The files `_hold` kept (the main file first), or None for a value not made for this person today."""
    try:
        held = django_signing.loads(value, salt=HELD_SALT, max_age=86400)
    except django_signing.BadSignature:
        return None
    if held.get("p") != person.pk:
        return None
    try:
        return [check_upload(blobs.read(sha), name=name) for sha, name in held["f"]]
    except (ActionRefused, FileNotFoundError, ValueError):
        return None


@GET_POST
def incoming_new(request: HttpRequest) -> HttpResponse:
    """Receive a document brought to the clerk (scanned paper or PDF) and enter it in the register.

    When the register seems to hold it already (same notation, issuing body and date, or the same file), the
    form comes back with the earlier entries linked and the files kept; the clerk may register it anyway."""
    person = require_person(request)
    units = _clerk_units(person)
    if not units:
        raise Http404
    if request.method != "POST":
        form = IncomingForm(person=person, units=units)
        return render(request, "documents/incoming_new.html", {"form": form})
    form = IncomingForm(request.POST, request.FILES, person=person, units=units)
    held = _held(person, request.POST.get("held", "")) if request.POST.get("held") else None
    if held:
        form.fields["file"].required = False
    earlier: list[Document] = []
    held_value = request.POST.get("held", "") if held else ""
    if not _upload_too_large(request, form) and form.is_valid():
        d = form.cleaned_data
        main, attachments = (d["file"], d["attachments"]) if d["file"] or not held else (held[0], held[1:])
        anyway = request.POST.get("register_anyway") == "1"
        try:
            document = actions.register_incoming(
                unit=d["unit"], acting=person, data=form.incoming_data(), file=main, attachments=attachments,
                arrival_at=d["arrival_at"], client_token=d["client_token"], check_duplicates=not anyway,
            )
        except actions.DuplicateSubmission as exc:
            messages.info(request, _("Văn bản này đã được vào sổ (số đến %(n)s); không tạo thêm.")
                          % {"n": exc.existing.number})
            return _detail(exc.existing)
        except actions.PossibleDuplicate as exc:
            earlier = exc.earlier
            held_value = _hold(person, main, list(attachments))
        except ActionRefused as exc:
            apply_refusal(form, exc)
        else:
            if anyway:
                messages.warning(request, _("Đã vào sổ văn bản đến, số đến %(n)s, dù trùng với văn bản đã có "
                                            "trong sổ.") % {"n": document.number})
            else:
                messages.success(request, _("Đã vào sổ văn bản đến, số đến %(n)s.") % {"n": document.number})
            _scan_warnings(request, document, person, main)
            if request.POST.get("then") == "new":
                return redirect("incoming_new")
            return _detail(document)
    visible = set(access.documents_visible_to(person).filter(pk__in=[d.pk for d in earlier])
                  .values_list("pk", flat=True)) if earlier else set()
    return render(request, "documents/incoming_new.html", {
        "form": form, "earlier": earlier, "visible_earlier": visible, "held": held_value,
        "held_names": [f.name for f in held] if held and not earlier else [],
    })


@GET_POST
def document_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Check an electronically received document and enter it in the register (or return it)."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.REGISTER)
    form = IncomingMetadataForm(bound_data(request), initial=IncomingMetadataForm.initial_from(document),
                                person=person)
    done = submit(request, form, lambda d: actions.register_received(
        document=document, acting=person, data=form.incoming_data(), expected_version=d["expected_version"],
    ), lambda doc: _("Đã vào sổ văn bản đến, số đến %(n)s.") % {"n": doc.number})
    if done is not None:
        return after_action(request, pk=done.pk)
    return _form_page(request, document, form, title=_("Kiểm tra và vào sổ văn bản đến"), submit=_("Vào sổ"),
                      intro=_("Kiểm tra chữ ký số và thông tin văn bản, sửa nếu cần, rồi vào sổ để cấp số đến."),
                      extra={"page": queries.document_page(person, document), "show_file": True})


@GET_POST
def document_return(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RETURN)
    form = ReasonForm(bound_data(request))
    done = submit(request, form, lambda d: actions.return_received(document=document, acting=person,
                                                                   reason=d["reason"]),
                  _("Đã trả lại văn bản cho nơi gửi."))
    if done is not None:
        return after_action(request, pk=done.pk)
    return _form_page(request, document, form, title=_("Trả lại văn bản đến"), submit=_("Trả lại"), danger=True,
                      intro=_("Văn bản không đúng thể thức, gửi nhầm hoặc chữ ký số không hợp lệ được trả lại "
                              "cho nơi gửi kèm lý do."))


@GET_POST
def document_cancel_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel (hủy) a wrong register entry with a reason: the number stays in the register, marked cancelled."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.CANCEL_ENTRY)
    form = ReasonForm(bound_data(request))
    done = submit(request, form, lambda d: actions.cancel_entry(document=document, acting=person, reason=d["reason"]),
                  lambda doc: _("Đã hủy số đến %(n)s; số này không cấp lại.") % {"n": doc.number})
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Hủy số đến"), submit=_("Hủy số đến"), danger=True,
                      intro=_("Số đến vẫn nằm trong sổ, ghi là đã hủy, và không bao giờ được cấp lại. Văn bản đã "
                              "phát hành thì thu hồi, không hủy."))


@GET_POST
def incoming_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.EDIT_INCOMING)
    form = IncomingMetadataForm(bound_data(request), initial=IncomingMetadataForm.initial_from(document),
                                person=person)
    done = submit(request, form, lambda d: actions.update_incoming(
        document=document, acting=person, data=form.incoming_data(), expected_version=d["expected_version"],
    ), _("Đã lưu thông tin văn bản."))
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Sửa thông tin văn bản đến"), submit=_("Lưu"),
                      intro=_("Số đến và thời gian đến không thay đổi."))


@GET_POST
def scan_seal(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's organisation signature on the scan of a paper document (checklist point 17)."""
    person = require_person(request)
    document = access.access_document(person, pk)
    if not actions.can_seal_scan(person, document):
        raise Http404
    form = SecretForm(bound_data(request))
    done = submit(request, form, lambda d: actions.seal_scan(document=document, acting=person,
                                                              secret=d.get("secret") or None,
                                                              otp=d.get("otp")),
                  lambda _d: _("Đã ký số của cơ quan lên bản số hóa."))
    if done is not None:
        return _detail(document)
    return _form_page(request, document, form, title=_("Ký số cơ quan lên bản số hóa"), submit=_("Ký số"),
                      intro=_("Chữ ký số của cơ quan đặt ở góc trên bên phải trang đầu: hình con dấu đỏ đúng kích "
                              "thước và thời gian ký (Thông tư 01/2019/TT-BNV)."))


# --- outgoing: drafting ----------------------------------------------------------------------------------


def _drafting_units(person: Person) -> QuerySet[Unit]:
    scope = scope_of(person)
    ids = {person.unit_id, *scope.clerk_unit_ids, *scope.leader_unit_ids}
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")


def _issuing_units(drafting: QuerySet[Unit]) -> QuerySet[Unit]:
    ids: set[int] = set()
    for path in drafting.values_list("path", flat=True):
        ids.update(int(part) for part in path.strip("/").split("/") if part)
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")


@GET_POST
def draft_new(request: HttpRequest) -> HttpResponse:
    """A new draft (dự thảo), or with ?replaces=<id> the draft of a document replacing an issued one."""
    person = require_person(request)
    replaces: Document | None = None
    replaces_id = request.POST.get("replaces") or request.GET.get("replaces")
    if replaces_id:
        replaces = access.access_document(person, replaces_id, need=Need.REPLACE)
    answers: Document | None = None
    answers_id = request.POST.get("answers") or request.GET.get("answers")
    if answers_id:
        answers = access.access_document(person, answers_id, need=Need.REPLY)
    # ?amends=<id>&amend_kind=update|correct: an update (bổ sung) or a correction (công văn đính chính) of an
    # issued document the person may see (404 otherwise, as for any document)
    amends: Document | None = None
    amends_id = request.POST.get("amends") or request.GET.get("amends")
    amend_kind = request.POST.get("amend_kind") or request.GET.get("amend_kind") or "update"
    if amends_id:
        amends = access.access_document(person, amends_id)
    drafting = _drafting_units(person)
    kwargs: dict[str, Any] = {"person": person, "drafting_units": drafting, "issuing_units": _issuing_units(drafting)}
    context: dict[str, Any] = {"replaces": replaces, "answers": answers, "amends": amends, "amend_kind": amend_kind}
    if request.method != "POST":
        initial: dict[str, Any] = {}
        if replaces is not None:
            initial = DraftMetadataForm.initial_from(replaces)
            initial.pop("expected_version")
            initial.update(drafting_unit=replaces.drafting_unit_id, issuing_unit=replaces.unit_id)
        elif answers is not None:
            initial = reply_initial(answers)
        if amends is not None:
            initial = {"drafting_unit": amends.drafting_unit_id, "issuing_unit": amends.unit_id,
                       "subject": _("V/v đính chính văn bản số %(n)s") % {"n": amends.notation}
                       if amend_kind == "correct" else ""}
        form = DraftForm(initial=initial, **kwargs)
        return render(request, "documents/draft_new.html", {"form": form, **context})
    form = DraftForm(request.POST, request.FILES, **kwargs)
    if not _upload_too_large(request, form) and form.is_valid():
        d = form.cleaned_data
        try:
            document = attempt(form, lambda: actions.create_draft(
                acting=person, drafting_unit=d["drafting_unit"], issuing_unit=d["issuing_unit"],
                data=form.draft_data(), file=d["file"], attachments=d["attachments"], note=d["note"],
                replaces=replaces, answers=answers, amends=amends, amend_kind=amend_kind if amends else "",
                client_token=d["client_token"],
            ))
        except actions.DuplicateSubmission as exc:
            messages.info(request, _("Dự thảo này đã được tạo (gửi hai lần); không tạo thêm."))
            return _detail(exc.existing)
        if document is not None:
            messages.success(request, _("Đã tạo dự thảo."))
            _layout_warnings(request, d["file"])
            return _detail(document)
    return render(request, "documents/draft_new.html", {"form": form, **context})


def reply_initial(answers: Document) -> dict[str, Any]:
    """A reply starts as a công văn to the body that wrote, about the same matter, at the same mark."""
    from vanthu.documents.models import DocumentType

    reply_type = DocumentType.objects.filter(name="Công văn").values_list("pk", flat=True).first()
    notation = answers.notation or answers.subject[:60]
    subject = _("V/v trả lời văn bản số %(notation)s của %(organ)s") % {"notation": notation,
                                                                        "organ": answers.organ_name}
    return {"doc_type": reply_type, "subject": subject[:500], "secrecy": answers.secrecy,
            "recipient_names": answers.organ_name if answers.source_id is None else "",
            "recipient_units": [answers.source.unit_id] if answers.source is not None else []}


@GET_POST
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.EDIT_DRAFT)
    form = DraftMetadataForm(bound_data(request), initial=DraftMetadataForm.initial_from(document), person=person)
    done = submit(request, form, lambda d: actions.update_draft(
        document=document, acting=person, data=form.draft_data(), expected_version=d["expected_version"],
    ), _("Đã lưu thông tin dự thảo."))
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Sửa thông tin dự thảo"), submit=_("Lưu"))


@GET_POST
def draft_version_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.EDIT_DRAFT)
    form = VersionForm(bound_data(request), request.FILES or None, initial={"expected_version": document.version})
    if not _upload_too_large(request, form):
        version = submit(request, form, lambda d: actions.add_draft_version(
            document=document, acting=person, file=d["file"], note=d["note"], expected_version=d["expected_version"],
        ), lambda v: _("Đã tải lên dự thảo phiên bản %(n)s.") % {"n": v.number})
        if version is not None:
            _layout_warnings(request, form.cleaned_data["file"])
            return _detail(document)
    return _form_page(request, document, form, title=_("Tải lên phiên bản dự thảo mới"), submit=_("Tải lên"))


def _reviewer_choices(document: Document) -> QuerySet[Person]:
    drafting = document.drafting_unit or document.unit
    leaders = leaders_over(drafting).values("pk")
    q = Q(unit=drafting) | Q(pk__in=leaders) | Q(roles__unit=document.unit, roles__role=Role.CLERK)
    # the author does not review his own draft
    people = Person.objects.filter(q, is_active=True)
    if document.created_by_id is not None:
        people = people.exclude(pk=document.created_by_id)
    ids = people.values("pk")
    return Person.objects.filter(pk__in=ids).select_related("unit").order_by("unit__path", "full_name")


@GET_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the review chain and the signer, and submit the draft."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.SUBMIT)
    form = SubmitForm(bound_data(request), initial={"expected_version": document.version},
                      signers=signers_for(document.unit), reviewers=_reviewer_choices(document))
    done = submit(request, form, lambda d: actions.submit_for_review(
        document=document, acting=person, signer_authority=d["signer"], reviewers=form.review_chain(),
        expected_version=d["expected_version"],
    ), _("Đã trình dự thảo."))
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Trình duyệt và trình ký dự thảo"),
                      submit=pgettext("submit a draft", "Trình"), template="documents/submit.html")


@GET_POST
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.REVIEW)
    step = access.pending_step(person, document)
    form = ReviewForm(bound_data(request), format_check=step is not None and step.kind == ReviewKind.FORMAT)
    done = submit(request, form, lambda d: actions.decide_review(
        document=document, acting=person, approve=d["approve"], comment=d["comment"], checklist=form.checklist(),
    ), lambda doc: _("Đã trả lại dự thảo.") if doc.status == Status.DRAFT else _("Đã đồng ý dự thảo."))
    if done is not None:
        return after_action(request, pk=done.pk)
    return _form_page(request, document, form, title=_("Cho ý kiến về dự thảo"), submit="",
                      buttons=[("decision", "approve", _("Đồng ý")), ("decision", "return", _("Trả lại"))],
                      extra={"page": queries.document_page(person, document), "show_file": True})


@GET_POST
def draft_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The signer sends the draft back to its drafter instead of signing."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RETURN_FOR_REVISION)
    form = CommentForm(bound_data(request))
    done = submit(request, form, lambda d: actions.return_for_revision(document=document, acting=person,
                                                                       comment=d["comment"]),
                  _("Đã trả lại dự thảo để sửa."))
    if done is not None:
        return after_action(request, pk=done.pk)
    return _form_page(request, document, form, title=_("Trả lại dự thảo để sửa"), submit=_("Trả lại"),
                      danger=True)


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
