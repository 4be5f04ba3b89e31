"""Forms of the task pages: progress, completion, return, extension, send back, pass down, a directive."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vanthu.documents.forms import AttachmentsField, PersonChoiceField, checked_upload, date, text
from vanthu.documents.models import Document
from vanthu.documents.uploads import DOCX, PDF, CheckedFile
from vanthu.org.models import Person, Unit
from vanthu.workflow.models import Part


class ProgressForm(forms.Form):
    text = text(_("Nội dung báo cáo tiến độ"), 2000, rows=3, required=True)
    percent = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100, required=False)
    file = forms.FileField(label=_("Tệp kèm theo"), required=False)


class ResultFilesField(AttachmentsField):
    """The result's files (PDF or DOCX), each checked by content like a document's file."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".pdf,application/pdf,.docx"

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [checked_upload(forms.FileField.clean(self, item, initial), allowed=(PDF, DOCX)) for item in items]


class ReplyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.notation or obj.get_status_display()} — {obj.subject[:80]}"


class CompleteTaskForm(forms.Form):
    result = text(_("Kết quả xử lý"), 2000, rows=3, required=True)
    reply = ReplyChoiceField(label=_("Văn bản trả lời (nếu có)"), queryset=Document.objects.none(), required=False)
    result_files = ResultFilesField(label=_("Tệp kết quả (PDF, DOCX)"))

    def __init__(self, *args: Any, replies: QuerySet[Document] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reply"]
        assert isinstance(field, forms.ModelChoiceField)
        if replies is None:
            del self.fields["reply"]
        else:
            field.queryset = replies


class ReasonForm(forms.Form):
    reason = text(_("Lý do"), 1000, rows=2, required=True)


class UnitHandlingForm(forms.Form):
    leader_accepts = forms.BooleanField(
        label=_("Chỉ huy đơn vị duyệt kết quả trước khi việc của đơn vị hoàn thành"), required=False,
        help_text=_("Bỏ chọn: cán bộ chủ trì hoàn thành thì việc của đơn vị hoàn thành ngay."))


class ExtensionForm(forms.Form):
    deadline = date(_("Hạn đề nghị"), required=True)
    reason = text(_("Lý do xin gia hạn"), 1000, rows=2, required=True)


OTHER_ROWS = 5  # receivers besides the lead on one pass-down (more: pass down again)


class DelegateForm(forms.Form):
    """Pass a task down: one lead (a person or a sub-unit), and up to five co-operating or for-information people
    or sub-units — each lead and co-operating receiver with its own deadline (empty: the task's own)."""

    note = text(_("Ý kiến giao việc"), 1000, rows=2, required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"] = PersonChoiceField(label=_("Cán bộ chủ trì"), queryset=people, required=False)
        self.fields["lead_unit"] = forms.ModelChoiceField(label=_("Hoặc đơn vị chủ trì"), queryset=units,
                                                          required=False)
        self.fields["lead_deadline"] = date(_("Hạn của chủ trì"), required=False)
        self.targets: dict[str, Person | Unit] = {f"u:{u.pk}": u for u in units}
        self.targets.update({f"p:{p.pk}": p for p in people})
        choices = [("", _("— Chọn người hoặc đơn vị —")),
                   *((code, str(target)) for code, target in self.targets.items())]
        parts = [(Part.COOPERATE.value, Part.COOPERATE.label), (Part.INFO.value, Part.INFO.label)]
        self.row_names: list[tuple[str, str, str]] = []
        for i in range(1, OTHER_ROWS + 1):
            who, part, due = f"who_{i}", f"part_{i}", f"deadline_{i}"
            self.fields[who] = forms.ChoiceField(
                label=_("Nơi nhận %(n)s") % {"n": i}, choices=choices, required=False,
                error_messages={"invalid_choice": _("Chỉ giao được cho cán bộ, đơn vị thuộc đơn vị được giao.")})
            self.fields[part] = forms.ChoiceField(label=_("Vai trò"), choices=parts, required=False,
                                                  initial=Part.COOPERATE)
            self.fields[due] = date(_("Hạn"), required=False)
            for name in (who, part, due):
                self.fields[name].widget.attrs["aria-label"] = f"{self.fields[name].label} ({i})"
            self.row_names.append((who, part, due))
        self.order_fields(["lead", "lead_unit", "lead_deadline",
                           *(name for row in self.row_names for name in row), "note"])

    def rows(self) -> list[tuple[Any, Any, Any]]:
        """The bound fields of each other receiver's row (for the template's table)."""
        return [(self[who], self[part], self[due]) for who, part, due in self.row_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        others = [data.get(who) for who, _part, _due in self.row_names]
        if not data.get("lead") and not data.get("lead_unit") and not any(others):
            raise forms.ValidationError(_("Hãy chọn người hoặc đơn vị nhận việc."))
        if data.get("lead") and data.get("lead_unit"):
            raise forms.ValidationError(_("Chỉ một người hoặc đơn vị chủ trì."))
        return data

    def handovers(self) -> list[Any]:
        from vanthu.workflow.task_actions import Handover

        d = self.cleaned_data
        out = []
        lead = d.get("lead") or d.get("lead_unit")
        if lead is not None:
            out.append(Handover(lead, Part.LEAD, d.get("lead_deadline")))
        for who, part, due in self.row_names:
            if d.get(who):
                out.append(Handover(self.targets[d[who]], d.get(part) or Part.COOPERATE, d.get(due)))
        return out


SOURCE_CHOICES = 50  # the most recent documents offered as a directive's source (any other by ?source=<id>)


class DirectiveForm(forms.Form):
    """A directive: from one of the units the leader leads, to units below it, optionally from a document he may
    see (its source)."""

    title = text(_("Trích yếu chỉ đạo"), 500, required=True)
    content = text(_("Nội dung chỉ đạo"), 5000, rows=4, required=False)
    deadline = date(_("Hạn xử lý"), required=False)
    source_note = text(_("Nguồn (kế hoạch, kết luận hội nghị, chỉ đạo qua điện thoại)"), 500, required=False)

    def __init__(self, *args: Any, issuers: list[Unit], units: QuerySet[Unit],
                 sources: QuerySet[Document], source: Document | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issuers = {str(u.pk): u for u in issuers}
        self.fields["issuer"] = forms.ChoiceField(
            label=_("Đơn vị ban hành"), choices=[(code, u.name) for code, u in self.issuers.items()],
            required=False, error_messages={"invalid_choice": _("Bạn không chỉ huy đơn vị này.")})
        self.fields["units"] = forms.ModelMultipleChoiceField(
            label=_("Đơn vị nhận chỉ đạo"), queryset=units, widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Hãy chọn các đơn vị nhận chỉ đạo.")})
        self.sources = sources
        offered = list(sources.order_by("-created_at", "-pk")[:SOURCE_CHOICES])
        if source is not None and source not in offered:
            offered.insert(0, source)
        self.fields["source_document"] = forms.TypedChoiceField(
            label=_("Văn bản nguồn (nếu có)"), coerce=int, required=False, empty_value=None,
            choices=[("", _("— Không có —")),
                     *((str(d.pk), f"{d} — {d.subject[:80]}" if d.notation else d.subject[:80]) for d in offered)],
            error_messages={"invalid_choice": _("Không tìm thấy văn bản nguồn.")})
        self.fields["weekly"] = forms.BooleanField(label=_("Lặp lại hằng tuần (thứ Sáu)"), required=False)
        self.order_fields(["issuer", "title", "content", "units", "deadline", "source_document", "source_note",
                           "weekly"])
        if source is not None:
            self.initial.setdefault("source_document", source.pk)

    def issuing_unit(self) -> Unit:
        """The chosen issuing unit (the first one the leader leads when none is chosen)."""
        code = self.cleaned_data.get("issuer") or next(iter(self.issuers))
        return self.issuers[code]

    def source(self) -> Document | None:
        pk = self.cleaned_data.get("source_document")
        return None if pk is None else self.sources.filter(pk=pk).first()
