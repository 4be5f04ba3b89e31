"""A unit's handling setting (decision 0015): its leader accepts its people's results, or not; set by a leader or
an administrator of the unit, through the action and the unit's board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.workflow import directive_actions, unit_settings
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, AssignmentState, UnitHandling
from vanthu.workflow.task_actions import Handover


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def division_task(cast):
    directive = directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo quân số tháng 12",
                                        units=[cast.division], deadline=days(10))
    return Assignment.objects.get(directive=directive, unit=cast.division)


def test_without_acceptance_the_officers_result_closes_the_units_task(cast, division_task):
    unit_settings.set_handling(unit=cast.division, acting=cast.dung, leader_accepts=False)
    assert AuditEvent.objects.filter(verb="workflow.unit.handling_set", actor_id=cast.dung.pk).exists()
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh)])
    tasks.complete(task=minh_task, acting=cast.minh, result="Đã báo cáo quân số.")
    division_task.refresh_from_db()
    assert division_task.state == AssignmentState.DONE


def test_by_default_the_leader_accepts(cast, division_task):
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh)])
    tasks.complete(task=minh_task, acting=cast.minh, result="Đã báo cáo quân số.")
    division_task.refresh_from_db()
    assert division_task.state == AssignmentState.AWAITING


def test_the_leader_above_and_the_admin_may_set_it_an_officer_may_not(cast):
    unit_settings.set_handling(unit=cast.division, acting=cast.hung, leader_accepts=False)
    unit_settings.set_handling(unit=cast.division, acting=cast.admin, leader_accepts=True)
    assert UnitHandling.objects.get(unit=cast.division).leader_accepts is True
    for person in (cast.minh, cast.son):
        with pytest.raises(ActionRefused) as err:
            unit_settings.set_handling(unit=cast.division, acting=person, leader_accepts=False)
        assert err.value.code == "forbidden"
    assert UnitHandling.objects.get(unit=cast.division).leader_accepts is True


def test_the_board_carries_the_setting_form(client, cast):
    client.force_login(cast.dung.user)
    board = client.get(f"/units/{cast.division.pk}/board/").content.decode()
    assert f'action="/units/{cast.division.pk}/handling/"' in board
    assert 'id="id_leader_accepts" checked' in board
    page = client.post(f"/units/{cast.division.pk}/handling/", {}, follow=True)
    assert "Đã lưu cách xử lý việc của đơn vị." in page.content.decode()
    assert UnitHandling.objects.get(unit=cast.division).leader_accepts is False
    client.force_login(cast.admin.user)
    assert client.get(f"/units/{cast.division.pk}/handling/").status_code == 200
    client.post(f"/units/{cast.division.pk}/handling/", {"leader_accepts": "on"})
    assert UnitHandling.objects.get(unit=cast.division).leader_accepts is True
    client.force_login(cast.minh.user)
    assert client.get(f"/units/{cast.division.pk}/handling/").status_code == 404
    assert client.post(f"/units/{cast.division.pk}/handling/", {}).status_code == 404
    assert UnitHandling.objects.get(unit=cast.division).leader_accepts is True
