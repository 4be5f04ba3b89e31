"""The pages of tasks and directives: my work, the task page, a unit's board, a directive's roll-up; 404 for what
a person may not see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanthu.workflow import directive_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, AssignmentState
from vanthu.workflow.task_actions import Handover


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def directive(cast):
    return directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo sẵn sàng chiến đấu quý IV",
                                   units=[cast.division, cast.province], deadline=days(10),
                                   source_note="Kết luận giao ban tháng 11")


def test_dung_passes_the_divisions_task_to_minh_who_reports_and_completes(client, cast, directive):
    task = Assignment.objects.get(directive=directive, unit=cast.division)
    client.force_login(cast.dung.user)
    assert "Báo cáo sẵn sàng chiến đấu quý IV" in client.get("/work/").content.decode()
    late = client.post(f"/tasks/{task.pk}/", {"op": "delegate", "lead": cast.minh.pk,
                                              "lead_deadline": days(12).isoformat()})
    assert "không được muộn hơn hạn của việc cấp trên" in late.content.decode()
    assert not task.forwards.exists()
    page = client.post(f"/tasks/{task.pk}/", {"op": "delegate", "lead": cast.minh.pk,
                                              "lead_deadline": days(7).isoformat()}, follow=True)
    assert "Đã ghi nhận." in page.content.decode()
    minh_task = task.forwards.get()

    client.force_login(cast.minh.user)
    assert "Báo cáo sẵn sàng chiến đấu quý IV" in client.get("/work/").content.decode()
    client.post(f"/tasks/{minh_task.pk}/", {"op": "progress", "text": "Đã tổng hợp 2 trung đoàn.", "percent": 60})
    page = client.get(f"/tasks/{minh_task.pk}/").content.decode()
    assert "Đã tổng hợp 2 trung đoàn." in page
    client.post(f"/tasks/{minh_task.pk}/", {"op": "complete", "result": "Đã báo cáo."})
    task.refresh_from_db()
    assert task.state == AssignmentState.AWAITING

    client.force_login(cast.dung.user)
    assert "Duyệt, hoàn thành" in client.get(f"/tasks/{task.pk}/").content.decode()
    client.post(f"/tasks/{task.pk}/accept/")
    task.refresh_from_db()
    assert task.state == AssignmentState.DONE


def test_the_roll_up_page_draws_the_chart_for_the_issuer_only(client, cast, directive):
    client.force_login(cast.hung.user)
    page = client.get(f"/directives/{directive.pk}/").content.decode()
    assert "<svg" in page
    assert "Sư đoàn 301" in page
    assert "Bộ Chỉ huy Quân sự tỉnh A" in page
    assert "Báo cáo sẵn sàng chiến đấu quý IV" in client.get("/directives/").content.decode()
    client.force_login(cast.minh.user)
    assert client.get(f"/directives/{directive.pk}/").status_code == 404


def test_tasks_are_404_for_people_outside_them(client, cast, directive):
    task = Assignment.objects.get(directive=directive, unit=cast.division)
    [minh_task] = tasks.delegate(task=task, acting=cast.dung, handovers=[Handover(cast.minh)])
    client.force_login(cast.tam.user)
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/tasks/{minh_task.pk}/").status_code == 404
    assert client.post(f"/tasks/{minh_task.pk}/", {"op": "complete", "result": "x"}).status_code == 404
    assert client.get(f"/units/{cast.division.pk}/board/").status_code == 404
    client.force_login(cast.hung.user)  # the commander sees down the tree
    assert client.get(f"/tasks/{minh_task.pk}/").status_code == 200
    client.force_login(cast.dung.user)
    board = client.get(f"/units/{cast.division.pk}/board/").content.decode()
    assert "Đỗ Văn Minh" in board


def test_a_leader_issues_a_directive_from_the_page(client, cast):
    client.force_login(cast.hung.user)
    page = client.post("/directives/new/", {"title": "Báo cáo tuần", "units": [cast.division.pk, cast.province.pk],
                                            "weekly": "on"}, follow=True)
    assert "Đã ban hành chỉ đạo." in page.content.decode()
    assert Assignment.objects.filter(directive__title="Báo cáo tuần", parent__isnull=True).count() == 2
    client.force_login(cast.minh.user)
    assert client.get("/directives/new/").status_code == 404


def test_the_weekly_report_prints_as_pdf_and_xlsx_for_the_units_leader(client, cast, directive):
    import io

    from openpyxl import load_workbook

    task = Assignment.objects.get(directive=directive, unit=cast.division)
    Assignment.objects.filter(pk=task.pk).update(deadline=timezone.localdate())
    client.force_login(cast.dung.user)
    pdf = client.get(f"/units/{cast.division.pk}/weekly-report?format=pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/units/{cast.division.pk}/weekly-report?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "Báo cáo sẵn sàng chiến đấu quý IV" in cells
    assert "Sư đoàn 301" in cells
    client.force_login(cast.minh.user)
    assert client.get(f"/units/{cast.division.pk}/weekly-report?format=pdf").status_code == 404


def test_passing_down_with_cooperating_and_for_information_receivers_each_with_a_deadline(client, cast, directive):
    task = Assignment.objects.get(directive=directive, unit=cast.division)
    client.force_login(cast.dung.user)
    text = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'name="who_1"' in text
    assert f'value="p:{cast.minh.pk}"' in text
    late = client.post(f"/tasks/{task.pk}/", {
        "op": "delegate", "lead": cast.minh.pk, "lead_deadline": days(7).isoformat(),
        "who_1": f"u:{cast.regiment.pk}", "part_1": "cooperate", "deadline_1": days(12).isoformat()})
    assert "không được muộn hơn hạn của việc cấp trên" in late.content.decode()
    assert not task.forwards.exists()
    page = client.post(f"/tasks/{task.pk}/", {
        "op": "delegate", "lead": cast.minh.pk, "lead_deadline": days(7).isoformat(),
        "who_1": f"u:{cast.regiment.pk}", "part_1": "cooperate", "deadline_1": days(5).isoformat(),
        "who_2": f"p:{cast.dung.pk}", "part_2": "info"}, follow=True)
    assert "Đã ghi nhận." in page.content.decode()
    given = {(c.part, c.unit_id or c.person_id, c.deadline) for c in task.forwards.all()}
    assert given == {("lead", cast.minh.pk, days(7)), ("cooperate", cast.regiment.pk, days(5)),
                     ("info", cast.dung.pk, None)}  # for information: no deadline


def test_a_receiver_outside_the_unit_is_not_offered(client, cast, directive):
    task = Assignment.objects.get(directive=directive, unit=cast.division)
    client.force_login(cast.dung.user)
    page = client.post(f"/tasks/{task.pk}/", {"op": "delegate", "who_1": f"p:{cast.hoa.pk}", "part_1": "info"})
    assert "Chỉ giao được cho cán bộ, đơn vị thuộc đơn vị được giao." in page.content.decode()
    assert not task.forwards.exists()


def test_a_progress_reports_file_is_listed_and_downloaded_by_who_sees_the_task(client, cast, directive):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = Assignment.objects.get(directive=directive, unit=cast.division)
    [minh_task] = tasks.delegate(task=task, acting=cast.dung, handovers=[Handover(cast.minh)])
    client.force_login(cast.minh.user)
    client.post(f"/tasks/{minh_task.pk}/", {"op": "progress", "text": "Số liệu 2 trung đoàn.", "percent": 40,
                                            "file": SimpleUploadedFile("bao-cao.docx", b"noi dung bao cao")})
    note = minh_task.notes.get()
    url = f"/tasks/{minh_task.pk}/notes/{note.pk}/file/"
    client.force_login(cast.dung.user)
    assert url in client.get(f"/tasks/{minh_task.pk}/").content.decode()
    got = client.get(url)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"noi dung bao cao"
    assert 'attachment; filename="bao-cao.docx"' in got["Content-Disposition"]
    client.force_login(cast.tam.user)
    assert client.get(url).status_code == 404
