"""Presenting to a leader, the leader's direction, and handling the assignments, through the pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanthu.documents.models import Status
from vanthu.workflow.models import Assignment, AssignmentRole, AssignmentState, Instruction


def in_a_week() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


def test_hoa_presents_to_hung_who_is_proposed_first(client, cast, registered):
    client.force_login(cast.hoa.user)
    text = client.get(f"/documents/{registered.pk}/present/").content.decode()
    assert text.index("Trần Quốc Hùng") < text.index("Lê Văn Bình")
    assert f'value="{cast.hung.pk}"' in text
    assert "checked" in text
    page = client.post(f"/documents/{registered.pk}/present/", {"to": cast.hung.pk, "note": "Kính trình"},
                       follow=True)
    assert "Đã trình Trần Quốc Hùng." in page.content.decode()
    registered.refresh_from_db()
    assert registered.status == Status.PRESENTED
    client.force_login(cast.hung.user)
    assert f"/documents/{registered.pk}/direct/" in client.get("/").content.decode()


def test_presenting_to_someone_who_is_not_a_leader_above_is_refused(client, cast, registered):
    client.force_login(cast.hoa.user)
    page = client.post(f"/documents/{registered.pk}/present/", {"to": cast.dung.pk})
    assert "Chỉ trình được cho chỉ huy của đơn vị hoặc đơn vị cấp trên." in page.content.decode()
    assert not Assignment.objects.exists()


def test_only_the_clerk_presents(client, cast, registered):
    client.force_login(cast.hung.user)
    assert client.get(f"/documents/{registered.pk}/present/").status_code == 404
    client.force_login(cast.tam.user)
    assert client.get(f"/documents/{registered.pk}/present/").status_code == 404


def direction(cast, **overrides):
    values = {"text": "Giao Sư đoàn 301 chủ trì, Bộ Tham mưu phối hợp.", "deadline": in_a_week(),
              "lead": f"u:{cast.division.pk}", "cooperate": [f"u:{cast.staff.pk}"], "info": [f"p:{cast.binh.pk}"],
              "people_unit": str(cast.command.pk)}
    values.update(overrides)
    return values


def test_hung_directs_the_presented_document(client, cast, presented):
    client.force_login(cast.hung.user)
    text = client.get(f"/documents/{presented.pk}/direct/").content.decode()
    assert 'aria-label="Chủ trì: Sư đoàn 301"' in text
    assert 'aria-label="Phối hợp: Bộ Tham mưu"' in text
    assert "Lê Văn Bình" in text  # people of the chosen unit (his own, by default the document's)
    page = client.post(f"/documents/{presented.pk}/direct/", direction(cast), follow=True)
    assert "Đã cho ý kiến chỉ đạo." in page.content.decode()
    presented.refresh_from_db()
    assert presented.status == Status.DIRECTED
    roles = {(a.role, a.unit_id or a.person_id) for a in Assignment.objects.filter(instruction__isnull=False)}
    assert roles == {("lead", cast.division.pk), ("cooperate", cast.staff.pk), ("info", cast.binh.pk)}
    client.force_login(cast.dung.user)
    assert "Giao cho đơn vị, chờ phân công" in client.get("/").content.decode()


def test_direction_without_text_or_lead_names_both(client, cast, presented):
    client.force_login(cast.hung.user)
    page = client.post(f"/documents/{presented.pk}/direct/", direction(cast, text="", lead=""))
    text = page.content.decode()
    assert "Hãy ghi ý kiến chỉ đạo." in text
    assert "Hãy chọn một đơn vị hoặc cán bộ chủ trì." in text
    assert not Instruction.objects.exists()


def test_direction_with_a_past_deadline_is_refused(client, cast, presented):
    client.force_login(cast.hung.user)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = client.post(f"/documents/{presented.pk}/direct/", direction(cast, deadline=yesterday))
    text = page.content.decode()
    assert "Hạn xử lý không được ở trong quá khứ." in text
    assert "Giao Sư đoàn 301 chủ trì, Bộ Tham mưu phối hợp." in text  # what was typed is kept
    assert f'value="u:{cast.staff.pk}" id="coop-u{cast.staff.pk}" aria-label="Phối hợp: Bộ Tham mưu" checked' in text
    assert not Instruction.objects.exists()


def test_direction_to_a_unit_outside_the_tree_is_refused(client, cast, staff_document):
    # Sơn leads the Staff: the Division is outside what he commands
    client.force_login(cast.son.user)
    page = client.post(f"/documents/{staff_document.pk}/direct/",
                       direction(cast, lead=f"u:{cast.division.pk}", cooperate=[], info=[]))
    assert "Đơn vị hoặc cán bộ chủ trì không thuộc các đơn vị bạn chỉ huy." in page.content.decode()
    assert not Instruction.objects.exists()


def test_the_same_unit_twice_is_refused(client, cast, presented):
    client.force_login(cast.hung.user)
    page = client.post(f"/documents/{presented.pk}/direct/",
                       direction(cast, cooperate=[f"u:{cast.division.pk}"], info=[]))
    assert "được chọn hai lần trong cùng một ý kiến chỉ đạo" in page.content.decode()
    assert not Instruction.objects.exists()


def test_people_picker_redraws_the_matrix_keeping_the_choices(client, cast, presented):
    client.force_login(cast.hung.user)
    url = (f"/documents/{presented.pk}/direct/?people_unit={cast.division.pk}&lead=u:{cast.division.pk}"
           f"&cooperate=u:{cast.staff.pk}")
    text = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert text.lstrip().startswith('<div id="targets">')
    assert "Đỗ Văn Minh" in text
    assert "Đặng Văn Dũng" in text
    assert f'id="lead-u{cast.division.pk}" aria-label="Chủ trì: Sư đoàn 301" checked' in text
    no_js = client.post(f"/documents/{presented.pk}/direct/",
                        direction(cast, people_unit=str(cast.division.pk), show_people="1"))
    assert "Đỗ Văn Minh" in no_js.content.decode()
    assert "Chưa lưu được." not in no_js.content.decode()
    assert not Instruction.objects.exists()


def test_a_person_from_the_picker_can_lead(client, cast, presented):
    client.force_login(cast.hung.user)
    client.post(f"/documents/{presented.pk}/direct/",
                direction(cast, lead=f"p:{cast.minh.pk}", cooperate=[], info=[], people_unit=str(cast.division.pk)))
    assert Assignment.objects.get(role=AssignmentRole.LEAD).person == cast.minh


def test_who_may_not_direct_gets_404(client, cast, presented):
    for person in (cast.hoa, cast.tam, cast.minh):
        client.force_login(person.user)
        assert client.get(f"/documents/{presented.pk}/direct/").status_code == 404, person


def test_dung_forwards_to_minh_who_starts_and_completes(client, cast, directed):
    unit_assignment = Assignment.objects.get(role=AssignmentRole.LEAD, unit=cast.division)
    client.force_login(cast.dung.user)
    form = client.get(f"/assignments/{unit_assignment.pk}/forward/").content.decode()
    assert "Đỗ Văn Minh" in form
    assert "Vũ Văn Tâm" not in form
    page = client.post(f"/assignments/{unit_assignment.pk}/forward/",
                       {"to": cast.minh.pk, "note": "Đồng chí Minh xử lý"}, follow=True)
    assert "Đã chuyển Đỗ Văn Minh xử lý." in page.content.decode()
    personal = Assignment.objects.get(parent=unit_assignment)

    client.force_login(cast.minh.user)
    assert "Chủ trì xử lý" in client.get("/").content.decode()
    page = client.post(f"/assignments/{personal.pk}/start/", follow=True)
    assert "Đã bắt đầu xử lý." in page.content.decode()
    empty = client.post(f"/assignments/{personal.pk}/complete/", {"result": ""})
    assert "Hãy ghi kết quả xử lý." in empty.content.decode()
    page = client.post(f"/assignments/{personal.pk}/complete/", {"result": "Đã triển khai, báo cáo Tư lệnh."},
                       follow=True)
    assert "Đã báo cáo hoàn thành xử lý." in page.content.decode()
    directed.refresh_from_db()
    assert directed.status == Status.IN_PROGRESS  # the division's commander has not accepted the result yet
    assert Assignment.objects.get(pk=personal.pk).state == AssignmentState.DONE
    unit_task = Assignment.objects.get(pk=personal.parent_id)
    assert unit_task.state == AssignmentState.AWAITING
    client.force_login(cast.dung.user)
    page = client.post(f"/tasks/{unit_task.pk}/accept/", follow=True)
    assert "Đã duyệt kết quả." in page.content.decode()
    directed.refresh_from_db()
    assert directed.status == Status.IN_PROGRESS  # Bộ Tham mưu still co-operates: not "Hoàn thành" yet
    staff_task = Assignment.objects.get(document=directed, unit=cast.staff)
    client.force_login(cast.son.user)
    page = client.post(f"/tasks/{staff_task.pk}/", {"op": "complete", "result": "Bộ Tham mưu đã góp ý."}, follow=True)
    assert "Đã ghi nhận." in page.content.decode()
    directed.refresh_from_db()
    assert directed.status == Status.DONE


def test_forwarding_with_a_deadline_after_the_units_is_refused(client, cast, directed):
    unit_assignment = Assignment.objects.get(role=AssignmentRole.LEAD, unit=cast.division)
    client.force_login(cast.dung.user)
    late = (unit_assignment.deadline + dt.timedelta(days=3)).isoformat()
    page = client.post(f"/assignments/{unit_assignment.pk}/forward/", {"to": cast.minh.pk, "deadline": late})
    assert "không được muộn hơn hạn của việc cấp trên" in page.content.decode()
    assert not Assignment.objects.filter(parent=unit_assignment).exists()


def test_assignment_pages_check_the_person(client, cast, directed):
    unit_assignment = Assignment.objects.get(role=AssignmentRole.LEAD, unit=cast.division)
    for person in (cast.minh, cast.tam, cast.hoa):
        client.force_login(person.user)
        assert client.get(f"/assignments/{unit_assignment.pk}/forward/").status_code == 404, person
    client.force_login(cast.minh.user)
    assert client.post(f"/assignments/{unit_assignment.pk}/start/").status_code == 404
    assert client.get("/assignments/999999/complete/").status_code == 404
    assert client.get(f"/assignments/{unit_assignment.pk}/start/").status_code == 405


def test_overdue_assignments_are_marked(client, cast, directed):
    Assignment.objects.filter(document=directed).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(cast.dung.user)
    assert "quá hạn" in client.get("/").content.decode()
    text = client.get(f"/documents/{directed.pk}/").content.decode()
    assert "row-overdue" in text
    assert "quá hạn" in text


def test_each_lead_and_cooperating_receiver_may_have_its_own_deadline(client, cast, presented):
    client.force_login(cast.hung.user)
    text = client.get(f"/documents/{presented.pk}/direct/").content.decode()
    assert f'name="due-u:{cast.staff.pk}"' in text
    soon = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(f"/documents/{presented.pk}/direct/",
                       direction(cast, **{f"due-u:{cast.staff.pk}": soon, f"due-u:{cast.division.pk}": ""}),
                       follow=True)
    assert "Đã cho ý kiến chỉ đạo." in page.content.decode()
    deadlines = {a.unit_id or a.person_id: a.deadline for a in Assignment.objects.filter(instruction__isnull=False)}
    assert deadlines == {cast.staff.pk: dt.date.fromisoformat(soon),
                         cast.division.pk: dt.date.fromisoformat(in_a_week()), cast.binh.pk: None}


def test_an_own_deadline_later_than_the_common_one_is_refused(client, cast, presented):
    client.force_login(cast.hung.user)
    late = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    page = client.post(f"/documents/{presented.pk}/direct/", direction(cast, **{f"due-u:{cast.staff.pk}": late}))
    text = page.content.decode()
    assert "không được muộn hơn hạn của việc cấp trên" in text
    assert f'name="due-u:{cast.staff.pk}" value="{late}"' in text  # what was typed is kept
    assert not Instruction.objects.exists()


def test_an_own_deadline_that_is_not_a_date_is_refused(client, cast, presented):
    client.force_login(cast.hung.user)
    page = client.post(f"/documents/{presented.pk}/direct/", direction(cast, **{f"due-u:{cast.staff.pk}": "ngày mai"}))
    assert "Hạn riêng của “Bộ Tham mưu” không hợp lệ" in page.content.decode()
    assert not Instruction.objects.exists()
