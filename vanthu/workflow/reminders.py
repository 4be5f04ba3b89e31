"""The reminder source of today's handling (`Assignment`): every open lead, co-operating or presented assignment
with a deadline reminds its handler, and escalates to the leaders of the handler's unit (the nearest unit up the
tree that has a leader other than the handler). An assignment to a unit waits for the unit's leaders: they are
its handlers, and the leaders above them are told when it is late; once forwarded to a person, that person is
reminded instead. Registered by WorkflowConfig.ready().

(The "work" helper replaces this file when assignments become cascading tasks.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from vanthu.notify.reminders import BATCH, Due
from vanthu.org.models import Person, Role, RoleGrant, Unit
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentRole


class _Leaders:
    """Leaders per unit and the unit tree, read once per pass (a few hundred units, a few thousand grants)."""

    def __init__(self) -> None:
        self.parent: dict[int, int | None] = dict(Unit.objects.values_list("pk", "parent_id"))
        self.of_unit: dict[int, tuple[int, ...]] = {}
        grants = RoleGrant.objects.filter(role=Role.LEADER, person__is_active=True).values_list("unit_id",
                                                                                              "person_id")
        found: dict[int, list[int]] = {}
        for unit_id, person_id in grants:
            found.setdefault(unit_id, []).append(person_id)
        self.of_unit = {u: tuple(sorted(p)) for u, p in found.items()}
        self.unit_of: dict[int, int] = {}

    def above(self, unit_id: int | None, *, handler: int | None = None) -> tuple[int, ...]:
        """The leaders of `unit_id`, else of the nearest unit above with a leader who is not `handler`."""
        seen = 0
        while unit_id is not None and seen < 64:
            leaders = tuple(p for p in self.of_unit.get(unit_id, ()) if p != handler)
            if leaders:
                return leaders
            unit_id, seen = self.parent.get(unit_id), seen + 1
        return ()

    def person_unit(self, person_ids: set[int]) -> None:
        missing = person_ids - self.unit_of.keys()
        if missing:
            self.unit_of.update(Person.objects.filter(pk__in=missing).values_list("pk", "unit_id"))


class AssignmentReminders:
    name = "workflow.assignment"

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        leaders = _Leaders()
        rows = (Assignment.objects.filter(state__in=OPEN_STATES, deadline__gte=deadline_from,
                                          deadline__lte=deadline_until)
                .exclude(role=AssignmentRole.INFO)
                # a unit's assignment forwarded to a person waits for that person, who is reminded instead
                .filter(Q(unit__isnull=True) | ~Exists(Assignment.objects.filter(parent=OuterRef("pk"),
                                                                                 state__in=OPEN_STATES)))
                .order_by("pk"))
        marker = "987654321"
        page = reverse("document_detail", args=[int(marker)])
        labels = {role: str(label) for role, label in AssignmentRole.choices}
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).values_list(
                "pk", "person_id", "unit_id", "deadline", "role", "document_id", "document__subject")[:BATCH])
            if not batch:
                return
            last = batch[-1][0]
            leaders.person_unit({r[1] for r in batch if r[1] is not None})
            out: list[Due] = []
            for pk, person_id, unit_id, deadline, role, document_id, subject in batch:
                if deadline is None:  # not selected (a window filters on it); for the type checker
                    continue
                url = page.replace(marker, str(document_id))
                title = f"{labels[role]}: {subject}"
                key = f"{self.name}:{pk}"
                if person_id is not None:
                    boss = leaders.above(leaders.unit_of.get(person_id), handler=person_id)
                    out.append(Due(key, person_id, title, url, deadline, boss))
                else:
                    # a unit's assignment: its leaders handle it, the leaders above them hear when it is late
                    for handler in leaders.of_unit.get(unit_id, ()):
                        boss = leaders.above(leaders.parent.get(unit_id), handler=handler)
                        out.append(Due(key, handler, _("%(title)s (đơn vị)") % {"title": title}, url, deadline,
                                       boss))
            yield out


SOURCE = AssignmentReminders()
