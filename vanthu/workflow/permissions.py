"""Predicates for handling incoming documents (used by actions, views and templates alike)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from vanthu.documents.access import Need, can_see, is_clerk_for, register_predicate
from vanthu.documents.models import Document, Status
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of, standing_for, stood_for_ids
from vanthu.workflow.models import HANDLER_STATES, OPEN_STATES, Assignment, AssignmentRole, AssignmentState

PRESENTABLE = (Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS)
DIRECTABLE = (Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS)


def can_present(person: Person, document: Document) -> bool:
    return document.is_incoming and document.status in PRESENTABLE and is_clerk_for(person, document)


def can_direct(person: Person, document: Document) -> bool:
    """A leader who was presented the document, or who leads the document's unit."""
    if not document.is_incoming or document.status not in DIRECTABLE:
        return False
    if scope_of(person).leads(document.unit):
        return True
    presented_to = Q(person=person) | Q(person_id__in=stood_for_ids(person.pk))  # or to whom they stand in for
    return Assignment.objects.filter(
        presented_to, document=document, role=AssignmentRole.PRESENT, state__in=OPEN_STATES
    ).exists()


def is_assignee(person: Person, task: Assignment) -> bool:
    """The person a task was given to, or their stand-in while the stand-in is in force (issue 12)."""
    if task.person_id is None:
        return False
    return task.person_id == person.pk or task.person_id in standing_for(person)


def acting_for(acting: object, task: Assignment) -> dict[str, object]:
    """What the audit adds when a stand-in acts on someone's task: both names (the actor is the stand-in)."""
    if not isinstance(acting, Person) or task.person_id is None or task.person_id == acting.pk:
        return {}
    if task.person_id not in standing_for(acting):
        return {}
    absent = task.person
    return {"on_behalf_of": task.person_id, "on_behalf_of_name": str(absent.rank_and_name if absent else "")}


def presented_acting_for(acting: Person, document: Document) -> dict[str, object]:
    """Both names when a stand-in directs a document presented to the person they stand in for."""
    if scope_of(acting).leads(document.unit):
        return {}
    if Assignment.objects.filter(document=document, role=AssignmentRole.PRESENT, person=acting).exists():
        return {}
    presented = Assignment.objects.filter(document=document, role=AssignmentRole.PRESENT,
                                          person_id__in=stood_for_ids(acting.pk)).select_related("person").first()
    if presented is None or presented.person is None:
        return {}
    return {"on_behalf_of": presented.person_id, "on_behalf_of_name": presented.person.rank_and_name}


def register_needs() -> None:
    """Give documents' access registry the predicates of the needs workflow owns (called by the app's ready)."""
    register_predicate(Need.PRESENT, can_present)
    register_predicate(Need.DIRECT, can_direct)


CLOSED_DOCUMENT = (Status.CANCELLED, Status.RETURNED)


def can_forward(person: Person, assignment: Assignment) -> bool:
    if is_closed(assignment):
        return False
    if assignment.unit_id is None or not assignment.is_open or assignment.role == AssignmentRole.PRESENT:
        return False
    scope = scope_of(person)
    return assignment.unit_id in scope.leader_unit_ids or assignment.unit_id in scope.clerk_unit_ids


def can_handle(person: Person, assignment: Assignment) -> bool:
    """The assignee person, or for a unit assignment the unit's leader (who may also handle it directly)."""
    if assignment.role == AssignmentRole.PRESENT or is_closed(assignment):
        return False
    if assignment.person_id is not None:
        return is_assignee(person, assignment)
    return assignment.unit_id in scope_of(person).leader_unit_ids


def access_assignment(person: Person | None, pk: int | str) -> Assignment:
    if person is None:
        raise Http404
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    assignment = (
        Assignment.objects.select_related("document__unit", "document__doc_type", "person", "unit", "parent")
        .filter(pk=key)
        .first()
    )
    if assignment is None or assignment.document is None or not can_see(person, assignment.document):
        raise Http404
    if not (can_handle(person, assignment) or can_forward(person, assignment)
            or is_assignee(person, assignment)):
        raise Http404
    return assignment


def is_overdue(assignment: Assignment, *, today: object) -> bool:
    return assignment.state in OPEN_STATES and assignment.deadline is not None and (
        assignment.deadline < today  # type: ignore[operator]
    )


# --- Tasks (decision 0015) ---------------------------------------------------------------------------------------


def _task_unit(task: Assignment) -> Unit:
    return task.unit if task.unit is not None else task.person.unit  # type: ignore[union-attr]


def can_see_task(person: Person, task: Assignment) -> bool:
    """The assignee, whoever gave it, leaders over the assignee's unit, the unit's clerk, leaders of the unit that
    issued its directive; and for a document's task only someone who may see the document."""
    if task.document is not None and not can_see(person, task.document):
        return False
    if task.created_by_id == person.pk or is_assignee(person, task):
        return True
    scope = scope_of(person)
    if scope.leads(_task_unit(task)) or (task.unit_id is not None and task.unit_id in scope.clerk_unit_ids):
        return True
    return task.directive is not None and scope.leads(task.directive.unit)


def is_closed(task: Assignment) -> bool:
    return task.document is not None and task.document.status in CLOSED_DOCUMENT


def can_delegate(person: Person, task: Assignment) -> bool:
    """A unit's leader (or clerk) passes the unit's task down; a leader passes down a task given to him."""
    if is_closed(task) or task.state not in HANDLER_STATES or task.role in (AssignmentRole.PRESENT,
                                                                             AssignmentRole.INFO):
        return False
    scope = scope_of(person)
    if task.unit_id is not None:
        return task.unit_id in scope.leader_unit_ids or task.unit_id in scope.clerk_unit_ids
    return is_assignee(person, task) and bool(scope.leader_paths)


def can_work_on(person: Person, task: Assignment) -> bool:
    """Report progress, ask for more time, return or complete: the assignee, or a unit's leader for its task."""
    return task.state in HANDLER_STATES and task.role != AssignmentRole.INFO and can_handle(person, task)


def can_accept(person: Person, task: Assignment) -> bool:
    return (task.state == AssignmentState.AWAITING and task.unit_id is not None
            and task.unit_id in scope_of(person).leader_unit_ids)


def can_decide(person: Person, task: Assignment) -> bool:
    """The assigner decides on extensions: whoever gave the task, or a leader of the unit whose task it came from,
    or for a root task a leader over the directive's or document's unit."""
    if task.created_by_id == person.pk:
        return True
    scope = scope_of(person)
    if task.parent is not None:
        return scope.leads(_task_unit(task.parent))
    if task.directive is not None:
        return scope.leads(task.directive.unit)
    return task.document is not None and scope.leads(task.document.unit)


def access_task(person: Person | None, pk: int | str) -> Assignment:
    """The task, if `person` may see it; 404 for missing and forbidden alike."""
    if person is None:
        raise Http404
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    task = (
        Assignment.objects.select_related("document__unit", "document__doc_type", "person__unit", "unit",
                                          "parent__unit", "parent__person__unit", "directive__unit", "created_by")
        .filter(pk=key).exclude(role=AssignmentRole.PRESENT).first()
    )
    if task is None or not can_see_task(person, task):
        raise Http404
    return task
