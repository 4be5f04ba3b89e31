"""Forms of drafting: a draft's metadata and first version, later versions, the review chain and signer, the
reviewer's opinion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.forms.common import TokenMixin, VersionMixin
from vanthu.documents.forms.fields import (
    AttachmentsField,
    PersonChoiceField,
    SignerChoiceField,
    UploadField,
    date,
    doc_type_field,
    secrecy_field,
    text,
    urgency_field,
    urgent_until_field,
)
from vanthu.documents.models import Document, ReviewKind
from vanthu.documents.uploads import DOCX, PDF
from vanthu.org.models import Person, SigningAuthority, Unit


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
