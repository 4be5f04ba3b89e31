"""Pages of tasks and directives: my work, the task page (history, children, every action on it), a unit's board,
directives and a directive's roll-up with its chart. Same shape as every view: person → access function (404) →
form → one action."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.core.blobs import open_file
from vanthu.core.errors import ActionRefused
from vanthu.documents.access import documents_visible_to
from vanthu.documents.forms import attempt, bound_data
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person
from vanthu.workflow import directive_actions, permissions, task_actions, task_queries, task_reads, tree, unit_settings
from vanthu.workflow.charts import rollup_svg
from vanthu.workflow.models import Directive, ExtensionRequest, ExtensionState, Recurrence, TaskNote
from vanthu.workflow.task_forms import (
    CompleteTaskForm,
    DelegateForm,
    DirectiveForm,
    ExtensionForm,
    ProgressForm,
    ReasonForm,
    UnitHandlingForm,
)

GET_POST = require_http_methods(["GET", "POST"])
FORMS = {"progress": ProgressForm, "complete": CompleteTaskForm, "return": ReasonForm, "extend": ExtensionForm,
         "send_back": ReasonForm}


@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    page = task_queries.my_work(person, cursor=request.GET.get("after"))
    return render(request, "workflow/my_work.html", {
        "page": page, "extensions": task_queries.extensions_to_decide(person),
        "boards": Unit.objects.filter(pk__in=scope_of(person).leader_unit_ids).order_by("path"),
    })


def _delegate_form(task: Any, data: Any) -> DelegateForm:
    unit = task.unit or task.person.unit
    people = Person.objects.filter(unit__path__startswith=unit.path, is_active=True).select_related("unit")
    if task.document is not None:
        people = people.filter(clearance__gte=task.document.secrecy)
    units = Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(pk=unit.pk)
    return DelegateForm(data, people=people.order_by("unit__path", "full_name"), units=units.order_by("path"))


@GET_POST
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The task with its chain above, its children, notes and history; each form posts back here (`op`)."""
    person = require_person(request)
    task = permissions.access_task(person, pk)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {name: cls() for name, cls in FORMS.items()}
    replies = _replies_of(person, task.document)
    forms["complete"] = CompleteTaskForm(replies=replies)
    forms["delegate"] = _delegate_form(task, None)
    if op in FORMS or op == "delegate":
        form = (_delegate_form(task, request.POST) if op == "delegate"
                else CompleteTaskForm(request.POST, request.FILES, replies=replies) if op == "complete"
                else FORMS[op](request.POST, request.FILES))
        forms[op] = form
        if form.is_valid():
            d = form.cleaned_data
            calls = {
                "progress": lambda: task_actions.report_progress(task=task, acting=person, text=d["text"],
                                                                 percent=d["percent"], file=d["file"]),
                "complete": lambda: task_actions.complete(task=task, acting=person, result=d["result"],
                                                          reply=d.get("reply"), files=d["result_files"]),
                "return": lambda: task_actions.return_task(task=task, acting=person, reason=d["reason"]),
                "extend": lambda: task_actions.request_extension(task=task, acting=person, deadline=d["deadline"],
                                                                 reason=d["reason"]),
                "send_back": lambda: task_actions.send_back(task=task, acting=person, reason=d["reason"]),
                "delegate": lambda: task_actions.delegate(
                    task=task, acting=person, handovers=cast(DelegateForm, form).handovers(), note=d["note"]),
            }
            if attempt(form, calls[op]) is not None:
                messages.success(request, _("Đã ghi nhận."))
                return redirect("task_detail", pk=task.pk)
    return render(request, "workflow/task.html", {
        "task": task, "forms": forms, "children": task_queries.children(task),
        "chain": task_queries.ancestors(task), "notes": task_queries.notes(task),
        "result_files": list(task.result_files.order_by("pk")),
        "history": task_queries.history(task), "extensions": list(task.extensions.select_related("requested_by")),
        "can_work": permissions.can_work_on(person, task), "can_delegate": permissions.can_delegate(person, task),
        "can_accept": permissions.can_accept(person, task), "can_decide": permissions.can_decide(person, task),
        "can_seen": task.state == "info" and task.seen_at is None and permissions.can_handle(person, task),
    })


def _replies_of(person: Person, document: Document | None) -> Any:
    """The outgoing documents answering the task's document that the person sees (None: no choice to offer)."""
    if document is None or not document.is_incoming:
        return None
    return documents_visible_to(person).filter(answers=document).order_by("-pk")


@require_GET
def task_result_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file of the task's result, for whoever may see the task (404 otherwise); always downloaded."""
    person = require_person(request)
    task = permissions.access_task(person, pk)
    row = task.result_files.filter(pk=file_pk).select_related("file").first()
    if row is None:
        raise Http404
    task_reads.record_download(request, person, task, {"file": row.name})
    response = FileResponse(open_file(row.file_id), as_attachment=True, filename=row.name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def task_note_file(request: HttpRequest, pk: int, note_pk: int) -> FileResponse:
    """A progress report's file, for whoever may see the task (404 otherwise); always downloaded, never shown."""
    person = require_person(request)
    task = permissions.access_task(person, pk)
    note = task_queries.note_file(task, note_pk)
    task_reads.record_download(request, person, task, {"note": note.pk, "file": note.file_name})
    return note_file_response(note)



def note_file_response(note: TaskNote) -> FileResponse:
    response = FileResponse(note.file.open("rb"), as_attachment=True, filename=note.file_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _refusal_message(request: HttpRequest, call: Any, ok: str) -> None:
    try:
        call()
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)


@require_POST
def task_accept(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    task = permissions.access_task(person, pk)
    _refusal_message(request, lambda: task_actions.accept(task=task, acting=person), _("Đã duyệt kết quả."))
    return redirect("task_detail", pk=task.pk)


@require_POST
def task_seen(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    task = permissions.access_task(person, pk)
    _refusal_message(request, lambda: task_actions.mark_seen(task=task, acting=person), _("Đã xem."))
    return redirect("task_detail", pk=task.pk)


@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    ext = ExtensionRequest.objects.filter(pk=pk, state=ExtensionState.PENDING).select_related("task").first()
    if ext is None:
        raise Http404
    permissions.access_task(person, ext.task_id)
    approve = request.POST.get("approve") == "1"
    _refusal_message(request, lambda: task_actions.decide_extension(request=ext, acting=person, approve=approve),
                     _("Đã đồng ý gia hạn.") if approve else _("Đã không đồng ý gia hạn."))
    return redirect("task_detail", pk=ext.task_id)


def _led_unit(person: Person, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not scope_of(person).leads(unit):
        raise Http404
    return unit


@require_GET
def unit_board(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    unit = _led_unit(person, pk)
    return render(request, "workflow/board.html", {
        "unit": unit, "page": task_queries.unit_board(unit, cursor=request.GET.get("after")),
        "tally": task_queries.unit_tally(unit),
        "handling": UnitHandlingForm(initial={"leader_accepts": tree.leader_accepts(unit.pk)}),
    })


@GET_POST
def unit_handling(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's handling settings (its leader accepts results or not): for its leaders and administrators."""
    person = require_person(request)
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not unit_settings.can_set_handling(person, unit):
        raise Http404
    form = UnitHandlingForm(bound_data(request), initial={"leader_accepts": tree.leader_accepts(unit.pk)})
    if request.method == "POST" and form.is_valid():
        done = attempt(form, lambda: unit_settings.set_handling(unit=unit, acting=person,
                                                                leader_accepts=form.cleaned_data["leader_accepts"]))
        if done is not None:
            messages.success(request, _("Đã lưu cách xử lý việc của đơn vị."))
            if scope_of(person).leads(unit):
                return redirect("unit_board", pk=unit.pk)
            return redirect("unit_handling", pk=unit.pk)
    return render(request, "workflow/unit_handling.html", {"unit": unit, "form": form})


@require_GET
def directive_list(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    return render(request, "workflow/directives.html", {"directives": task_queries.directives_of(person)})


def _source_asked(request: HttpRequest, person: Person) -> Document | None:
    """`?source=<id>`: the document a directive starts from (ignored when the person may not see it)."""
    pk = request.GET.get("source", "")
    return documents_visible_to(person).filter(pk=int(pk)).first() if pk.isdigit() else None


@GET_POST
def directive_new(request: HttpRequest) -> HttpResponse:
    """Issue a directive from one of the units the leader leads (the first by default), optionally from a source
    document he may see."""
    person = require_person(request)
    scope = scope_of(person)
    led = sorted(Unit.objects.filter(pk__in=scope.leader_unit_ids, is_active=True), key=lambda u: u.path)
    if not led:
        raise Http404
    tops = [u.pk for u in led if not any(v.pk != u.pk and u.path.startswith(v.path) for v in led)]
    units = Unit.objects.filter(scope.leader_q(prefix="path"), is_active=True).exclude(pk__in=tops).order_by("path")
    form = DirectiveForm(bound_data(request), issuers=led, units=units, sources=documents_visible_to(person),
                         source=_source_asked(request, person))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = attempt(form, lambda: directive_actions.issue(
            acting=person, unit=form.issuing_unit(), title=d["title"], text=d["content"], units=list(d["units"]),
            deadline=d["deadline"], source_note=d["source_note"], source_document=form.source(),
            recurrence=Recurrence.WEEKLY if d["weekly"] else Recurrence.NONE, weekday=4 if d["weekly"] else None))
        if made is not None:
            messages.success(request, _("Đã ban hành chỉ đạo."))
            return redirect("directive_rollup", pk=made.pk)
    return render(request, "workflow/directive_form.html", {"form": form})


@require_GET
def directive_rollup(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    directive = Directive.objects.filter(pk=pk).select_related("unit", "author", "source_document").first()
    if directive is None or not (scope_of(person).leads(directive.unit) or directive.author_id == person.pk):
        raise Http404
    rows, tally = task_queries.directive_rollup(directive)
    return render(request, "workflow/rollup.html", {"directive": directive, "rows": rows, "tally": tally,
                                                    "chart": rollup_svg(tally)})
