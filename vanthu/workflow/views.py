"""Pages of handling: the inbox, presenting to a leader, the leader's direction, forwarding and completing.

Same shape as every view: the person → the document or assignment through an access function (404 for
missing and forbidden) and the predicate of the step (404 when it does not apply) → a form → one action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.core import links
from vanthu.core.errors import ActionRefused
from vanthu.core.htmx import is_htmx
from vanthu.core.queue import after_action
from vanthu.documents.access import Need, access_document
from vanthu.documents.forms import bound_data, submit
from vanthu.documents.models import Document
from vanthu.documents.reads import read_ids
from vanthu.org.models import Person, Rank
from vanthu.org.queries import head_for, leaders_over
from vanthu.org.views import require_person
from vanthu.workflow import actions, permissions
from vanthu.workflow.forms import CompleteForm, DirectionForm, ForwardForm, PresentForm
from vanthu.workflow.models import Assignment
from vanthu.workflow.queries import KINDS, SORTS, follow_up_for, inbox_for, main_file_name, today

GET_POST = require_http_methods(["GET", "POST"])
RANK_ORDER = {value: i for i, value in enumerate(Rank.values) if value != Rank.CNVQP}


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the person, urgent first, then by deadline; tabs filter by kind of work."""
    person = require_person(request)
    sort = request.GET.get("sort", "urgency")
    if sort not in SORTS:
        sort = "urgency"
    box = inbox_for(person, sort=sort)
    kind = request.GET.get("kind", "")
    if kind and kind not in KINDS:
        kind = ""
    items = [item for item in box.items if not kind or item.kind == kind]
    tabs = [(k, label, box.counts[k]) for k, label in KINDS.items() if box.counts.get(k)]
    seen = read_ids(person, [item.document.pk for item in items])
    unread = {item.document.pk for item in items} - seen
    return render(request, "workflow/inbox.html", {"items": items, "tabs": tabs, "kind": kind, "box": box,
                                                   "today": today(), "sort": sort, "unread": unread})


@require_GET
def follow_up(request: HttpRequest) -> HttpResponse:
    """The commander's follow-up list: what he directed, by state, overdue first."""
    person = require_person(request)
    day = today()
    return render(request, "workflow/follow_up.html", {"groups": follow_up_for(person, today=day), "today": day})


def _document_for(request: HttpRequest, pk: int, need: Need) -> tuple[Person, Document]:
    person = require_person(request)
    return person, access_document(person, pk, need=need)


def _leaders(document: Document) -> list[Person]:
    """Leaders of the document's unit and the units above it: nearest unit first, then highest rank."""
    leaders = list(leaders_over(document.unit).select_related("unit").filter(clearance__gte=document.secrecy))
    return sorted(leaders, key=lambda p: (-p.unit.depth, -RANK_ORDER.get(p.rank, 0), p.full_name))


@GET_POST
def document_present(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk presents the registered document to a leader for direction (trình)."""
    person, document = _document_for(request, pk, Need.PRESENT)
    form = PresentForm(bound_data(request), leaders=_leaders(document), head=head_for(document.unit))
    done = submit(request, form, lambda d: actions.present(document=document, acting=person, to=d["to"],
                                                           note=d["note"]),
                  lambda a: _("Đã trình %(name)s.") % {"name": a.person.full_name if a.person else ""})
    if done is not None:
        return after_action(request, pk=document.pk)
    return render(request, "workflow/present.html", {"document": document, "form": form})


@require_POST
def arrivals_bulk_present(request: HttpRequest) -> HttpResponse:
    """Present the selected registered documents to one leader (all or nothing)."""
    person = require_person(request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    to_id = request.POST.get("to", "")
    to = Person.objects.filter(pk=int(to_id), is_active=True).first() if to_id.isdigit() else None
    if to is None:
        messages.error(request, _("Hãy chọn chỉ huy để trình."))
        return redirect("arrivals")
    try:
        done = actions.present_many(document_ids=ids, acting=person, to=to, note=request.POST.get("note", "")[:1000])
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã trình %(name)s %(n)s văn bản.") % {"name": to.full_name, "n": len(done)})
    return redirect("arrivals")


def _direction_initial(data: QueryDict) -> dict[str, Any]:
    own = {key: data.get(key, "") for key in data if key.startswith("due-")}  # each receiver's own deadline
    return {"text": data.get("text", ""), "lead": data.get("lead", ""), "cooperate": data.getlist("cooperate"),
            "info": data.getlist("info"), "deadline": data.get("deadline", ""), **own}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@GET_POST
def document_direct(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's direction: lead, co-operating and for-information units or people, and a deadline."""
    person, document = _document_for(request, pk, Need.DIRECT)
    data = request.POST if request.method == "POST" else request.GET
    people_unit = _int(data.get("people_unit"))
    if request.method == "GET" and is_htmx(request) and "people_unit" in request.GET:
        # The people picker changed: redraw the target matrix, keeping what was chosen so far.
        form = DirectionForm(initial=_direction_initial(request.GET), person=person, document=document,
                             people_unit=people_unit)
        return render(request, "workflow/direct.html#targets", {"document": document, "form": form})
    if request.method == "POST" and "show_people" in request.POST:
        form = DirectionForm(initial=_direction_initial(request.POST), person=person, document=document,
                             people_unit=people_unit)
    elif request.method == "POST":
        form = DirectionForm(request.POST, person=person, document=document, people_unit=people_unit)
        done = submit(request, form, lambda _d: actions.direct(document=document, acting=person, **form.direction()),
                      _("Đã cho ý kiến chỉ đạo."))
        if done is not None:
            return after_action(request, pk=document.pk)
    else:
        form = DirectionForm(person=person, document=document, people_unit=people_unit)
    # the PDF's link signed for this person and session as on the document page (decision 0035); None: checked path
    file_links = links.minter(request, via=links.PAGE, person_id=person.pk, document_id=document.pk,
                              secrecy=document.secrecy)
    main_name = main_file_name(document) if file_links is not None and document.current_file_id else ""
    return render(request, "workflow/direct.html", {"document": document, "form": form, "file_links": file_links,
                                                    "main_name": main_name})


def _assignment_for(request: HttpRequest, pk: int, predicate: Any) -> tuple[Person, Assignment]:
    person = require_person(request)
    assignment = permissions.access_assignment(person, pk)
    if not predicate(person, assignment):
        raise Http404
    return person, assignment


@GET_POST
def assignment_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's leader or clerk passes the unit's assignment to one of its people."""
    person, assignment = _assignment_for(request, pk, permissions.can_forward)
    unit, document = assignment.unit, assignment.document
    assert unit is not None
    assert document is not None
    people = Person.objects.filter(unit__path__startswith=unit.path, is_active=True,
                                   clearance__gte=document.secrecy).select_related("unit")
    form = ForwardForm(bound_data(request), people=people.order_by("unit__path", "full_name"))
    done = submit(request, form, lambda d: actions.forward(assignment=assignment, acting=person, to=d["to"],
                                                           note=d["note"], deadline=d["deadline"]),
                  lambda a: _("Đã chuyển %(name)s xử lý.") % {"name": a.person.full_name if a.person else ""})
    if done is not None:
        return after_action(request, pk=assignment.document_id or 0)
    return render(request, "workflow/assignment_form.html", {
        "assignment": assignment, "document": assignment.document, "form": form,
        "title": _("Chuyển cán bộ xử lý"), "submit": _("Chuyển xử lý"),
    })


@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    person, assignment = _assignment_for(request, pk, permissions.can_handle)
    try:
        actions.start(assignment=assignment, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã bắt đầu xử lý."))
    return redirect("document_detail", pk=assignment.document_id)


@GET_POST
def assignment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    person, assignment = _assignment_for(request, pk, permissions.can_handle)
    form = CompleteForm(bound_data(request))
    done = submit(request, form, lambda d: actions.complete(assignment=assignment, acting=person,
                                                            result=d["result"]),
                  _("Đã báo cáo hoàn thành xử lý."))
    if done is not None:
        return redirect("document_detail", pk=assignment.document_id)
    return render(request, "workflow/assignment_form.html", {
        "assignment": assignment, "document": assignment.document, "form": form,
        "title": _("Báo cáo kết quả xử lý"), "submit": _("Hoàn thành"),
    })
