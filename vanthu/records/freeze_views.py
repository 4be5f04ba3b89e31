"""The page where a unit head or a security officer freezes a chosen set of work records and lifts freezes
(decision 0027): the records they may freeze, narrowed by year and words, each with a box; one reason for the
lot. The actions check the rights again."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person
from vanthu.org.views import require_person
from vanthu.records import freeze_actions
from vanthu.records.freezes import freezable_records, live, may_freeze_any

SHOWN = 200


@require_http_methods(["GET", "POST"])
def freeze_page(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    if not may_freeze_any(person):
        raise Http404
    rows = freezable_records(person).select_related("unit")
    if request.method == "POST":
        _post(request, person)
        return redirect(request.get_full_path())
    year = request.GET.get("year", "").strip()
    words = request.GET.get("q", "").strip()[:100]
    if year.isdigit():
        rows = rows.filter(year=int(year))
    if words:
        rows = rows.filter(Q(code__icontains=words) | Q(title__icontains=words))
    records = list(rows.order_by("-year", "unit__path", "code", "pk")[:SHOWN])
    frozen = {f.record_id: f for f in live().filter(record__in=[r.pk for r in records]).select_related("frozen_by")}
    return render(request, "records/freezes.html", {
        "rows": [{"record": r, "freeze": frozen.get(r.pk)} for r in records], "year": year, "q": words,
        "shown": SHOWN, "may_freeze": True,
    })


def _post(request: HttpRequest, person: Person) -> None:
    ids = [int(i) for i in request.POST.getlist("records") if i.isdigit()]
    chosen = list(freezable_records(person).filter(pk__in=ids))
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("do") == "unfreeze":
            count = freeze_actions.unfreeze_records(records=chosen, reason=reason, acting=person)
            messages.success(request, _("Đã gỡ phong tỏa %(n)d hồ sơ.") % {"n": count})
        else:
            made = freeze_actions.freeze_records(records=chosen, reason=reason, acting=person)
            messages.success(request, _("Đã phong tỏa %(n)d hồ sơ.") % {"n": len(made)})
    except ActionRefused as exc:
        messages.error(request, exc.message)
