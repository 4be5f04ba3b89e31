"""Pages of the catalogue of issuing bodies: the autocomplete of the registration form (any signed-in person),
the directory of outside agencies with its file import (an admin of a top unit; 404 for anyone else), a unit's
head (an admin of the unit) and, on the same page, its codes (an admin of a top unit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.org import agencies
from vanthu.org.access import can_administer, can_administer_all
from vanthu.org.agency_actions import import_agencies, set_agency_active, set_unit_codes, set_unit_head
from vanthu.org.models import Agency, Person, Role, Unit
from vanthu.org.queries import head_of
from vanthu.org.second_factor import admin_step_up
from vanthu.org.views import require_person

MAX_DIRECTORY_BYTES = 5 * 1024 * 1024


@require_GET
def issuing_bodies(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of the issuing-body datalist for what was typed (accent-insensitive)."""
    require_person(request)
    found = agencies.suggest(request.GET.get("organ_name", "") or request.GET.get("q", ""))
    return render(request, "org/_issuing_bodies.html", {"found": found})


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp danh bạ (CSV hoặc XLSX)"),
                           error_messages={"required": gettext_lazy("Hãy chọn tệp danh bạ.")})


def _directory_admin(request: HttpRequest) -> Person:
    person = require_person(request)
    if not can_administer_all(person):
        raise Http404
    return person


@admin_step_up
@require_http_methods(["GET", "POST"])
def agency_directory(request: HttpRequest) -> HttpResponse:
    person = _directory_admin(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_DIRECTORY_BYTES:
            form.add_error("file", _("Tệp danh bạ lớn quá 5 MB."))
        else:
            try:
                rows = agencies.parse(upload.read(), filename=upload.name)
                result = import_agencies(rows=rows, acting=person)
            except ActionRefused as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("Đã nhập danh bạ cơ quan: %(c)s mới, %(u)s cập nhật, %(n)s không đổi.")
                                 % {"c": result.created, "u": result.updated, "n": result.unchanged})
                return redirect("agency_directory")
    query = request.GET.get("q", "").strip()
    listed = Agency.objects.order_by("-is_active", "name")
    if query:
        listed = listed.filter(folded__contains=agencies.fold(query))
    return render(request, "org/agencies.html", {"form": form, "rows": listed[:500], "query": query})


@admin_step_up
@require_POST
def agency_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    person = _directory_admin(request)
    agency = get_object_or_404(Agency, pk=pk)
    set_agency_active(agency=agency, active=not agency.is_active, acting=person)
    return redirect("agency_directory")


class HeadForm(forms.Form):
    head = forms.ModelChoiceField(label=gettext_lazy("Người đứng đầu"), queryset=Person.objects.none(),
                                  required=False, empty_label=gettext_lazy("(mặc định: chỉ huy ký trực tiếp)"))


class CodesForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã định danh (QCVN 102)"), max_length=13, required=False,
                           help_text=gettext_lazy("Địa chỉ của đơn vị khi trao đổi văn bản điện tử; đổi mã thì báo "
                                                  "cho các nơi gửi, nhận."))
    code_qd20 = forms.CharField(label=gettext_lazy("Mã định danh điện tử (QĐ 20/2020)"), max_length=40,
                                required=False)


def _unit_page(request: HttpRequest, pk: int) -> tuple[Person, Unit]:
    person = require_person(request)
    unit = get_object_or_404(Unit, pk=pk, is_active=True)
    if not can_administer(person, unit):
        raise Http404
    return person, unit


def _head_form(unit: Unit, data: Any = None) -> HeadForm:
    form = HeadForm(data, initial={"head": unit.head_id})
    leaders = Person.objects.filter(roles__unit=unit, roles__role=Role.LEADER, is_active=True).distinct()
    form.fields["head"].queryset = leaders.select_related("unit")  # type: ignore[attr-defined]
    form.fields["head"].label_from_instance = lambda p: f"{p.rank_and_name}, {p.position}"  # type: ignore[attr-defined]
    return form


def _render_unit(request: HttpRequest, person: Person, unit: Unit, *, head_form: HeadForm | None = None,
                 codes_form: CodesForm | None = None) -> HttpResponse:
    """The unit's page: its head (an admin of the unit) and, for an admin of a top unit, its codes."""
    if codes_form is None and can_administer_all(person):
        codes_form = CodesForm(initial={"code": unit.code or "", "code_qd20": unit.code_qd20})
    return render(request, "org/unit_head.html", {"unit": unit, "form": head_form or _head_form(unit),
                                                  "codes_form": codes_form, "current": head_of(unit)})


@admin_step_up
@require_http_methods(["GET", "POST"])
def unit_head(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the head of a unit, preselected when its documents are presented."""
    person, unit = _unit_page(request, pk)
    form = _head_form(unit, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_unit_head(unit=unit, head=form.cleaned_data["head"], acting=person)
        except ActionRefused as exc:
            form.add_error("head", exc.message)
        else:
            messages.success(request, _("Đã lưu người đứng đầu của %(unit)s.") % {"unit": unit.name})
            return redirect("unit_head", pk=unit.pk)
    return _render_unit(request, person, unit, head_form=form)


@admin_step_up
@require_POST
def unit_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a unit's codes (the form on the unit's page): an admin of a top unit; 404 for anyone else."""
    person, unit = _unit_page(request, pk)
    if not can_administer_all(person):
        raise Http404
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            set_unit_codes(unit=unit, code=form.cleaned_data["code"], code_qd20=form.cleaned_data["code_qd20"],
                           acting=person)
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu mã định danh của %(unit)s.") % {"unit": unit.name})
            return redirect("unit_head", pk=unit.pk)
    return _render_unit(request, person, unit, codes_form=form)
