"""Pages of work records: the list, the catalogue, a record's page (documents in order, totals, history) with
its actions, and filing from the document page in two clicks (the panel, then the record). Each view
authenticates, fetches through `access`, validates with a form, calls one action, and redirects or renders.
The archive transfer and the handover are in `transfer_views.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.audit import log
from vanthu.core.errors import ActionRefused
from vanthu.documents.access import Need, access_document
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.records import actions, catalogue_actions, forms, freezes
from vanthu.records.access import (
    access_catalogue,
    access_record,
    can_approve_catalogue,
    can_keep_records,
    can_manage_record,
)
from vanthu.records.models import Catalogue, CatalogueState, Heading, Record, RecordKind, RecordState
from vanthu.records.queries import (
    fileable_records,
    items_of,
    record_list,
    records_of_document,
    suggestions,
    totals,
)


def kept_units(person: Person) -> list[Unit]:
    """Units whose catalogue and transfers `person` keeps: where they are clerk, and units they lead."""
    scope = scope_of(person)
    ids = set(scope.clerk_unit_ids) | set(scope.leader_unit_ids)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("path"))


def member_units(person: Person) -> list[Unit]:
    scope = scope_of(person)
    ids = set(scope.member_unit_ids) | set(scope.leader_unit_ids)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("path"))


def choices(form: django_forms.Form, name: str, values: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, django_forms.ChoiceField)
    field.choices = values


def form_errors(request: HttpRequest, form: django_forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _act(request: HttpRequest, call: Callable[[], Any], ok: str) -> bool:
    try:
        call()
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, ok)
    return True


@require_GET
def record_index(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    closed = request.GET.get("closed") == "1"
    rows = list(record_list(person, closed=closed)[:500])
    units = member_units(person)
    form = forms.AdHocForm(initial={"year": timezone.localdate().year})
    choices(form, "unit", [(u.pk, u.name) for u in units])
    return render(request, "records/index.html", {"records": rows, "closed": closed, "adhoc": form,
                                                  "kept": kept_units(person)})


@require_POST
def record_new(request: HttpRequest) -> HttpResponse:
    """Open a record outside the catalogue (it joins the year's catalogue as an ad hoc entry)."""
    person = require_person(request)
    form = forms.AdHocForm(request.POST)
    choices(form, "unit", [(u.pk, u.name) for u in member_units(person)])
    if not form.is_valid():
        form_errors(request, form)
        return redirect("records:index")
    data = form.cleaned_data
    unit = Unit.objects.get(pk=data["unit"])
    try:
        record = actions.open_ad_hoc_record(unit=unit, year=data["year"], code=data["code"], title=data["title"],
                                            retention_years=data["retention_years"], acting=person,
                                            start_date=data["start_date"])
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect("records:index")
    messages.success(request, _("Đã mở hồ sơ %(code)s.") % {"code": record.code})
    return redirect("records:record", pk=record.pk)


def _history(record: Record) -> list[dict[str, Any]]:
    labels = {
        "records.record.opened": _("Mở hồ sơ"), "records.record.opened_ad_hoc": _("Mở hồ sơ ngoài danh mục"),
        "records.document.filed": _("Lưu văn bản vào hồ sơ"), "records.file.filed": _("Lưu tài liệu vào hồ sơ"),
        "records.item.removed": _("Loại văn bản khỏi hồ sơ"), "records.record.closed": _("Kết thúc hồ sơ"),
        "records.record.reopened": _("Mở lại hồ sơ"), "records.record.submitted": _("Nộp lưu"),
        "records.record.accepted": _("Lưu trữ đã nhận"), "records.record.handed_over": _("Bàn giao hồ sơ"),
        "records.record.export_requested": _("Yêu cầu xuất gói hồ sơ"),
        "records.record.exported": _("Xuất gói hồ sơ"), "records.record.exported.refused": _("Từ chối xuất gói hồ sơ"),
        "records.record.frozen": _("Phong tỏa hồ sơ"), "records.record.unfrozen": _("Gỡ phong tỏa hồ sơ"),
    }
    rows = []
    for event in log.events_for(record):
        data = event.data or {}
        detail = data.get("reason") or ""
        if "ordinal" in data and not detail:
            detail = _("số thứ tự %(n)s") % {"n": data["ordinal"]}
        rows.append({"at": event.at, "who": event.actor_name, "what": labels.get(event.verb, event.verb),
                     "detail": detail})
    return rows


@require_GET
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    items = items_of(person, record)
    if record.state == RecordState.OPEN:
        doc_total, page_total = totals(record)
    else:
        doc_total, page_total = record.doc_total or 0, record.page_total or 0
    manage = can_manage_record(person, record)
    close_form = forms.CloseForm(initial={"title": record.title, "code": record.code,
                                          "retention_years": record.retention_years})
    return render(request, "records/record.html", {
        "record": record, "items": items, "doc_total": doc_total, "page_total": page_total,
        "hidden": sum(1 for i in items if not i.visible), "manage": manage,
        "can_file": manage and record.state == RecordState.OPEN, "close_form": close_form,
        "reason_form": forms.ReasonForm(), "other_form": forms.OtherFileForm(), "history": _history(record),
        "freeze": freezes.live_freeze(record), "may_freeze": freezes.can_freeze(person, record.unit),
    })


@require_POST
def record_close(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    form = forms.CloseForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("records:record", pk=record.pk)
    data = form.cleaned_data
    _act(request, lambda: actions.close_record(record=record, acting=person, title=data["title"], code=data["code"],
                                               retention_years=data["retention_years"], end_date=data["end_date"]),
         _("Đã kết thúc hồ sơ."))
    return redirect("records:record", pk=record.pk)


@require_POST
def record_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    _act(request, lambda: actions.reopen_record(record=record, acting=person, reason=request.POST.get("reason", "")),
         _("Đã mở lại hồ sơ."))
    return redirect("records:record", pk=record.pk)


@require_POST
def item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    item = record.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    _act(request, lambda: actions.remove_item(record=record, item=item, acting=person,
                                              reason=request.POST.get("reason", "")),
         _("Đã loại văn bản khỏi hồ sơ."))
    return redirect("records:record", pk=record.pk)


@require_POST
def record_file_other(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    form = forms.OtherFileForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("records:record", pk=record.pk)
    upload = form.cleaned_data["file"]
    _act(request, lambda: actions.file_other(record=record, name=upload.name, data=upload.read(),
                                             title=form.cleaned_data["title"], dated=form.cleaned_data["dated"],
                                             acting=person),
         _("Đã lưu tài liệu vào hồ sơ."))
    return redirect("records:record", pk=record.pk)


# --- filing from the document page: click 1 opens the panel, click 2 files -----------------------------------


@require_http_methods(["GET", "POST"])
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access_document(person, pk, need=Need.FILE)
    if request.method == "POST":
        try:
            record = access_record(person, request.POST.get("record", ""))
        except Http404:
            messages.error(request, _("Không tìm thấy hồ sơ."))
            return redirect("document_detail", pk=document.pk)
        _act(request, lambda: actions.file_document(record=record, document=document, acting=person),
             _("Đã lưu văn bản vào hồ sơ %(code)s.") % {"code": record.code})
        return redirect("document_detail", pk=document.pk)
    suggested = suggestions(person, document)
    already = records_of_document(person, document)
    already_ids = {r.pk for r in already}
    others = [r for r in fileable_records(person) if r.pk not in already_ids and r not in suggested]
    template = "records/file_panel.html#panel" if request.headers.get("HX-Request") else "records/file_panel.html"
    return render(request, template, {"document": document, "suggested": suggested, "already": already,
                                      "others": others[:50]})


# --- the catalogue ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def catalogue_index(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    kept = kept_units(person)
    form = forms.CatalogueForm(request.POST or None)
    unit_id = request.POST.get("unit") or request.GET.get("unit")
    if request.method == "POST" and form.is_valid():
        unit = next((u for u in kept if str(u.pk) == str(unit_id)), None)
        if unit is None:
            raise Http404
        try:
            catalogue = catalogue_actions.create_catalogue(unit=unit, year=form.cleaned_data["year"], acting=person,
                                                           copy_previous=form.cleaned_data["copy_previous"])
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lập danh mục hồ sơ năm %(year)d.") % {"year": catalogue.year})
            return redirect("records:catalogue", pk=catalogue.pk)
    units = member_units(person)
    catalogues = list(Catalogue.objects.filter(unit__in=units).select_related("unit").order_by("unit__path", "-year"))
    return render(request, "records/catalogues.html", {"catalogues": catalogues, "form": form, "kept": kept})


@require_GET
def catalogue_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    headings = list(catalogue.headings.all())
    entries = list(catalogue.entries.select_related("responsible", "heading").prefetch_related("records"))
    groups: list[tuple[Heading | None, list[Any]]] = [(h, [e for e in entries if e.heading_id == h.pk])
                                                      for h in headings]
    loose = [e for e in entries if e.heading_id is None]
    if loose:
        groups.append((None, loose))
    keep = can_keep_records(person, catalogue.unit)
    entry_form = forms.EntryForm()
    choices(entry_form, "heading", [("", "—")] + [(h.pk, str(h)) for h in headings])
    people = Person.objects.filter(unit=catalogue.unit, is_active=True).order_by("full_name")
    choices(entry_form, "responsible", [("", "—")] + [(p.pk, p.rank_and_name) for p in people])
    return render(request, "records/catalogue.html", {
        "catalogue": catalogue, "groups": groups, "keep": keep, "draft": catalogue.state == CatalogueState.DRAFT,
        "can_approve": can_approve_catalogue(person, catalogue), "entry_form": entry_form,
        "heading_form": forms.HeadingForm(), "count": len(entries),
        "can_open": catalogue.state != CatalogueState.DRAFT,
    })


@require_POST
def catalogue_heading(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    form = forms.HeadingForm(request.POST)
    if form.is_valid():
        _act(request, lambda: catalogue_actions.add_heading(catalogue=catalogue, acting=person, **form.cleaned_data),
             _("Đã thêm đề mục."))
    return redirect("records:catalogue", pk=catalogue.pk)


@require_POST
def catalogue_entry(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    form = forms.EntryForm(request.POST)
    choices(form, "heading", [("", "—")] + [(h.pk, "") for h in catalogue.headings.all()])
    choices(form, "responsible", [("", "—")] + [
        (p.pk, "") for p in Person.objects.filter(unit=catalogue.unit, is_active=True)])
    if not form.is_valid():
        form_errors(request, form)
        return redirect("records:catalogue", pk=catalogue.pk)
    data = form.cleaned_data
    heading = catalogue.headings.filter(pk=data["heading"]).first() if data["heading"] else None
    responsible = Person.objects.filter(pk=data["responsible"]).first() if data["responsible"] else None
    types = [t.strip() for t in (data["suggest_types"] or "").split(",") if t.strip()]
    _act(request, lambda: catalogue_actions.add_entry(
        catalogue=catalogue, code=data["code"], title=data["title"], retention_years=data["retention_years"],
        responsible=responsible, heading=heading, suggest_types=types, suggest_words=data["suggest_words"],
        kind=data["kind"] or RecordKind.GENERAL, acting=person), _("Đã thêm hồ sơ vào danh mục."))
    return redirect("records:catalogue", pk=catalogue.pk)


@require_POST
def catalogue_approve(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    _act(request, lambda: catalogue_actions.approve_catalogue(catalogue=catalogue, acting=person),
         _("Đã duyệt danh mục hồ sơ."))
    return redirect("records:catalogue", pk=catalogue.pk)


@require_POST
def catalogue_publish(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    _act(request, lambda: catalogue_actions.publish_catalogue(catalogue=catalogue, acting=person),
         _("Đã ban hành danh mục hồ sơ."))
    return redirect("records:catalogue", pk=catalogue.pk)


@require_POST
def entry_open(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    person = require_person(request)
    catalogue = access_catalogue(person, pk)
    entry = catalogue.entries.filter(pk=entry_pk).first()
    if entry is None:
        raise Http404
    try:
        record = actions.open_record(entry=entry, acting=person, code=request.POST.get("code", ""))
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect("records:catalogue", pk=catalogue.pk)
    messages.success(request, _("Đã mở hồ sơ %(code)s.") % {"code": record.code})
    return redirect("records:record", pk=record.pk)
