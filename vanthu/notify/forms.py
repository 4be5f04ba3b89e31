from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    mail_reminders = forms.BooleanField(label=_("Nhận thư nhắc hạn, báo đến hạn và quá hạn việc của tôi"),
                                        required=False)
    mail_escalations = forms.BooleanField(label=_("Nhận thư báo việc quá hạn của cán bộ, đơn vị thuộc quyền"),
                                          required=False)
    mail_other = forms.BooleanField(label=_("Nhận thư cho các thông báo khác"), required=False)
