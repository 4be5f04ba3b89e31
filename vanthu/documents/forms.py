"""Forms of the document pages: Vietnamese labels and messages, Phụ lục VI lengths, uploads checked here.

A form validates what a person typed; the action then decides. `apply_refusal` puts an action's refusal
next to the field it names, so every message appears where the mistake is and the form keeps its values.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, uploads
from vanthu.documents.models import CopyForm, Document, DocumentCopy, DocumentType, ReceivedVia, ReviewKind
from vanthu.documents.uploads import DOCX, PDF, CheckedFile, check, read_upload
from vanthu.org.models import Person, SigningAuthority, Unit

T = TypeVar("T")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def apply_refusal(form: forms.Form, exc: ActionRefused) -> None:
    """Show an action's refusal next to the field it names (or above the form). A form whose fields are named
    differently from the action's arguments maps them in `refusal_field(exc)`."""
    mapper = getattr(form, "refusal_field", None)
    name = mapper(exc) if mapper is not None else exc.field
    form.add_error(name if name in form.fields else None, exc.message)


def bound_data(request: HttpRequest) -> QueryDict | None:
    """The submitted fields on POST (even when empty, so that a blank form shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def submit(request: HttpRequest, form: forms.Form, call: Callable[[dict[str, Any]], T],
           success: str | Callable[[T], str]) -> T | None:
    """On a POST with a valid form, run one action with the cleaned data; on success say so (Django message)
    and return its result. A refusal lands on the form (see `attempt`) and None is returned."""
    if request.method != "POST" or not form.is_valid():
        return None
    done = attempt(form, lambda: call(form.cleaned_data))
    if done is not None:
        messages.success(request, success(done) if callable(success) else success)
    return done


def attempt(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run one action; on refusal put its message on the form and return None (a double submission, which
    the view answers with a redirect to what the first submission made, passes through)."""
    try:
        return call()
    except actions.DuplicateSubmission:
        raise
    except ActionRefused as exc:
        apply_refusal(form, exc)
    return None


def too_large_message() -> str:
    return uploads.too_large().message


# --- field builders ----------------------------------------------------------------------------------------


def text(label: Any, max_length: int, *, required: bool = False, missing: Any = None, rows: int = 0,
         help_text: Any = "", placeholder: Any = "") -> forms.CharField:
    attrs: dict[str, Any] = {}
    if placeholder:
        attrs["placeholder"] = placeholder
    widget: forms.Widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, help_text=help_text,
        error_messages={
            "required": missing or _("Trường này không được để trống."),
            "max_length": _("Dài quá %(limit_value)d ký tự (đang có %(show_value)d ký tự)."),
        },
    )


def date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm."),
                        "required": _("Hãy nhập ngày.")},
    )


def urgent_until_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Giờ hẹn (hỏa tốc hẹn giờ)"), required=False, input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Chỉ ghi khi độ khẩn là Hỏa tốc hẹn giờ."),
        error_messages={"invalid": _("Giờ hẹn không hợp lệ.")},
    )


def urgency_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL)


def secrecy_field(person: Person) -> forms.TypedChoiceField:
    choices = [(value, label) for value, label in Secrecy.choices if value <= person.clearance]
    return forms.TypedChoiceField(
        label=_("Độ mật"), choices=choices, coerce=int, initial=Secrecy.NONE,
        error_messages={"invalid_choice": _("Bạn không được tiếp cận văn bản có độ mật này.")},
    )


def doc_type_field() -> forms.ModelChoiceField[DocumentType]:
    return forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.filter(is_active=True).order_by("ordinal"),
        empty_label=_("— Chọn loại văn bản —"),
        error_messages={"required": _("Hãy chọn loại văn bản."),
                        "invalid_choice": _("Loại văn bản không hợp lệ.")},
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class UploadField(forms.FileField):
    """One file, checked by content (type, extension, size, healthy PDF) when the form is cleaned."""

    def __init__(self, *, allowed: tuple[str, ...] = (PDF,), **kwargs: Any) -> None:
        self.allowed = allowed
        accept = ",".join({PDF: ".pdf,application/pdf", DOCX: ".docx"}[a] for a in allowed)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": accept}))
        kwargs.setdefault("error_messages", {"required": _("Hãy chọn tệp văn bản."),
                                             "empty": _("Tệp đã chọn rỗng.")})
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> CheckedFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        return checked_upload(upload, allowed=self.allowed)


class AttachmentsField(forms.FileField):
    """Any number of PDF attachments (phụ lục, tệp đính kèm), each checked like the main file."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,application/pdf", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [checked_upload(super(AttachmentsField, self).clean(item, initial), allowed=(PDF,)) for item in items]


def checked_upload(upload: UploadedFile, *, allowed: tuple[str, ...]) -> CheckedFile:
    name = upload.name or "tep"
    try:
        data = read_upload(upload, name=name, size=upload.size)
        return check(data, name=name, allowed=allowed)
    except ActionRefused as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from exc


class TokenMixin(forms.Form):
    """A hidden UUID made when the form is shown: a second submission of the same form is recognised."""

    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())


class VersionMixin(forms.Form):
    """The document version the form was opened on: a change by someone else in between is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- incoming ---------------------------------------------------------------------------------------------


class IncomingMetadataForm(VersionMixin, forms.Form):
    """What the clerk reads off an incoming document (Phụ lục VI lengths)."""

    doc_type = doc_type_field()
    organ_name = text(_("Cơ quan ban hành"), 200, required=True, missing=_("Hãy nhập cơ quan ban hành."),
                      placeholder=_("Ví dụ: Bộ Quốc phòng"),
                      help_text=_("Gõ vài chữ (có dấu hoặc không) để chọn trong danh bạ cơ quan."))
    code_number = text(_("Số"), 11, placeholder="125")
    code_notation = text(_("Ký hiệu"), 30, placeholder="BQP-TM")
    issued_date = date(_("Ngày ban hành"))
    subject = text(_("Trích yếu nội dung"), 500, required=True, missing=_("Hãy nhập trích yếu nội dung."), rows=2)
    signer_name = text(_("Người ký"), 50)
    signer_position = text(_("Chức vụ người ký"), 100)
    page_amount = forms.IntegerField(label=_("Số trang"), required=False, min_value=1, max_value=999,
                                     error_messages={"min_value": _("Số trang phải từ 1 đến 999."),
                                                     "max_value": _("Số trang phải từ 1 đến 999."),
                                                     "invalid": _("Số trang phải là số.")})
    due_date = date(_("Hạn xử lý"), help_text=_("Để trống nếu văn bản không ấn định hạn."))
    urgent_until = urgent_until_field()
    description = text(_("Ghi chú"), 500, rows=2)
    received_via = forms.ChoiceField(label=_("Hình thức nhận"), choices=ReceivedVia.choices,
                                     initial=ReceivedVia.PAPER)

    field_order = ["doc_type", "code_number", "code_notation", "issued_date", "organ_name", "subject", "urgency",
                   "urgent_until", "secrecy", "signer_name", "signer_position", "page_amount", "due_date",
                   "received_via", "description"]

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["urgency"] = urgency_field()
        self.fields["secrecy"] = secrecy_field(person)
        self.order_fields(self.field_order)
        # the catalogue of issuing bodies (org tree + outside agencies), suggested as the clerk types; the
        # stored value stays the text, so older entries typed freely keep theirs
        self.fields["organ_name"].widget.attrs.update({
            "list": "issuing-bodies", "autocomplete": "off", "hx-get": reverse_lazy("issuing_bodies"),
            "hx-trigger": "input changed delay:200ms", "hx-target": "#issuing-bodies", "hx-swap": "innerHTML",
        })

    def incoming_data(self) -> actions.IncomingData:
        d = self.cleaned_data
        return actions.IncomingData(
            doc_type=d["doc_type"], organ_name=d["organ_name"].strip(), subject=d["subject"].strip(),
            code_number=d["code_number"].strip(), code_notation=d["code_notation"].strip(),
            issued_date=d["issued_date"], signer_name=d["signer_name"].strip(),
            signer_position=d["signer_position"].strip(), urgency=d["urgency"], urgent_until=d["urgent_until"],
            secrecy=d["secrecy"], page_amount=d["page_amount"], due_date=d["due_date"],
            description=d["description"].strip(), received_via=d["received_via"],
        )

    @staticmethod
    def initial_from(document: Document) -> dict[str, Any]:
        return {
            "doc_type": document.doc_type_id, "organ_name": document.organ_name, "code_number": document.code_number,
            "code_notation": document.code_notation, "issued_date": document.issued_date,
            "subject": document.subject, "signer_name": document.signer_name,
            "signer_position": document.signer_position, "urgency": document.urgency,
            "urgent_until": timezone.localtime(document.urgent_until) if document.urgent_until else None,
            "secrecy": document.secrecy, "page_amount": document.page_amount, "due_date": document.due_date,
            "description": document.description, "received_via": document.received_via or ReceivedVia.PAPER,
            "expected_version": document.version,
        }


class IncomingForm(TokenMixin, IncomingMetadataForm):
    """Receive a document brought to the clerk and register it at once (the file field comes last, so that
    an oversize upload, which stops the reading of the request, still keeps every typed field)."""

    arrival_at = forms.DateTimeField(
        label=_("Thời gian đến"), input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Hãy nhập thời gian đến."),
                        "invalid": _("Thời gian đến không hợp lệ.")},
    )
    file = UploadField(label=_("Tệp văn bản (PDF)"), help_text=_("Bản quét văn bản giấy hoặc văn bản điện tử, "
                                                                  "định dạng PDF."))
    attachments = AttachmentsField(label=_("Tệp đính kèm (PDF, nếu có)"))

    def __init__(self, *args: Any, person: Person, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, person=person, **kwargs)
        self.fields["unit"] = forms.ModelChoiceField(
            label=_("Vào sổ của đơn vị"), queryset=Unit.objects.filter(pk__in=[u.pk for u in units]),
            empty_label=None, error_messages={"invalid_choice": _("Bạn không phải văn thư của đơn vị này.")},
        )
        if units:
            self.initial.setdefault("unit", units[0].pk)
        if not self.is_bound:
            self.initial.setdefault("arrival_at", timezone.localtime().replace(second=0, microsecond=0))
        self.order_fields(["unit", "arrival_at", *self.field_order, "file", "attachments"])


class ReasonForm(forms.Form):
    reason = text(_("Lý do"), 500, required=True, missing=_("Hãy ghi lý do."), rows=3)


# --- outgoing ---------------------------------------------------------------------------------------------


class DraftMetadataForm(VersionMixin, forms.Form):
    doc_type = doc_type_field()
    subject = text(_("Trích yếu nội dung"), 500, required=True, missing=_("Hãy nhập trích yếu nội dung."), rows=2,
                   help_text=_("Với công văn, bắt đầu bằng “V/v …”."))
    due_date = date(_("Hạn xử lý (nếu có)"))
    recipient_units = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận trong Quân khu"), queryset=Unit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Đơn vị nhận không hợp lệ."),
                        "invalid_pk_value": _("Đơn vị nhận không hợp lệ.")},
    )
    recipient_names = text(_("Nơi nhận ngoài hệ thống"), 2000, rows=3,
                           help_text=_("Mỗi dòng một cơ quan, ví dụ “Bộ Tổng Tham mưu”."))
    issued_amount = forms.IntegerField(label=_("Số lượng bản"), required=False, min_value=1, max_value=999,
                                       error_messages={"min_value": _("Số lượng bản phải từ 1 đến 999."),
                                                       "max_value": _("Số lượng bản phải từ 1 đến 999.")})
    description = text(_("Ghi chú"), 500, rows=2)
    urgent_until = urgent_until_field()
    # format components of Điều 8 beyond the fields above
    place_name = text(_("Địa danh"), 50, help_text=_("Để trống: địa danh của đơn vị ban hành."))
    circulation_note = text(_("Chỉ dẫn phạm vi lưu hành"), 100,
                            help_text=_("Ví dụ “XEM XONG TRẢ LẠI”, “LƯU HÀNH NỘI BỘ”."))
    drafter_initials = text(_("Ký hiệu người soạn thảo"), 10,
                            help_text=_("Chữ viết tắt tên người soạn thảo, ghi ở cuối “Nơi nhận”, ví dụ TC.Q."))
    address_block = text(_("Địa chỉ, thư điện tử, điện thoại, fax"), 500, rows=2)

    field_order = ["doc_type", "subject", "urgency", "urgent_until", "secrecy", "due_date", "recipient_units",
                   "recipient_names", "issued_amount", "description", "place_name", "circulation_note",
                   "drafter_initials", "address_block"]

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["urgency"] = urgency_field()
        self.fields["secrecy"] = secrecy_field(person)
        recipients = self.fields["recipient_units"]
        assert isinstance(recipients, forms.ModelMultipleChoiceField)
        recipients.queryset = Unit.objects.filter(is_active=True).order_by("path")
        self.order_fields(self.field_order)

    def refusal_field(self, exc: ActionRefused) -> str | None:
        if exc.field == "recipients":
            return "recipient_names" if exc.code in ("secret_external", "too_long") else "recipient_units"
        return exc.field

    def clean_recipient_names(self) -> list[str]:
        raw: str = self.cleaned_data.get("recipient_names") or ""
        names = [line.strip() for line in raw.splitlines() if line.strip()]
        for name in names:
            if len(name) > 200:
                raise forms.ValidationError(_("Tên nơi nhận “%(n)s…” dài quá 200 ký tự.") % {"n": name[:40]})
        return names

    def draft_data(self) -> actions.DraftData:
        d = self.cleaned_data
        return actions.DraftData(
            doc_type=d["doc_type"], subject=d["subject"].strip(), urgency=d["urgency"],
            urgent_until=d["urgent_until"], secrecy=d["secrecy"],
            due_date=d["due_date"], description=d["description"].strip(), issued_amount=d["issued_amount"],
            recipient_units=list(d["recipient_units"]), recipient_names=d["recipient_names"],
            place_name=d["place_name"].strip(), circulation_note=d["circulation_note"].strip(),
            drafter_initials=d["drafter_initials"].strip(), address_block=d["address_block"].strip(),
        )

    @staticmethod
    def initial_from(document: Document) -> dict[str, Any]:
        return {
            "doc_type": document.doc_type_id, "subject": document.subject, "urgency": document.urgency,
            "urgent_until": timezone.localtime(document.urgent_until) if document.urgent_until else None,
            "secrecy": document.secrecy, "due_date": document.due_date, "description": document.description,
            "issued_amount": document.issued_amount, "place_name": document.place_name,
            "circulation_note": document.circulation_note, "drafter_initials": document.drafter_initials,
            "address_block": document.address_block,
            "recipient_units": [r.unit_id for r in document.recipients.all() if r.unit_id],
            "recipient_names": "\n".join(r.external_name for r in document.recipients.all() if not r.unit_id),
            "expected_version": document.version,
        }


class DraftForm(TokenMixin, DraftMetadataForm):
    note = text(_("Ghi chú phiên bản"), 500)
    file = UploadField(allowed=(PDF, DOCX), label=_("Tệp dự thảo (PDF hoặc DOCX)"),
                       help_text=_("Tệp DOCX được chuyển sang PDF để duyệt và ký."))
    attachments = AttachmentsField(label=_("Phụ lục, tệp đính kèm (PDF)"))

    def __init__(self, *args: Any, person: Person, drafting_units: QuerySet[Unit], issuing_units: QuerySet[Unit],
                 **kwargs: Any) -> None:
        super().__init__(*args, person=person, **kwargs)
        self.fields["drafting_unit"] = forms.ModelChoiceField(
            label=_("Đơn vị soạn thảo"), queryset=drafting_units, empty_label=None,
            error_messages={"invalid_choice": _("Bạn chỉ soạn thảo được cho đơn vị của mình.")},
        )
        self.fields["issuing_unit"] = forms.ModelChoiceField(
            label=_("Đơn vị ban hành"), queryset=issuing_units, empty_label=None,
            help_text=_("Đơn vị soạn thảo hoặc đơn vị cấp trên của nó."),
            error_messages={"invalid_choice": _("Đơn vị ban hành không hợp lệ.")},
        )
        self.initial.setdefault("drafting_unit", person.unit_id)
        self.initial.setdefault("issuing_unit", person.unit_id)
        self.order_fields(["drafting_unit", "issuing_unit", *self.field_order, "note", "file", "attachments"])


class VersionForm(VersionMixin, forms.Form):
    note = text(_("Nội dung sửa đổi"), 500)
    file = UploadField(allowed=(PDF, DOCX), label=_("Tệp dự thảo mới (PDF hoặc DOCX)"))


REVIEW_ROWS = 3


class SubmitForm(VersionMixin, forms.Form):
    """Choose the review chain (in order) and the signer among the issuing unit's signing authorities."""

    def __init__(self, *args: Any, signers: QuerySet[SigningAuthority], reviewers: QuerySet[Person],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        signer = SignerChoiceField(
            label=_("Người ký"), queryset=signers, empty_label=_("— Chọn người ký —"),
            error_messages={"required": _("Hãy chọn người ký."),
                            "invalid_choice": _("Người này không có thẩm quyền ký văn bản của đơn vị ban hành.")},
        )
        self.fields["signer"] = signer
        kinds = [("", _("— Không —")), *ReviewKind.choices]
        for i in range(1, REVIEW_ROWS + 1):
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("Bước %(n)s") % {"n": i}, choices=kinds,
                                                         required=False)
            person = PersonChoiceField(
                label=_("Người cho ý kiến bước %(n)s") % {"n": i}, queryset=reviewers, required=False,
                empty_label=_("— Chọn người —"),
                error_messages={"invalid_choice": _("Người cho ý kiến không hợp lệ.")},
            )
            self.fields[f"reviewer_{i}"] = person

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(1, REVIEW_ROWS + 1):
            kind, reviewer = cleaned.get(f"kind_{i}"), cleaned.get(f"reviewer_{i}")
            if kind and reviewer is None:
                self.add_error(f"reviewer_{i}", _("Hãy chọn người cho ý kiến ở bước này."))
            if reviewer is not None and not kind:
                self.add_error(f"kind_{i}", _("Hãy chọn nội dung của bước này."))
        return cleaned

    def refusal_field(self, exc: ActionRefused) -> str | None:
        return "reviewer_1" if exc.field == "reviewers" else exc.field

    def review_chain(self) -> list[tuple[str, Person]]:
        chain = []
        for i in range(1, REVIEW_ROWS + 1):
            kind, reviewer = self.cleaned_data.get(f"kind_{i}"), self.cleaned_data.get(f"reviewer_{i}")
            if kind and reviewer is not None:
                chain.append((kind, reviewer))
        return chain

    def review_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"kind_{i}"], self[f"reviewer_{i}"]) for i in range(1, REVIEW_ROWS + 1)]


def signer_label(authority: SigningAuthority) -> str:
    """'KT. TƯ LỆNH — PHÓ TƯ LỆNH — Đại tá Lê Văn Bình'."""
    person = authority.person
    title = authority.title if authority.prefix else ""
    parts = [authority.competence_line, title.upper(), person.rank_and_name]
    return " — ".join(p for p in parts if p)


def person_label(person: Person) -> str:
    """'Đại tá Lê Văn Bình, Phó Tư lệnh'."""
    position = f", {person.position}" if person.position else ""
    return f"{person.rank_and_name}{position}"


class SignerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SigningAuthority) -> str:
        return signer_label(obj)


def person_in_unit_label(person: Person) -> str:
    """'Đại tá Lê Văn Bình, Phó Tư lệnh — Bộ Tư lệnh': people in pickers show position and unit."""
    return f"{person_label(person)} — {person.unit.short_name or person.unit.name}"


class PersonChoiceField(forms.ModelChoiceField):
    """A picker of people, each shown with rank, position and unit (the unit read with the people)."""

    def __init__(self, *, queryset: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(queryset=queryset.select_related("unit"), **kwargs)

    def label_from_instance(self, obj: Person) -> str:
        return person_in_unit_label(obj)


class ReviewForm(forms.Form):
    """The reviewer's opinion; the decision is the button pressed (name "decision": approve or return)."""

    comment = text(_("Ý kiến"), 1000, rows=3, help_text=_("Bắt buộc khi trả lại dự thảo."))

    def __init__(self, *args: Any, format_check: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if format_check:  # the check of content and format: one box per item of the checklist
            from vanthu.documents.components import CHECKLIST

            for key, label in CHECKLIST.items():
                self.fields[f"check_{key}"] = forms.BooleanField(label=str(label), required=False)
            self.order_fields([f"check_{key}" for key in CHECKLIST] + ["comment"])

    def checklist(self) -> dict[str, bool] | None:
        items = {name.removeprefix("check_"): bool(self.cleaned_data.get(name))
                 for name in self.fields if name.startswith("check_")}
        return items or None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = self.data.get("decision")
        if decision not in ("approve", "return"):
            raise forms.ValidationError(_("Hãy bấm “Đồng ý” hoặc “Trả lại”."))
        cleaned["approve"] = decision == "approve"
        return cleaned


class CommentForm(forms.Form):
    comment = text(_("Ý kiến"), 1000, required=True, missing=_("Hãy ghi ý kiến khi trả lại dự thảo."), rows=3)


class TrueCopyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        made = timezone.localtime(obj.made_at).strftime("%d/%m/%Y %H:%M")
        return f"{obj.get_form_display()} — {obj.unit} — {made}"


def otp_field() -> forms.CharField:
    """The second factor's code (decision 0020), asked in the same step as the key's PIN."""
    return forms.CharField(
        label=_("Mã xác thực hai lớp"), required=False, max_length=4000,
        help_text=_("6 chữ số trên ứng dụng xác thực của đồng chí."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


class CopyRequestForm(forms.Form):
    """Which copy to make, by which unit, and the PIN of that unit's seal key."""

    form = forms.ChoiceField(label=_("Hình thức sao"), choices=CopyForm.choices, initial=CopyForm.TRUE_COPY)
    unit = forms.ModelChoiceField(label=_("Cơ quan sao"), queryset=Unit.objects.none(),
                                  error_messages={"required": _("Hãy chọn cơ quan sao.")})
    pages = forms.CharField(label=_("Các trang trích sao"), required=False, max_length=100,
                            help_text=_("Chỉ với trích sao, ví dụ 1-3, 5."))
    source_copy = TrueCopyChoiceField(label=_("Sao lục từ bản sao y"), queryset=DocumentCopy.objects.none(),
                                      required=False)
    secret = forms.CharField(label=_("Mã PIN chữ ký số của cơ quan"), required=False, max_length=256, strip=False,
                             widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    otp = otp_field()

    def __init__(self, *args: Any, units: list[Unit], true_copies: list[DocumentCopy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        copy_field = self.fields["source_copy"]
        assert isinstance(copy_field, forms.ModelChoiceField)
        copy_field.queryset = DocumentCopy.objects.filter(pk__in=[c.pk for c in true_copies]).order_by("made_at")


class RemoteSignatureForm(forms.Form):
    """The signature value a remote signing service returned for the recorded digest (base64)."""

    signature = forms.CharField(
        label=_("Giá trị chữ ký (base64) do dịch vụ ký số từ xa trả về"), max_length=4096,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": _("Hãy dán giá trị chữ ký do dịch vụ ký số trả về.")},
    )

    def clean_signature(self) -> bytes:
        import base64
        import binascii

        text = "".join(self.cleaned_data["signature"].split())
        try:
            value = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(_("Giá trị chữ ký không phải chuỗi base64 hợp lệ.")) from exc
        if not 32 <= len(value) <= 1024:
            raise forms.ValidationError(_("Độ dài giá trị chữ ký không hợp lệ."))
        return value


class SecretForm(VersionMixin, forms.Form):
    """The PIN or passphrase of a key, asked at each signature and never stored."""

    secret = forms.CharField(
        label=_("Mã PIN"), required=False, max_length=256, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    otp = otp_field()

    def __init__(self, *args: Any, needs_secret: bool = True, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["secret"]
        if label:
            field.label = label
        if needs_secret:
            field.required = True
            field.error_messages["required"] = _("Hãy nhập Mã PIN.")
        else:
            field.widget = forms.HiddenInput()
