"""The fields the forms are built from: Vietnamese labels and messages, Phụ lục VI lengths, uploads checked by
content when the form is cleaned, and the pickers of people and signers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents.models import DocumentType
from vanthu.documents.uploads import DOCX, PDF, CheckedFile, check, read_upload
from vanthu.org.models import Person, SigningAuthority

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


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
