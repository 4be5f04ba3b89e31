"""Forms of incoming documents: what the clerk reads off a document, and receiving and registering it at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents import actions
from vanthu.documents.forms.common import TokenMixin, VersionMixin
from vanthu.documents.forms.fields import (
    DATETIME_FORMATS,
    AttachmentsField,
    UploadField,
    date,
    doc_type_field,
    secrecy_field,
    text,
    urgency_field,
    urgent_until_field,
)
from vanthu.documents.models import Document, ReceivedVia
from vanthu.org.models import Person, Unit


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
