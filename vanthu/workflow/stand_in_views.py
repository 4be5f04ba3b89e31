"""The stand-in page (xử lý thay, issue 12): who stands in for me, for whom I stand in, and naming one — for
myself, or as a leader or clerk for someone of my unit. Same shape as every view: person → form → one action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vanthu.core.errors import ActionRefused
from vanthu.documents.forms import PersonChoiceField, attempt, date, text
from vanthu.org.models import Person, StandIn, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.workflow import stand_in_actions

LIST_LIMIT = 50


class StandInForm(forms.Form):
    absent = PersonChoiceField(label=gettext_lazy("Người vắng"), queryset=Person.objects.none())
    stand_in = PersonChoiceField(label=gettext_lazy("Người xử lý thay"), queryset=Person.objects.none(),
                                 error_messages={"required": gettext_lazy("Hãy chọn người xử lý thay."),
                                                 "invalid_choice": gettext_lazy("Người này không chọn được.")})
    starts_on = date(gettext_lazy("Từ ngày"), required=True)
    ends_on = date(gettext_lazy("Đến hết ngày"), required=True)
    reason = text(gettext_lazy("Lý do (nghỉ phép, đi công tác…)"), 300)

    def __init__(self, *args: Any, absent: QuerySet[Person], candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = absent  # type: ignore[attr-defined]
        self.fields["stand_in"].queryset = candidates  # type: ignore[attr-defined]


def _paths(person: Person) -> list[str]:
    """The branches a person names stand-ins in: their own unit, and the units they lead or are clerk of."""
    scope = scope_of(person)
    units = Unit.objects.filter(pk__in={person.unit_id, *scope.clerk_unit_ids})
    return sorted({person.unit.path, *scope.leader_paths, *units.values_list("path", flat=True)})


def _absent_choices(person: Person) -> QuerySet[Person]:
    scope = scope_of(person)
    q = Q(pk=person.pk) | Q(unit_id__in=list(scope.clerk_unit_ids)) | scope.leader_q("unit__path")
    return Person.objects.filter(q, is_active=True).select_related("unit").order_by("unit__path", "full_name")


def _candidates(person: Person) -> QuerySet[Person]:
    """People in the branches of `_paths`, and in the units above them (the action checks each choice)."""
    q = Q(pk__in=[])
    above: set[int] = set()
    for path in _paths(person):
        q |= Q(unit__path__startswith=path)
        above.update(int(part) for part in path.strip("/").split("/") if part)
    q |= Q(unit_id__in=above)
    return Person.objects.filter(q, is_active=True).select_related("unit").order_by("unit__path", "full_name")


def _rows(person: Person) -> list[StandIn]:
    scope = scope_of(person)
    q = Q(absent=person) | Q(stand_in=person) | Q(created_by=person) | Q(absent__unit_id__in=list(
        scope.clerk_unit_ids)) | scope.leader_q("absent__unit__path")
    rows = StandIn.objects.filter(q, ends_on__gte=timezone.localdate() - dt.timedelta(days=30))
    return list(rows.select_related("absent__unit", "stand_in__unit", "created_by").order_by("-starts_on", "-pk")
                [:LIST_LIMIT])


@require_http_methods(["GET", "POST"])
def stand_ins(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    kwargs = {"absent": _absent_choices(person), "candidates": _candidates(person)}
    form = StandInForm(initial={"absent": person.pk, "starts_on": timezone.localdate()}, **kwargs)
    if request.method == "POST" and request.POST.get("op") == "cancel":
        row = StandIn.objects.filter(pk=request.POST.get("id") or 0).select_related("absent__unit").first()
        if row is None or row not in _rows(person):
            raise Http404
        try:
            stand_in_actions.cancel_stand_in(stand_in=row, acting=person)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã kết thúc việc xử lý thay."))
        return redirect("stand_ins")
    if request.method == "POST":
        form = StandInForm(request.POST, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            done = attempt(form, lambda: stand_in_actions.name_stand_in(
                absent=d["absent"], stand_in=d["stand_in"], starts_on=d["starts_on"], ends_on=d["ends_on"],
                reason=d["reason"], acting=person))
            if done is not None:
                messages.success(request, _("Đã cử %(name)s xử lý thay.") % {"name": done.stand_in.rank_and_name})
                return redirect("stand_ins")
    today = timezone.localdate()
    return render(request, "workflow/stand_ins.html", {"form": form, "rows": _rows(person), "today": today})
