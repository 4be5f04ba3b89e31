"""The search form: the query and the filters, read from GET parameters (pages, export) or the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents.models import Direction, DocumentType, Status
from vanthu.search.queries import Filters

DEADLINES = [("", _("Mọi hạn")), ("overdue", _("Quá hạn")), ("soon", _("Sắp đến hạn")),
             ("open", _("Còn hạn, đang xử lý")), ("none", _("Không có hạn"))]
SORTS = [("relevance", _("Phù hợp nhất")), ("date", _("Mới nhất"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=10_000, strip=True)
    doc_type = forms.ModelChoiceField(label=_("Loại văn bản"), queryset=DocumentType.objects.all(), required=False)
    direction = forms.ChoiceField(label=_("Chiều"), choices=[("", _("Đến và đi")), *Direction.choices],
                                  required=False)
    unit = forms.IntegerField(label=_("Đơn vị (gồm cấp dưới)"), required=False, min_value=1)
    organ = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=200)
    date_from = forms.DateField(label=_("Từ ngày"), required=False)
    date_to = forms.DateField(label=_("Đến ngày"), required=False)
    register = forms.IntegerField(label=_("Sổ"), required=False, min_value=1)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1900, max_value=9999)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=[("", _("Mọi trạng thái")), *Status.choices],
                               required=False)
    urgency = forms.TypedChoiceField(label=_("Độ khẩn"), choices=[("", _("Mọi độ khẩn")), *Urgency.choices],
                                     coerce=int, empty_value=None, required=False)
    secrecy = forms.TypedChoiceField(label=_("Độ mật"), choices=[("", _("Mọi độ mật")), *Secrecy.choices],
                                     coerce=int, empty_value=None, required=False)
    signer = forms.CharField(label=_("Người ký"), required=False, max_length=50)
    deadline = forms.ChoiceField(label=_("Hạn xử lý"), choices=DEADLINES, required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), choices=SORTS, required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100)

    def filters(self) -> Filters:
        data = self.cleaned_data
        doc_type = data.get("doc_type")
        return Filters(
            doc_type=doc_type.pk if doc_type else None, unit=data.get("unit"), organ=data.get("organ") or "",
            direction=data.get("direction") or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
            register=data.get("register"), year=data.get("year"), status=data.get("status") or "",
            urgency=data.get("urgency"), secrecy=data.get("secrecy"), signer=data.get("signer") or "",
            deadline=data.get("deadline") or "",
        )
