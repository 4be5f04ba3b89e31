"""The page of a record's time to the archive and of keeping it back (Decree 30 Điều 30, checklist point 40):
its kind, legal due date and current due date; the unit's keepers ask to keep it (months, reason); the head of
the agency approves or refuses the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vanthu.org.models import Person
from vanthu.org.views import require_person
from vanthu.records import hold_actions, periods
from vanthu.records.access import access_record
from vanthu.records.forms import HoldDecisionForm, HoldRequestForm
from vanthu.records.hold_models import HoldState, RecordHold
from vanthu.records.models import Record
from vanthu.records.queries import due_for_transfer_q
from vanthu.records.views import _act, form_errors


@require_http_methods(["GET", "POST"])
def record_hold(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    record = access_record(person, pk)
    holds = list(record.holds.select_related("requested_by", "decided_by"))
    pending = next((h for h in holds if h.state == HoldState.REQUESTED), None)
    live = pending or next((h for h in holds if h.state == HoldState.APPROVED), None)
    due = Record.objects.filter(due_for_transfer_q(), pk=record.pk).exists()
    may_request = due and live is None and hold_actions.can_request_hold(person, record)
    may_decide = pending is not None and hold_actions.can_decide_hold(person, record)
    request_form = HoldRequestForm(request.POST if "request" in request.POST else None)
    decision_form = HoldDecisionForm(request.POST if "decide" in request.POST else None)
    if request.method == "POST" and _post(request, person, record, request_form, decision_form, pending):
        return redirect("records:hold", pk=record.pk)
    fresh = Record.objects.select_related("entry").prefetch_related("holds").get(pk=record.pk)
    due_date = periods.due_date(fresh)
    return render(request, "records/hold.html", {
        "record": fresh, "holds": holds, "legal_due": periods.legal_due_date(fresh), "due_date": due_date,
        "late": due and due_date < timezone.localdate(), "due": due,
        "may_request": may_request, "may_decide": may_decide, "pending": pending,
        "request_form": request_form, "decision_form": decision_form,
    })


def _post(request: HttpRequest, person: Person, record: Record, request_form: HoldRequestForm,
          decision_form: HoldDecisionForm, pending: RecordHold | None) -> bool:
    """Validate the form that was sent and call its action; True when it was done."""
    if "request" in request.POST:
        if not request_form.is_valid():
            form_errors(request, request_form)
            return False
        data = request_form.cleaned_data
        return _act(request, lambda: hold_actions.request_hold(record=record, months=data["months"],
                                                               reason=data["reason"], acting=person),
                    _("Đã gửi đề nghị giữ lại hồ sơ; chờ người đứng đầu cơ quan duyệt."))
    if pending is None or not decision_form.is_valid():
        form_errors(request, decision_form)
        return False
    data = decision_form.cleaned_data
    return _act(request, lambda: hold_actions.decide_hold(hold=pending, approve=data["approve"], note=data["note"],
                                                          acting=person), _("Đã ghi quyết định."))
