"""Forms that unlock a key: the PIN (and the second factor) at each signature and issuance, the value a remote
signing service returned, and the request for an electronic copy under the unit's seal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents.forms.common import VersionMixin
from vanthu.documents.models import CopyForm, DocumentCopy
from vanthu.org.models import Unit


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
