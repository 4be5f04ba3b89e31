"""Reads of the task tree: my work, a unit's board, a directive's roll-up, a task's children and history.

Designed for a million tasks (decision 0015): every list is keyset-paged on a partial index over open work
(`task_person_due`, `task_unit_due`), ordered by deadline (overdue first, since overdue means an earlier deadline),
then urgency, then id; counts are capped; a roll-up reads one row per unit, never the whole tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.workflow.models import (
    HANDLER_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Directive,
    ExtensionRequest,
    ExtensionState,
    TaskNote,
)

PAGE = 50
COUNT_CAP = 999
RELATED = ("document__doc_type", "directive", "unit", "person__unit")
# A person's own tasks: the person is the one asking (set on each row after the read, not joined per row).
OWN_RELATED = ("document__doc_type", "directive")


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: (deadline or None, urgency, id) of its last row."""

    deadline: dt.date | None
    urgency: int
    pk: int

    def encode(self) -> str:
        return f"{self.deadline.isoformat() if self.deadline else '-'}.{self.urgency}.{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        try:
            day, urgency, pk = (raw or "").split(".")
            return cls(None if day == "-" else dt.date.fromisoformat(day), int(urgency), int(pk))
        except ValueError:
            return None


def _after(cursor: Cursor | None) -> Q:
    if cursor is None:
        return Q()
    tie = Q(urgency__lt=cursor.urgency) | Q(urgency=cursor.urgency, pk__gt=cursor.pk)
    if cursor.deadline is None:
        return Q(deadline__isnull=True) & tie
    return (Q(deadline__gt=cursor.deadline) | (Q(deadline=cursor.deadline) & tie)
            | Q(deadline__isnull=True))


def _ordered(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return qs.order_by(F("deadline").asc(nulls_last=True), "-urgency", "pk")


@dataclass
class Page:
    rows: list[Assignment]
    next: str | None
    today: dt.date = field(default_factory=timezone.localdate)


def _sort_key(t: Assignment) -> tuple[int, dt.date, int, int]:
    return (t.deadline is None, t.deadline or dt.date.max, -t.urgency, t.pk)


def _page(parts: list[QuerySet[Assignment]], cursor: Cursor | None, size: int) -> Page:
    """Each part read on its own index in page order (LIMIT size+1), merged: an OR of the parts would make the
    database read and sort every matching row. The merge is made on the narrow keys (deadline, urgency, id);
    only the rows that make the page are then read with what their part joins (`select_related`), so that a
    page costs the same whether the parts hold 50 rows or thousands."""
    keys: list[tuple[tuple[bool, dt.date, int, int], int]] = []
    for index, qs in enumerate(parts):
        for pk, deadline, urgency in (_ordered(qs.filter(_after(cursor)))
                                      .values_list("pk", "deadline", "urgency")[: size + 1]):
            keys.append(((deadline is None, deadline or dt.date.max, -urgency, pk), index))
    keys.sort()
    more = len(keys) > size
    chosen: dict[int, list[int]] = {}
    for key, index in keys[:size]:
        chosen.setdefault(index, []).append(key[3])
    rows: list[Assignment] = []
    for index, ids in chosen.items():
        rows += list(parts[index].filter(pk__in=ids))
    rows.sort(key=_sort_key)
    last = rows[-1] if rows and more else None
    return Page(rows=rows, next=Cursor(last.deadline, last.urgency, last.pk).encode() if last else None)


def _clearance(person: Person) -> Q:
    return Q(document__isnull=True) | Q(document__secrecy__lte=scope_of(person).clearance)


def my_work(person: Person, *, cursor: str | None = None, size: int = PAGE) -> Page:
    """The person's own open tasks, and the tasks of the units he leads that wait for him (to pass down, or to
    accept a result): by deadline (overdue first), then urgency."""
    scope = scope_of(person)
    visible = Assignment.objects.filter(_clearance(person)).exclude(role=AssignmentRole.PRESENT)
    parts = [visible.filter(person_id=person.pk, state__in=HANDLER_STATES).select_related(*OWN_RELATED)]
    for unit_id in sorted(scope.leader_unit_ids):
        parts.append(visible.filter(unit_id=unit_id, state__in=(AssignmentState.OPEN, AssignmentState.AWAITING))
                     .select_related(*RELATED))
    page = _page(parts, Cursor.decode(cursor), size)
    for row in page.rows:
        if row.person_id == person.pk:
            row.person = person  # the reader: one object for all his rows instead of a join and a copy per row
    return page


def extensions_to_decide(person: Person) -> list[ExtensionRequest]:
    """Pending extension requests on tasks this person gave."""
    return list(ExtensionRequest.objects.filter(state=ExtensionState.PENDING, task__created_by=person)
                .select_related("task", "requested_by").order_by("created_at")[:PAGE])


def unit_board(unit: Unit, *, cursor: str | None = None, size: int = PAGE) -> Page:
    """A unit's open work for its leader: tasks given to the unit and to its own people."""
    open_work = Assignment.objects.filter(state__in=(*HANDLER_STATES, AssignmentState.AWAITING))
    return _page([open_work.filter(unit=unit).select_related(*RELATED),
                  open_work.filter(person__unit=unit).select_related(*RELATED)], Cursor.decode(cursor), size)


@dataclass(frozen=True)
class Tally:
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    in_time: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.overdue + self.in_time


@dataclass(frozen=True)
class RollupRow:
    task: Assignment
    bucket: str  # done_on_time | done_late | overdue | in_time


def bucket(task: Assignment, today: dt.date) -> str:
    if task.state == AssignmentState.DONE:
        late = task.deadline is not None and task.done_at is not None and (
            timezone.localtime(task.done_at).date() > task.deadline)
        return "done_late" if late else "done_on_time"
    if task.deadline is not None and task.deadline < today:
        return "overdue"
    return "in_time"


def directive_rollup(directive: Directive) -> tuple[list[RollupRow], Tally]:
    """One row per unit given the directive (its root task), with its bucket; and the tally."""
    today = timezone.localdate()
    rows = [RollupRow(t, bucket(t, today)) for t in
            Assignment.objects.filter(directive=directive, parent__isnull=True)
            .exclude(state=AssignmentState.CANCELLED).select_related("unit", "person__unit")
            .order_by("unit__path", "pk")]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.bucket] = counts.get(row.bucket, 0) + 1
    return rows, Tally(**counts)


def unit_tally(unit: Unit, *, since: dt.date | None = None) -> Tally:
    """Per unit: its top-level tasks from directives (optionally since a day), bucketed in the database."""
    today = timezone.localdate()
    qs = Assignment.objects.filter(unit=unit, parent__isnull=True, directive__isnull=False)
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    done = Q(state=AssignmentState.DONE)
    late = done & Q(deadline__isnull=False) & Q(done_at__date__gt=F("deadline"))
    agg = qs.aggregate(
        done=Count("pk", filter=done), late=Count("pk", filter=late),
        overdue=Count("pk", filter=Q(state__in=(*HANDLER_STATES, AssignmentState.AWAITING), deadline__lt=today)),
        open=Count("pk", filter=Q(state__in=(*HANDLER_STATES, AssignmentState.AWAITING))),
    )
    return Tally(done_on_time=agg["done"] - agg["late"], done_late=agg["late"], overdue=agg["overdue"],
                 in_time=agg["open"] - agg["overdue"])


def children(task: Assignment) -> list[Assignment]:
    return list(task.forwards.select_related("unit", "person__unit").order_by("part", "pk"))


def ancestors(task: Assignment) -> list[Assignment]:
    chain: list[Assignment] = []
    node = task.parent
    while node is not None and len(chain) < 20:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def history(task: Assignment) -> list[AuditEvent]:
    """The task's audit events (recorded on the task, or on its document naming the task)."""
    if task.document_id is not None:
        on = AuditEvent.objects.filter(target_type="documents.document", target_id=str(task.document_id),
                                       data__task=task.pk)
    else:
        on = AuditEvent.objects.filter(target_type="workflow.assignment", target_id=str(task.pk))
    return list(on.order_by("at", "pk")[:200])


def history_label(verb: str) -> str:
    """The sentence of a task's audit verb (the document history's phrases, without their placeholders)."""
    from vanthu.documents.queries import HISTORY_PHRASES

    phrase = HISTORY_PHRASES.get(verb)
    return str(phrase).split("%(")[0].rstrip(" :.") if phrase is not None else verb


def notes(task: Assignment) -> list[TaskNote]:
    return list(task.notes.select_related("author").order_by("created_at", "pk"))


def note_file(task: Assignment, note_id: int) -> TaskNote:
    """A report of `task` that carries a file (404 otherwise); the caller has checked the person sees the task."""
    note = task.notes.filter(pk=note_id).exclude(file="").first()
    if note is None:
        raise Http404
    return note


def directives_of(person: Person, *, limit: int = PAGE) -> list[Directive]:
    scope = scope_of(person)
    return list(Directive.objects.filter(scope.leader_q("unit__path") | Q(author=person), series__isnull=True)
                .select_related("unit").annotate(units=Count("tasks", filter=Q(tasks__parent__isnull=True)))
                .order_by("-created_at", "-pk")[:limit])


WEEK_LIMIT = 2000


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def weekly(unit: Unit, *, start: dt.date, end: dt.date) -> list[RollupRow]:
    """A unit's weekly status: its tasks and its people's that fall due in the week, were done in it, or are
    still open past their deadline; each with its bucket (at most WEEK_LIMIT rows)."""
    today = timezone.localdate()
    mine = Q(unit=unit) | Q(person__unit=unit)
    open_states = (*HANDLER_STATES, AssignmentState.AWAITING)
    in_week = (Q(deadline__range=(start, end)) | Q(done_at__date__range=(start, end))
               | Q(state__in=open_states, deadline__lt=start))
    rows = (Assignment.objects.filter(mine, in_week).exclude(role=AssignmentRole.PRESENT)
            .exclude(state__in=(AssignmentState.CANCELLED, AssignmentState.INFO))
            .select_related(*RELATED).order_by(F("deadline").asc(nulls_last=True), "pk")[:WEEK_LIMIT])
    return [RollupRow(t, bucket(t, min(today, end + dt.timedelta(days=1)))) for t in rows]
