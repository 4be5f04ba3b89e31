"""Forms of the records' pages: they validate shapes; the actions check rights and rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.records.hold_models import HOLD_MAX_MONTHS
from vanthu.records.models import RETENTION_MAX_YEARS, RETENTION_MIN_YEARS, RecordKind


def _retention_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("Thời hạn bảo quản (năm)"), required=False, min_value=RETENTION_MIN_YEARS,
                              max_value=RETENTION_MAX_YEARS, help_text=_("Để trống: vĩnh viễn."))


class CatalogueForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    copy_previous = forms.BooleanField(label=_("Sao danh mục năm trước làm điểm xuất phát"), required=False,
                                       initial=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].initial = timezone.localdate().year


class HeadingForm(forms.Form):
    code = forms.CharField(label=_("Số đề mục"), max_length=10, required=False)
    title = forms.CharField(label=_("Tên đề mục"), max_length=300)


class EntryForm(forms.Form):
    code = forms.CharField(label=_("Số và ký hiệu hồ sơ"), max_length=20)
    title = forms.CharField(label=_("Tiêu đề hồ sơ"), max_length=500)
    retention_years = _retention_field()
    heading = forms.TypedChoiceField(label=_("Đề mục"), required=False, coerce=int, empty_value=None)
    responsible = forms.TypedChoiceField(label=_("Người lập hồ sơ"), required=False, coerce=int, empty_value=None)
    suggest_types = forms.CharField(label=_("Loại văn bản gợi ý (viết tắt, cách nhau dấu phẩy)"), max_length=100,
                                    required=False)
    suggest_words = forms.CharField(label=_("Từ khóa gợi ý"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Loại hồ sơ"), choices=RecordKind.choices, initial=RecordKind.GENERAL,
                             required=False, help_text=_("Hồ sơ xây dựng cơ bản nộp lưu trong 3 tháng sau quyết toán."))


class AdHocForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    code = forms.CharField(label=_("Số và ký hiệu hồ sơ"), max_length=20)
    title = forms.CharField(label=_("Tiêu đề hồ sơ"), max_length=500)
    retention_years = _retention_field()
    start_date = forms.DateField(label=_("Ngày bắt đầu"), required=False)


class CloseForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề hồ sơ"), max_length=500)
    code = forms.CharField(label=_("Số và ký hiệu hồ sơ"), max_length=20)
    retention_years = _retention_field()
    end_date = forms.DateField(label=_("Ngày kết thúc (để trống: ngày của văn bản cuối)"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500)


class OtherFileForm(forms.Form):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=500)
    dated = forms.DateField(label=_("Ngày tài liệu"), required=False)
    file = forms.FileField(label=_("Tệp (PDF hoặc DOCX)"))


class HandoverForm(forms.Form):
    giver = forms.TypedChoiceField(label=_("Người bàn giao"), coerce=int)
    receiver = forms.TypedChoiceField(label=_("Người nhận bàn giao"), coerce=int)
    reason = forms.CharField(label=_("Lý do"), max_length=500)


class HoldRequestForm(forms.Form):
    months = forms.IntegerField(label=_("Số tháng giữ lại"), min_value=1, max_value=HOLD_MAX_MONTHS,
                                help_text=_("Không quá 02 năm kể từ ngày đến hạn nộp lưu."))
    reason = forms.CharField(label=_("Lý do giữ lại"), max_length=500)


class HoldDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Quyết định"), coerce=lambda v: v == "1",
                                     choices=[("1", _("Đồng ý")), ("0", _("Không đồng ý"))])
    note = forms.CharField(label=_("Ý kiến"), max_length=500, required=False)
