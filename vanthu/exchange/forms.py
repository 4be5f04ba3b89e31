from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Secrecy
from vanthu.exchange.models import TransportKind
from vanthu.exchange.transport_kinds import transport_choices


class PeerForm(forms.Form):
    name = forms.CharField(label=_("Tên hệ thống"), max_length=200)
    organ_ids = forms.CharField(label=_("Mã định danh"), widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("Mỗi dòng một mã định danh, hoặc tiền tố kết thúc bằng * (ví dụ *.H41)."))
    base_url = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False,
                               help_text=_("Ví dụ https://vanthu.qk11.example (kênh HTTP)."))
    trust_roots = forms.CharField(label=_("Chứng thư CA tin cậy (PEM)"), widget=forms.Textarea(attrs={"rows": 6}))
    max_secrecy = forms.TypedChoiceField(label=_("Độ mật cao nhất được nhận"), choices=Secrecy.choices, coerce=int,
                                         initial=Secrecy.NONE)
    transport = forms.ChoiceField(label=_("Kênh"), choices=transport_choices, initial=TransportKind.HTTP)
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)
