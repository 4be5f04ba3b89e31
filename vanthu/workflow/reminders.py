"""The reminder source of tasks (decision 0015), for notify's reminder pass: every open task with a deadline in
the window reminds its handler and escalates to the leaders above the handler.

- a person's task (open or in progress) reminds the person; the leaders of the person's unit (else the nearest
  unit above with a leader other than the person) hear when it is late;
- a unit's task waiting for its leader (not yet passed down, or a result to accept) reminds the unit's leaders,
  and the leaders above them hear when it is late; once passed down, the people below are reminded instead;
- for-information tasks never remind.

Read in keyset batches on the partial index over open work (`task_open_due`), values only, so a pass over a
million open tasks never holds more than one batch. Registered by WorkflowConfig.ready() when notify is there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext as _

from vanthu.org.models import Role, RoleGrant, Unit
from vanthu.workflow.models import HANDLER_STATES, Assignment, AssignmentState

try:  # notify's types, once the two branches are merged (the lead wires this; decision 0015)
    from vanthu.notify.reminders import BATCH, Due  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - this branch alone
    BATCH = 5000

    @dataclass(frozen=True)
    class Due:  # type: ignore[no-redef]
        """One open item with a deadline, for one handler (the shape of notify's `Due`)."""

        key: str
        person_id: int
        title: str
        url: str
        deadline: dt.date
        escalate_to_person_ids: tuple[int, ...] = ()


class _Leaders:
    """Leaders per unit and the unit tree, read once per pass (a few hundred units, a few thousand grants)."""

    def __init__(self) -> None:
        self.parent: dict[int, int | None] = dict(Unit.objects.values_list("pk", "parent_id"))
        found: dict[int, list[int]] = {}
        for unit_id, person_id in RoleGrant.objects.filter(role=Role.LEADER, person__is_active=True).values_list(
                "unit_id", "person_id"):
            found.setdefault(unit_id, []).append(person_id)
        self.of_unit: dict[int, tuple[int, ...]] = {u: tuple(sorted(p)) for u, p in found.items()}

    def above(self, unit_id: int | None, *, handler: int | None = None) -> tuple[int, ...]:
        """The leaders of `unit_id`, else of the nearest unit above with a leader who is not `handler`."""
        seen = 0
        while unit_id is not None and seen < 64:
            leaders = tuple(p for p in self.of_unit.get(unit_id, ()) if p != handler)
            if leaders:
                return leaders
            unit_id, seen = self.parent.get(unit_id), seen + 1
        return ()


class TaskReminders:
    name = "workflow.task"

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        leaders = _Leaders()
        waiting = (Q(person__isnull=False, state__in=HANDLER_STATES)
                   | Q(unit__isnull=False, state__in=(AssignmentState.OPEN, AssignmentState.AWAITING)))
        rows = (Assignment.objects.filter(waiting, deadline__gte=deadline_from, deadline__lte=deadline_until)
                .annotate(what=Coalesce(NullIf("title", Value("")), "document__subject", "directive__title"))
                .order_by("pk"))
        marker = "987654321"
        page = reverse("task_detail", args=[int(marker)])
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).values_list(
                "pk", "person_id", "person__unit_id", "unit_id", "deadline", "what")[:BATCH])
            if not batch:
                return
            last = batch[-1][0]
            out: list[Due] = []
            for pk, person_id, person_unit, unit_id, deadline, subject in batch:
                if deadline is None:  # filtered out above; here for the type
                    continue
                url = page.replace(marker, str(pk))
                key = f"{self.name}:{pk}"
                title = subject or ""
                if person_id is not None:
                    out.append(Due(key, person_id, title, url, deadline,
                                   leaders.above(person_unit, handler=person_id)))
                else:
                    for handler in leaders.of_unit.get(unit_id, ()):
                        out.append(Due(key, handler, _("%(title)s (việc của đơn vị)") % {"title": title}, url, deadline,
                                       leaders.above(leaders.parent.get(unit_id), handler=handler)))
            yield out


SOURCE = TaskReminders()


def count_due(*, deadline_from: dt.date, deadline_until: dt.date) -> int:
    """Walk one pass of the source (what the bench times): how many reminders it yields."""
    return sum(len(batch) for batch in SOURCE.due(deadline_from=deadline_from, deadline_until=deadline_until))


__all__ = ["SOURCE", "TaskReminders", "count_due"]
