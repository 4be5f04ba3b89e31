"""Forms of the signing admin pages: they validate shapes; the actions decide and refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.signing.models import KeyAlgorithm, RevocationReason

MAX_CERT_FILE = 256 * 1024


class _NewPassphrase(forms.Form):
    """A passphrase typed twice (by the key's owner, at the admin's desk)."""

    passphrase = forms.CharField(label=_("Mã PIN khóa ký"), min_length=6, max_length=128, strip=False,
                                 widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    passphrase_again = forms.CharField(label=_("Nhập lại mã PIN khóa ký"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("passphrase") and data.get("passphrase") != data.get("passphrase_again"):
            self.add_error("passphrase_again", _("Hai lần nhập mã PIN không khớp."))
        return data


class _OptionalPassphrase(_NewPassphrase):
    """For a unit's seal key the passphrase may be left empty: the key is then kept under the server key and
    the clerk seals without typing a passphrase."""

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["passphrase"].required = required
        self.fields["passphrase_again"].required = required


class _LimitedFile(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > MAX_CERT_FILE:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 256 KB)."))
        return upload


class IssueForm(_OptionalPassphrase):
    field_order = ["algorithm", "passphrase", "passphrase_again"]
    algorithm = forms.ChoiceField(label=_("Thuật toán khóa"), choices=KeyAlgorithm.choices,
                                  initial=KeyAlgorithm.RSA)


class Pkcs12Form(_OptionalPassphrase):
    field_order = ["file", "password", "passphrase", "passphrase_again"]
    file = _LimitedFile(label=_("Tệp PKCS#12 (.p12, .pfx)"))
    password = forms.CharField(label=_("Mật khẩu của tệp PKCS#12"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class Pkcs11Form(forms.Form):
    token_label = forms.CharField(label=_("Nhãn thiết bị ký số"), max_length=32)
    key_label = forms.CharField(label=_("Nhãn khóa trên thiết bị"), max_length=100, required=False)
    key_id = forms.RegexField(label=_("Mã khóa (hex)"), regex=r"^([0-9a-fA-F]{2})*$", max_length=128,
                              required=False)
    pin = forms.CharField(label=_("Mã PIN"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    certificate = _LimitedFile(label=_("Tệp chứng thư số (nếu trên thiết bị không có)"), required=False)


class RemoteForm(forms.Form):
    file = _LimitedFile(label=_("Tệp chứng thư số (PEM hoặc DER)"))
    service_url = forms.URLField(label=_("Địa chỉ dịch vụ ký số từ xa"), assume_scheme="https")
    credential_id = forms.CharField(label=_("Mã chứng thư tại dịch vụ"), max_length=200)


class ImageForm(forms.Form):
    file = _LimitedFile(label=_("Tệp hình PNG nền trong suốt"))
    width_mm = forms.DecimalField(label=_("Chiều rộng khi in (mm)"), max_digits=4, decimal_places=1,
                                  min_value=10, max_value=100)


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do thu hồi"), choices=RevocationReason.choices)


class RenewForm(_OptionalPassphrase):
    pass


class AnchorForm(forms.Form):
    file = _LimitedFile(label=_("Tệp chứng thư CA (PEM hoặc DER)"))
    name = forms.CharField(label=_("Tên gọi"), max_length=200, required=False)


def uploaded(form: forms.Form, name: str = "file") -> bytes:
    """The bytes of an uploaded file field (after is_valid)."""
    return bytes(form.cleaned_data[name].read())


class ChangePassphraseForm(_NewPassphrase):
    field_order = ["old", "passphrase", "passphrase_again"]
    old = forms.CharField(label=_("Mã PIN khóa ký hiện tại"), strip=False,
                          widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
