"""Predicates for handling incoming documents (used by actions, views and templates alike)."""

from __future__ import annotations

from django.http import Http404

from vanthu.documents.access import Need, can_see, is_clerk_for, register_predicate
from vanthu.documents.models import Document, Status
from vanthu.org.models import Person
from vanthu.org.queries import scope_of
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentRole, AssignmentState

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
    return Assignment.objects.filter(
        document=document, role=AssignmentRole.PRESENT, person=person, state__in=OPEN_STATES
    ).exists()


def register_needs() -> None:
    """Give documents' access registry the predicates of the needs workflow owns (called by the app's ready)."""
    register_predicate(Need.PRESENT, can_present)
    register_predicate(Need.DIRECT, can_direct)


CLOSED_DOCUMENT = (Status.CANCELLED, Status.RETURNED)


def can_forward(person: Person, assignment: Assignment) -> bool:
    if assignment.document.status in CLOSED_DOCUMENT:
        return False
    if assignment.unit_id is None or not assignment.is_open or assignment.role == AssignmentRole.PRESENT:
        return False
    scope = scope_of(person)
    return assignment.unit_id in scope.leader_unit_ids or assignment.unit_id in scope.clerk_unit_ids


def can_handle(person: Person, assignment: Assignment) -> bool:
    """The assignee person, or for a unit assignment the unit's leader (who may also handle it directly)."""
    if assignment.role == AssignmentRole.PRESENT or assignment.document.status in CLOSED_DOCUMENT:
        return False
    if assignment.person_id is not None:
        return assignment.person_id == person.pk
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
    if assignment is None or not can_see(person, assignment.document):
        raise Http404
    if not (can_handle(person, assignment) or can_forward(person, assignment)
            or assignment.person_id == person.pk):
        raise Http404
    return assignment


def is_overdue(assignment: Assignment, *, today: object) -> bool:
    return assignment.state != AssignmentState.DONE and assignment.deadline is not None and (
        assignment.deadline < today  # type: ignore[operator]
    )
