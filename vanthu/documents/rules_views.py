"""The numbering-scheme page (Decree 30 Điều 15.1.c): the head of a unit, or a delegate, chooses how the unit's
outgoing documents are numbered next year — one series, one per group of types, one per type — and sees the
series each type would be numbered from before saving. The current year is shown, never changed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vanthu.core.errors import ActionRefused
from vanthu.documents import numbering
from vanthu.documents.actions.rules import can_set_rules, set_format_check_rule, set_numbering_plan
from vanthu.documents.forms import attempt
from vanthu.documents.models import DocumentType, FormatCheckRule, PlanScheme
from vanthu.documents.queries import series_label
from vanthu.org.models import Person, Role, SigningAuthority, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person


class NumberingPlanForm(forms.Form):
    scheme = forms.ChoiceField(label=gettext_lazy("Cách cấp số văn bản đi"), choices=PlanScheme.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": gettext_lazy("Hãy chọn cách cấp số."),
                                               "invalid_choice": gettext_lazy("Cách cấp số không hợp lệ.")})
    groups = forms.CharField(
        label=gettext_lazy("Các nhóm loại văn bản"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Mỗi dòng một nhóm, các loại cách nhau bằng dấu phẩy, ví dụ “QĐ, CT, QC”; Công văn "
                               "và Thư công ghi bằng tên. Loại không thuộc nhóm nào dùng dãy số chung."),
    )

    def groups_list(self) -> list[list[str]]:
        return numbering.parse_groups(self.cleaned_data.get("groups") or "")


class FormatRuleForm(forms.Form):
    checker_unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị kiểm tra thể thức"), queryset=Unit.objects.none(),
                                          empty_label=None)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò người kiểm tra"),
                             choices=[(Role.LEADER, gettext_lazy("Chỉ huy đơn vị đó (ví dụ Chánh Văn phòng)")),
                                      (Role.CLERK, gettext_lazy("Văn thư đơn vị đó")),
                                      (Role.OFFICER, gettext_lazy("Cán bộ đơn vị đó"))])
    required = forms.BooleanField(label=gettext_lazy("Bắt buộc kiểm tra trước khi trình ký"), required=False)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checker = self.fields["checker_unit"]
        assert isinstance(checker, forms.ModelChoiceField)
        checker.queryset = Unit.objects.filter(path__startswith=unit.path, is_active=True).order_by("path")


def units_for(person: Person) -> list[Unit]:
    """The units whose numbering this person may set: those they lead, and those they sign for as a delegate."""
    scope = scope_of(person)
    led = list(Unit.objects.filter(scope.leader_q("path"), is_active=True).order_by("path")[:200])
    delegated = Unit.objects.filter(
        pk__in=SigningAuthority.objects.filter(person=person).values("unit_id"), is_active=True).order_by("path")
    units = {u.pk: u for u in led}
    units.update({u.pk: u for u in delegated if can_set_rules(person, u)})
    return sorted(units.values(), key=lambda u: u.path)


def _scheme_of(unit: Unit, year: int) -> tuple[str, list[list[str]]]:
    plan = numbering.plan_for(unit=unit, year=year)
    if plan is not None:
        return plan.scheme, plan.groups
    return (PlanScheme.PER_TYPE if unit.numbering_scheme == PlanScheme.PER_TYPE else PlanScheme.SINGLE), []


def _rows(scheme: str, groups: list[list[str]], types: list[DocumentType]) -> list[tuple[str, list[str]]]:
    return [(series_label(series), names) for series, names in numbering.preview(scheme=scheme, groups=groups,
                                                                                  types=types)]


@require_http_methods(["GET", "POST"])
def numbering_plan(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    units = units_for(person)
    if not units:
        raise Http404
    wanted = request.POST.get("unit") or request.GET.get("unit")
    unit = next((u for u in units if str(u.pk) == wanted), None) if wanted else units[0]
    if unit is None:
        raise Http404  # a unit this person may not configure is not shown to exist
    year = timezone.localdate().year
    types = list(DocumentType.objects.filter(is_active=True).order_by("ordinal"))
    current_scheme, current_groups = _scheme_of(unit, year)
    next_scheme, next_groups = _scheme_of(unit, year + 1)
    planned = numbering.plan_for(unit=unit, year=year + 1)
    if request.method == "POST":
        form = NumberingPlanForm(request.POST)
    else:
        form = NumberingPlanForm(initial={"scheme": next_scheme, "groups": numbering.groups_text(next_groups)})
    rule = FormatCheckRule.objects.filter(unit=unit).select_related("checker_unit").first()
    rule_initial = ({"checker_unit": rule.checker_unit_id, "role": rule.role, "required": rule.required} if rule
                    else {"checker_unit": unit.pk, "role": Role.CLERK, "required": True})
    rule_form = FormatRuleForm(request.POST if "format_rule" in request.POST else None, unit=unit,
                               initial=rule_initial)
    if "format_rule" in request.POST:
        form = NumberingPlanForm(initial={"scheme": next_scheme, "groups": numbering.groups_text(next_groups)})
        if rule_form.is_valid():
            d = rule_form.cleaned_data
            saved = attempt(rule_form, lambda: set_format_check_rule(
                acting=person, unit=unit, checker_unit=d["checker_unit"], role=d["role"], required=d["required"]))
            if saved is not None:
                messages.success(request, _("Đã quy định người kiểm tra nội dung, thể thức văn bản của %(u)s.")
                                 % {"u": unit.name})
                return redirect(f"{request.path}?unit={unit.pk}")
    preview: list[tuple[str, list[str]]] = []
    problem = ""
    if request.method == "POST" and "format_rule" not in request.POST and form.is_valid():
        scheme, groups = form.cleaned_data["scheme"], form.groups_list()
        if scheme == PlanScheme.GROUPS:
            problem = numbering.check_groups(groups, types)
        preview = _rows(scheme, groups if scheme == PlanScheme.GROUPS else [], types)
        if "save" in request.POST:
            raw_year = request.POST.get("year")
            plan = attempt(form, lambda: set_numbering_plan(acting=person, unit=unit,
                                                            year=_year(raw_year, default=year + 1),
                                                            scheme=scheme, groups=groups))
            if plan is not None:
                messages.success(request, _("Đã quy định cách cấp số văn bản đi năm %(y)s của %(u)s.")
                                 % {"y": plan.year, "u": unit.name})
                return redirect(f"{request.path}?unit={unit.pk}")
    if not preview:
        preview = _rows(next_scheme, next_groups, types)
    context: dict[str, Any] = {
        "units": units, "unit": unit, "year": year, "next_year": year + 1, "form": form, "preview": preview,
        "problem": problem, "planned": planned, "rule_form": rule_form, "rule": rule,
        "default_check": settings.FORMAT_CHECK_REQUIRED,
        "current": _rows(current_scheme, current_groups, types),
        "current_label": PlanScheme(current_scheme).label,
    }
    template = "documents/numbering.html#preview" if request.headers.get("HX-Request") else "documents/numbering.html"
    return render(request, template, context)


def _year(raw: str | None, *, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ActionRefused(_("Năm không hợp lệ."), code="invalid", field="year") from None
