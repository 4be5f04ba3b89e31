"""Handover (Điều 31): a leaver's open records and unfinished tasks pass to a successor of the same unit when
both sides have confirmed; nothing is orphaned; a successor outside the unit is refused."""

from __future__ import annotations

import pytest

from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person
from vanthu.records import actions, handover_actions
from vanthu.records.models import Handover, HandoverState, Record
from vanthu.workflow import task_actions
from vanthu.workflow.models import Assignment
from vanthu.workflow.task_actions import Handover as TaskTarget


def test_handing_over_to_someone_outside_the_unit_is_refused(cast, record):
    """Checklist point 41."""
    with pytest.raises(ActionRefused) as refused:
        handover_actions.draw_up_handover(giver=cast.lan, receiver=cast.minh, reason="Chuyển công tác",
                                          acting=cast.lan)
    assert refused.value.code == "outside_unit"
    assert "Bộ Tham mưu" in refused.value.message
    assert not Handover.objects.exists()


def test_a_stranger_draws_up_no_handover_for_someone_else(cast, record, viet):
    with pytest.raises(ActionRefused) as refused:
        handover_actions.draw_up_handover(giver=cast.lan, receiver=viet, reason="Nghỉ hưu", acting=cast.minh)
    assert refused.value.status == 403


def test_records_and_tasks_pass_when_both_confirm(cast, record, viet):
    """Checklist point 41."""
    [task] = task_actions.assign(acting=cast.son, title="Tổng hợp báo cáo huấn luyện",
                                 handovers=[TaskTarget(cast.lan)])
    handover = handover_actions.draw_up_handover(giver=cast.lan, receiver=viet, reason="Chuyển công tác",
                                                 acting=cast.lan)
    assert handover.giver_confirmed_at is not None  # drawn up by the giver: her side is confirmed
    assert {i.kind for i in handover.items.all()} == {"record", "task"}
    later = actions.open_ad_hoc_record(unit=cast.staff, year=record.year, code="07.TC", title="Hồ sơ mới",
                                       retention_years=5, acting=cast.lan)
    with pytest.raises(ActionRefused):
        handover_actions.confirm_handover(handover=handover, acting=cast.son)  # not a side
    record.refresh_from_db()
    assert record.creator == cast.lan  # nothing passes before both confirm
    done = handover_actions.confirm_handover(handover=handover, acting=viet)
    assert done.state == HandoverState.DONE
    assert set(Record.objects.filter(creator=viet).values_list("pk", flat=True)) == {record.pk, later.pk}
    assert not Record.objects.filter(creator=cast.lan, state="open").exists()
    task.refresh_from_db()
    assert task.person == viet
    assert not Assignment.objects.filter(person=cast.lan, state__in=("open", "in_progress")).exists()


def test_a_leader_confirms_for_a_giver_who_has_left(cast, record, viet):
    """Checklist point 41."""
    handover = handover_actions.draw_up_handover(giver=cast.lan, receiver=viet, reason="Nghỉ hưu", acting=cast.son)
    assert handover.giver_confirmed_at is None
    with pytest.raises(ActionRefused):
        handover_actions.confirm_handover(handover=handover, acting=cast.son)  # the giver is still here
    Person.objects.filter(pk=cast.lan.pk).update(is_active=False)  # she has left (org has no action for it yet)
    handover.giver.refresh_from_db()
    handover_actions.confirm_handover(handover=handover, acting=viet)
    done = handover_actions.confirm_handover(handover=handover, acting=cast.son)
    assert done.state == HandoverState.DONE
    assert done.giver_confirmed_by == cast.son
    record.refresh_from_db()
    assert record.creator == viet
