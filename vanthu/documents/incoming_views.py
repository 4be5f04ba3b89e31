"""Pages of incoming documents: receiving one (scan or PDF, with the duplicate check and the files held while the
clerk decides), registering, returning, cancelling an entry, correcting it, and the organisation signature on a
digitised paper document. Same shape as `documents.views`: person → `access_document` (404) → form → action.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing as django_signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vanthu.core import blobs, files
from vanthu.core.errors import ActionRefused
from vanthu.core.queue import after_action
from vanthu.documents import access, actions, queries
from vanthu.documents.access import Need
from vanthu.documents.forms import (
    IncomingForm,
    IncomingMetadataForm,
    ReasonForm,
    SecretForm,
    apply_refusal,
    bound_data,
    submit,
)
from vanthu.documents.models import Document
from vanthu.documents.uploads import CheckedFile
from vanthu.documents.uploads import check as check_upload
from vanthu.documents.views import GET_POST, _detail, _form_page, _scan_warnings, _upload_too_large
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person

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
