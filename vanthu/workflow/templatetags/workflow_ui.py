"""The handling panel of an incoming document's page: presentations, directions, assignments, their buttons.

A template tag rather than view code so that the document page (in `documents`) shows workflow without
`documents` importing `workflow` (dependencies run one way). Two queries, whatever the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.template.context import Context

from vanthu.documents import access
from vanthu.documents.access import Need
from vanthu.documents.models import Document
from vanthu.org.models import Person
from vanthu.workflow import permissions
from vanthu.workflow.models import HANDLER_STATES, Assignment, AssignmentRole, AssignmentState, Instruction
from vanthu.workflow.queries import today

register = template.Library()


@dataclass
class AssignmentView:
    assignment: Assignment
    overdue: bool
    can_handle: bool
    can_forward: bool
    can_seen: bool = False
    can_accept: bool = False
    forwards: list[AssignmentView] = field(default_factory=list)


@dataclass
class InstructionView:
    instruction: Instruction
    lead: list[AssignmentView]
    cooperate: list[AssignmentView]
    info: list[AssignmentView]


def _views(person: Person, assignments: list[Assignment]) -> dict[int, AssignmentView]:
    day = today()
    views = {
        a.pk: AssignmentView(
            assignment=a,
            overdue=permissions.is_overdue(a, today=day),
            can_handle=a.state in HANDLER_STATES and permissions.can_handle(person, a),
            can_forward=permissions.can_forward(person, a),
            can_seen=a.state == AssignmentState.INFO and a.seen_at is None and permissions.can_handle(person, a),
            can_accept=permissions.can_accept(person, a),
        )
        for a in assignments
    }
    for a in assignments:
        if a.parent_id is not None and a.parent_id in views:
            views[a.parent_id].forwards.append(views[a.pk])
    return views


@register.inclusion_tag("workflow/_handling.html", takes_context=True)
def handling_panel(context: Context, document: Document) -> dict[str, Any]:
    person: Person | None = context.get("person")
    if person is None or not document.is_incoming:
        return {"show": False}
    assignments = list(
        Assignment.objects.filter(document=document)
        .select_related("person", "person__unit", "unit", "created_by")
        .order_by("created_at", "pk")
    )
    instructions = list(Instruction.objects.filter(document=document).select_related("author").order_by("created_at"))
    views = _views(person, assignments)
    directions = []
    for instruction in instructions:
        top = [views[a.pk] for a in assignments if a.instruction_id == instruction.pk and a.parent_id is None]
        directions.append(InstructionView(
            instruction=instruction,
            lead=[v for v in top if v.assignment.role == AssignmentRole.LEAD],
            cooperate=[v for v in top if v.assignment.role == AssignmentRole.COOPERATE],
            info=[v for v in top if v.assignment.role == AssignmentRole.INFO],
        ))
    presented = [views[a.pk] for a in assignments if a.role == AssignmentRole.PRESENT]
    mine = [v for v in views.values() if v.can_handle or v.can_forward or v.can_seen or v.can_accept]
    return {
        "show": True,
        "document": document,
        "presented": presented,
        "directions": directions,
        "mine": mine,
        "can_present": access.allows(person, document, Need.PRESENT),  # the registry the views ask too
        "can_direct": access.allows(person, document, Need.DIRECT),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def task_event(verb: str) -> str:
    """A task's audit verb as a sentence (the task page's history)."""
    from vanthu.workflow.task_queries import history_label

    return history_label(verb)


@register.filter
def event_actor(event: Any) -> str:
    """Who acted on a task; a stand-in's act names the person they acted for too (issue 12)."""
    from vanthu.documents.queries import actor_with_absent

    return actor_with_absent(event)
