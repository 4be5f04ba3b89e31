"""Issue 12, item 10: acting for someone (xử lý thay). Minh, on leave, names Thảo of his division; Thảo's inbox
shows Minh's work marked, what Thảo does is recorded with both names, and it ends by itself after the last day.
Refused with a clear error and nothing written: a stand-in outside Minh's branch, one not cleared for his items,
someone naming a stand-in for a person not theirs, an overlapping period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.org import actions as org
from vanthu.org.models import Rank, StandIn
from vanthu.workflow import stand_in_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, AssignmentState
from vanthu.workflow.task_actions import Handover


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def thao(cast):
    """Thảo, an officer of Division 301 cleared for nothing above unclassified."""
    return org.create_person(username="thao", password="x-thao-2026", full_name="Lương Thị Thảo",
                             unit=cast.division, acting=TEST_FIXTURES, rank=Rank.DAI_UY, position="Trợ lý",
                             clearance=Secrecy.NONE, roles=("officer",))


@pytest.fixture
def minh_task(cast, directed):
    """Dũng passed the division's task on the directed document to Minh."""
    division_task = Assignment.objects.get(document=directed, unit=cast.division)
    tasks.delegate(task=division_task, acting=cast.dung,
                   handovers=[Handover(target=cast.minh, deadline=today() + dt.timedelta(days=3))])
    return division_task.forwards.get(person=cast.minh)


def test_minh_names_thao_whose_inbox_shows_his_work_marked(client, cast, thao, minh_task):
    client.force_login(cast.minh.user)
    page = client.post("/xu-ly-thay/", {"op": "name", "absent": cast.minh.pk, "stand_in": thao.pk,
                                        "starts_on": today().isoformat(),
                                        "ends_on": (today() + dt.timedelta(days=7)).isoformat(),
                                        "reason": "Nghỉ phép năm"}, follow=True)
    assert "Đã cử Đại úy Lương Thị Thảo xử lý thay." in page.content.decode()
    row = StandIn.objects.get()
    assert (row.absent, row.stand_in, row.created_by) == (cast.minh, thao, cast.minh)
    assert AuditEvent.objects.filter(verb="workflow.stand_in.named").count() == 1

    client.force_login(thao.user)
    inbox = client.get("/").content.decode()
    assert minh_task.document.subject in inbox
    assert "Xử lý thay Thiếu tá Đỗ Văn Minh" in inbox
    assert client.get(f"/documents/{minh_task.document_id}/").status_code == 200
    assert client.get(f"/tasks/{minh_task.pk}/").status_code == 200


def test_what_the_stand_in_does_records_both_names(client, cast, thao, minh_task):
    stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today(),
                                   ends_on=today() + dt.timedelta(days=2), acting=cast.minh)
    client.force_login(thao.user)
    answer = client.post(f"/tasks/{minh_task.pk}/", {"op": "progress", "text": "Đã liên hệ các trung đoàn.",
                                                     "percent": 40})
    assert answer.status_code == 302
    event = AuditEvent.objects.get(verb="workflow.task.progress")
    assert event.actor_id == thao.pk
    assert event.data["on_behalf_of"] == cast.minh.pk
    assert event.data["on_behalf_of_name"] == "Thiếu tá Đỗ Văn Minh"
    history = client.get(f"/documents/{minh_task.document_id}/").content.decode()
    assert "xử lý thay Thiếu tá Đỗ Văn Minh" in history
    assert "xử lý thay Thiếu tá Đỗ Văn Minh" in client.get(f"/tasks/{minh_task.pk}/").content.decode()
    minh_task.refresh_from_db()
    assert minh_task.state == AssignmentState.IN_PROGRESS


def test_it_ends_by_itself_after_the_last_day(client, cast, thao, minh_task):
    row = stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today(), ends_on=today(),
                                         acting=cast.minh)
    StandIn.objects.filter(pk=row.pk).update(starts_on=today() - dt.timedelta(days=5),
                                             ends_on=today() - dt.timedelta(days=1))  # the period is over
    client.force_login(thao.user)
    inbox = client.get("/").content.decode().split("</nav>", 1)[1]
    assert "Xử lý thay" not in inbox
    assert minh_task.document.subject not in inbox
    assert client.get(f"/tasks/{minh_task.pk}/").status_code == 404
    with pytest.raises(ActionRefused):
        tasks.report_progress(task=minh_task, acting=thao, text="muộn")


def test_ending_early_stops_it(client, cast, thao, minh_task):
    row = stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today(),
                                         ends_on=today() + dt.timedelta(days=9), acting=cast.dung)
    client.force_login(cast.minh.user)
    client.post("/xu-ly-thay/", {"op": "cancel", "id": row.pk})
    row.refresh_from_db()
    assert row.cancelled_at is not None
    client.force_login(thao.user)
    assert client.get(f"/tasks/{minh_task.pk}/").status_code == 404


def test_a_stand_in_outside_the_branch_is_refused(client, cast, minh_task):
    client.force_login(cast.minh.user)
    page = client.post("/xu-ly-thay/", {"op": "name", "absent": cast.minh.pk, "stand_in": cast.tam.pk,
                                        "starts_on": today().isoformat(),
                                        "ends_on": today().isoformat()}).content.decode()
    assert "ngoài phạm vi đơn vị" in page or "không chọn được" in page
    with pytest.raises(ActionRefused) as refused:
        stand_in_actions.name_stand_in(absent=cast.minh, stand_in=cast.tam, starts_on=today(), ends_on=today(),
                                       acting=cast.minh)
    assert refused.value.code == "unit_scope"
    assert "ngoài phạm vi đơn vị" in refused.value.message
    assert not StandIn.objects.exists()
    assert AuditEvent.objects.filter(verb="workflow.stand_in.named.refused").exists()


def test_a_stand_in_not_cleared_for_the_items_is_refused(cast, thao, minh_task):
    type(minh_task.document).objects.filter(pk=minh_task.document_id).update(secrecy=Secrecy.CONFIDENTIAL)
    with pytest.raises(ActionRefused) as refused:
        stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today(), ends_on=today(),
                                       acting=cast.minh)
    assert refused.value.code == "clearance"
    assert "không được tiếp cận văn bản độ Mật" in refused.value.message
    assert not StandIn.objects.exists()


def test_only_the_person_their_leader_or_clerk_names_a_stand_in(cast, thao):
    with pytest.raises(ActionRefused) as refused:
        stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today(), ends_on=today(),
                                       acting=cast.tam)
    assert refused.value.code == "forbidden"
    # the division's commander may
    stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today(), ends_on=today(),
                                   acting=cast.dung)
    # an overlapping period is refused
    with pytest.raises(ActionRefused) as again:
        stand_in_actions.name_stand_in(absent=cast.minh, stand_in=cast.dung, starts_on=today(),
                                       ends_on=today() + dt.timedelta(days=1), acting=cast.minh)
    assert again.value.code == "overlap"
    assert StandIn.objects.count() == 1


@pytest.mark.parametrize(("starts", "ends", "code"), [(0, -1, "period_invalid"), (-5, -1, "period_past"),
                                                      (0, 400, "period_too_long")])
def test_bad_periods_are_refused(cast, thao, starts, ends, code):
    with pytest.raises(ActionRefused) as refused:
        stand_in_actions.name_stand_in(absent=cast.minh, stand_in=thao, starts_on=today() + dt.timedelta(starts),
                                       ends_on=today() + dt.timedelta(ends), acting=cast.minh)
    assert refused.value.code == code
    assert not StandIn.objects.exists()


def test_a_stand_in_directs_what_was_presented_to_the_commander(client, cast, presented):
    """Sơn stands in for Hùng: the document presented to Hùng is in Sơn's inbox, marked; Sơn's direction is
    recorded with both names."""
    stand_in_actions.name_stand_in(absent=cast.hung, stand_in=cast.son, starts_on=today(), ends_on=today(),
                                   acting=cast.hung)
    client.force_login(cast.son.user)
    inbox = client.get("/").content.decode()
    assert "Xử lý thay Thiếu tướng Trần Quốc Hùng" in inbox
    assert f"/documents/{presented.pk}/direct/" in inbox
    from vanthu.workflow import actions as workflow

    workflow.direct(document=presented, acting=cast.son, text="Giao Sư đoàn 301 chủ trì.", lead=cast.division)
    event = AuditEvent.objects.get(verb="workflow.document.directed")
    assert event.actor_id == cast.son.pk
    assert event.data["on_behalf_of"] == cast.hung.pk
    page = client.get(f"/documents/{presented.pk}/").content.decode()
    assert "xử lý thay Thiếu tướng Trần Quốc Hùng" in page
