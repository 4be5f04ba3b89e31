"""Pages of the archive transfer (the unit's list of records due, submitting, the archive's acceptance) and of
the handover (draw up, confirm each side)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.records import handover_actions, periods, transfer_actions
from vanthu.records.access import (
    access_handover,
    access_transfer,
    can_accept_transfer,
    can_draw_up_handover,
    can_keep_records,
    is_archivist_for,
)
from vanthu.records.forms import HandoverForm
from vanthu.records.models import Handover, HandoverState, Transfer, TransferState
from vanthu.records.queries import transfer_candidates, transfer_deadline
from vanthu.records.views import choices, kept_units


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year - 1)
    except ValueError as exc:
        raise Http404 from exc


@require_GET
def transfer_index(request: HttpRequest) -> HttpResponse:
    """The unit's closed records of a year due at the archive, with the deadline; past transfers; and for the
    archive, the transfers waiting for it."""
    person = require_person(request)
    year = _year(request)
    units = kept_units(person)
    due = [(unit, list(transfer_candidates(unit, year))) for unit in units]
    for _unit, rows in due:
        for row in rows:  # each record's own date: its kind and an approved hold move it (checklist point 40)
            row.due_date, row.held_months = periods.due_date(row), periods.held_months(row)  # type: ignore[attr-defined]
    scope = scope_of(person)
    mine = list(Transfer.objects.filter(unit__in=units).select_related("unit")[:100])
    waiting = [t for t in Transfer.objects.filter(state=TransferState.SUBMITTED).select_related("unit")
               if scope.clerk_unit_ids and is_archivist_for(person, t.unit)] if scope.clerk_unit_ids else []
    deadline = transfer_deadline(year)
    return render(request, "records/transfers.html", {
        "year": year, "due": due, "mine": mine, "waiting": waiting, "deadline": deadline,
        "late": deadline < timezone.localdate(),
        "min_years": settings.RECORDS_TRANSFER_MIN_YEARS, "years": list(range(timezone.localdate().year, 2014, -1))})


@require_POST
def transfer_submit(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    year = _year(request)
    unit = next((u for u in kept_units(person) if str(u.pk) == request.POST.get("unit")), None)
    if unit is None or not can_keep_records(person, unit):
        raise Http404
    ids = [int(i) for i in request.POST.getlist("records") if i.isdigit()]
    try:
        transfer = transfer_actions.submit_transfer(unit=unit, year=year, acting=person, record_ids=ids or None,
                                                    note=request.POST.get("note", ""))
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('records:transfers')}?year={year}")
    messages.success(request, _("Đã nộp lưu %(n)d hồ sơ.") % {"n": transfer.records.count()})
    return redirect("records:transfer", pk=transfer.pk)


@require_GET
def transfer_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    transfer = access_transfer(person, pk)
    records = list(transfer.records.select_related("creator").order_by("code", "id"))
    return render(request, "records/transfer.html", {"transfer": transfer, "records": records,
                                                     "can_accept": can_accept_transfer(person, transfer)})


@require_POST
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    transfer = access_transfer(person, pk)
    try:
        transfer_actions.accept_transfer(transfer=transfer, acting=person, note=request.POST.get("note", ""))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã nhận hồ sơ nộp lưu."))
    return redirect("records:transfer", pk=transfer.pk)


# --- handover -----------------------------------------------------------------------------------------------


def _people_choices(person: Person) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Givers: oneself, and the people of units one leads or administers; receivers: active people of those."""
    scope = scope_of(person)
    rows = Person.objects.select_related("unit").order_by("unit__path", "full_name")
    reach = [p for p in rows if p.pk == person.pk or scope.leads(p.unit) or scope.administers(p.unit)]
    givers = [(p.pk, f"{p.rank_and_name} — {p.unit.name}") for p in reach]
    receivers = [(p.pk, f"{p.rank_and_name} — {p.unit.name}") for p in rows
                 if p.is_active and (p.unit_id == person.unit_id or scope.leads(p.unit) or scope.administers(p.unit))]
    return givers, receivers


@require_http_methods(["GET", "POST"])
def handover_index(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    givers, receivers = _people_choices(person)
    form = HandoverForm(request.POST or None, initial={"giver": person.pk})
    choices(form, "giver", givers)
    choices(form, "receiver", receivers)
    if request.method == "POST" and form.is_valid():
        giver = Person.objects.select_related("unit").get(pk=form.cleaned_data["giver"])
        receiver = Person.objects.get(pk=form.cleaned_data["receiver"])
        if not can_draw_up_handover(person, giver):
            raise Http404
        try:
            handover = handover_actions.draw_up_handover(giver=giver, receiver=receiver,
                                                         reason=form.cleaned_data["reason"], acting=person)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lập biên bản bàn giao; chờ các bên xác nhận."))
            return redirect("records:handover", pk=handover.pk)
    scope = scope_of(person)
    rows = [h for h in Handover.objects.select_related("giver", "receiver", "unit")[:200]
            if person.pk in (h.giver_id, h.receiver_id, h.created_by_id) or scope.leads(h.unit)]
    return render(request, "records/handovers.html", {"form": form, "handovers": rows})


@require_GET
def handover_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    handover = access_handover(person, pk)
    items = list(handover.items.all())
    return render(request, "records/handover.html", {
        "handover": handover, "records": [i for i in items if i.record_id],
        "tasks": [i for i in items if i.task_id], "pending": handover.state == HandoverState.PENDING,
        "can_confirm": handover_actions.can_confirm_giver(person, handover)
        or handover_actions.can_confirm_receiver(person, handover)})


@require_POST
def handover_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    handover = access_handover(person, pk)
    try:
        done = handover_actions.confirm_handover(handover=handover, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã bàn giao xong.") if done.state == HandoverState.DONE
                         else _("Đã xác nhận; chờ bên kia xác nhận."))
    return redirect("records:handover", pk=handover.pk)
