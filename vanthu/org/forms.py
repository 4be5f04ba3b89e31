"""The login form, with Vietnamese messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."),
        "inactive": _("Tài khoản này đã bị khóa. Hãy liên hệ Ban Công nghệ thông tin."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["username"].error_messages["required"] = _("Hãy nhập tên đăng nhập.")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].error_messages["required"] = _("Hãy nhập mật khẩu.")
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
