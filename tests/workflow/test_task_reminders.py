"""The reminder source notify's pass reads (decision 0015): open tasks remind their handler and escalate to the
leader above; a unit's task reminds its leader until passed down; for-information tasks never remind."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanthu.workflow import directive_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, Part
from vanthu.workflow.reminders import SOURCE
from vanthu.workflow.task_actions import Handover


def due(until: int = 30) -> list:
    today = timezone.localdate()
    return [d for batch in SOURCE.due(deadline_from=today - dt.timedelta(days=30),
                                      deadline_until=today + dt.timedelta(days=until)) for d in batch]


def test_tasks_remind_their_handler_and_escalate_to_the_leader_above(cast):
    directive = directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo quân số",
                                        units=[cast.division], deadline=timezone.localdate() + dt.timedelta(days=3))
    division_task = Assignment.objects.get(directive=directive)
    [item] = due()
    assert (item.person_id, item.escalate_to_person_ids) == (cast.dung.pk, (cast.hung.pk, cast.binh.pk))
    assert item.url == f"/tasks/{division_task.pk}/"
    assert item.title.startswith("Báo cáo quân số")

    tasks.delegate(task=division_task, acting=cast.dung,
                   handovers=[Handover(cast.minh), Handover(cast.regiment, Part.INFO)])
    [item] = due()
    assert (item.person_id, item.escalate_to_person_ids) == (cast.minh.pk, (cast.dung.pk,))
    assert item.key.startswith("workflow.task:")
