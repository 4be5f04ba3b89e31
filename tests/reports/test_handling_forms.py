"""The handling forms and reports: Phiếu giải quyết văn bản đến, Sổ theo dõi giải quyết văn bản đến (checklist
point 29) and the two handling reports of Phụ lục VI (checklist point 31), as pages, PDF and XLSX; who gets 404;
a large report goes to the print job."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.reports.conftest import pdf_fonts, pdf_text
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.org import actions as org
from vanthu.org.models import Role
from vanthu.reports.models import RegisterPrint
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole


def get(client, person, url):
    client.force_login(person.user)
    return client.get(url)


def handled(cast, staff_incoming):
    """docs[1] was directed by Sơn to Operations; Operations finishes it (today: after its deadline)."""
    year = staff_incoming.year
    doc = staff_incoming.docs[1]
    lead = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD, parent__isnull=True)
    Assignment.objects.filter(pk=lead.pk).update(deadline=dt.date(year, 4, 30))
    org.grant_role(person=cast.quang, unit=cast.operations, role=Role.LEADER, acting=TEST_FIXTURES)
    workflow.complete(assignment=lead, acting=cast.quang, result="Đã báo cáo kết quả kiểm tra")
    return doc


def test_checklist_point_29_handling_slip_shows_the_direction_and_history_as_pdf_and_xlsx(
        client, cast, staff_incoming, tmp_path):
    """Checklist point 29: the Phiếu giải quyết văn bản đến of one document, printable."""
    doc = handled(cast, staff_incoming)
    url = reverse("handling_slip", args=[doc.pk])
    page = get(client, cast.lan, url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in html
    assert "Phòng Tác chiến chủ trì, báo cáo kết quả." in html
    response = client.get(url + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in text
    assert "Ý kiến chỉ đạo của người đứng đầu cơ quan, tổ chức" in text
    assert "Phòng Tác chiến chủ trì, báo cáo kết quả." in text
    assert "Đơn vị, cá nhân chủ trì: Phòng Tác chiến" in text
    assert "Đã báo cáo kết quả kiểm tra" in text
    assert "Quá trình giải quyết" in text
    assert all(row[-5] == "yes" for row in pdf_fonts(response.content, tmp_path))
    sheet = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in values
    # the print is a read in the document's usage history
    assert AuditEvent.objects.filter(verb="reports.document.printed", target_id=str(doc.pk),
                                     actor_id=cast.lan.pk).count() == 2


def test_checklist_point_29_outsider_gets_404_for_the_slip_and_the_followup_register(client, cast, staff_incoming):
    doc = staff_incoming.docs[0]
    assert get(client, cast.tam, reverse("handling_slip", args=[doc.pk])).status_code == 404
    url = reverse("handling_report", args=["followup"]) + f"?unit={cast.staff.pk}"
    assert get(client, cast.tam, url).status_code == 404
    assert get(client, cast.minh, url + "&format=pdf").status_code == 404


def test_checklist_point_29_followup_register_has_the_seven_columns_and_progress(client, cast, staff_incoming,
                                                                                 tmp_path):
    """Checklist point 29: the Sổ theo dõi giải quyết văn bản đến, per unit and period."""
    handled(cast, staff_incoming)
    year = staff_incoming.year
    url = reverse("handling_report", args=["followup"]) + f"?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31"
    response = get(client, cast.lan, url + "&format=pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content, tmp_path).split())
    for heading in ("Số đến", "Số, ký hiệu, ngày tháng, tác giả, trích yếu", "Đơn vị hoặc người nhận",
                    "Thời hạn giải quyết", "Tiến độ giải quyết", "Số, ký hiệu văn bản trả lời", "Ghi chú"):
        assert heading in text, heading
    assert "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN" in text
    assert "Tổng số: 5 văn bản." in text  # the secret document is in the secret register, not here
    assert "Đã giải quyết quá hạn" in text
    assert f"30/04/{year}" in text
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert any(row[:2] == ("01", rows[-7][1]) or row[0] == "01" for row in rows)


def test_checklist_point_31_incoming_handling_report_counts_on_time_late_pending(client, cast, staff_incoming,
                                                                                tmp_path):
    """Checklist point 31: the báo cáo giải quyết văn bản đến per unit and period."""
    handled(cast, staff_incoming)
    year = staff_incoming.year
    url = reverse("handling_report", args=["handling-in"]) + f"?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31"
    page = get(client, cast.son, url)
    assert page.status_code == 200
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if row and len(row) > 6 and row[1]}
    # TT, unit, total, on time, late, pending in time, pending overdue
    assert rows["Phòng Tác chiến"][2:] == ("1", "0", "1", "0", "0")
    assert rows["(Chưa giao xử lý)"][2] == "4"
    assert rows["Cộng"][2] == "5"
    pdf = client.get(url + "&format=pdf")
    assert "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN" in pdf_text(pdf.content, tmp_path)
    assert AuditEvent.objects.filter(verb="reports.report.printed", actor_id=cast.son.pk).count() == 2


def test_checklist_point_31_outgoing_report_counts_issued_per_type(client, cast, issued, tmp_path):
    """Checklist point 31: the báo cáo văn bản đi, issued per type."""
    today = timezone.localdate()
    url = (reverse("handling_report", args=["handling-out"])
           + f"?unit={cast.staff.pk}&from={today.year}-01-01&to={today.isoformat()}&format=xlsx")
    sheet = load_workbook(io.BytesIO(get(client, cast.lan, url).content)).active
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if row and len(row) > 6 and row[1]}
    # issued, issued the day signed, urgent, secret, recalled
    assert rows["Kế hoạch"][2:] == ("2", "2", "0", "0", "1")
    text = pdf_text(client.get(url.replace("xlsx", "pdf")).content, tmp_path)
    assert "BÁO CÁO TÌNH HÌNH VĂN BẢN ĐI" in text


def test_checklist_point_31_a_large_report_is_printed_by_the_job(client, cast, staff_incoming, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.REPORTS_ASYNC_ROWS = 2
    year = staff_incoming.year
    url = (reverse("handling_report", args=["handling-in"])
           + f"?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31&format=pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = get(client, cast.lan, url)
    assert response.status_code == 302
    job = RegisterPrint.objects.get()
    assert job.kind == "handling-in"
    from vanthu.reports.jobs import build_register_print

    assert build_register_print.call(str(job.pk)) in ("printed", "done already")
    job.refresh_from_db()
    assert job.state == "done"
    assert client.get(reverse("register_print_file", args=[job.pk])).content.startswith(b"%PDF")


def test_bad_dates_get_a_clear_400(client, cast, staff_incoming):
    url = reverse("handling_report", args=["handling-in"]) + f"?unit={cast.staff.pk}&from=2026-13-01"
    response = get(client, cast.lan, url)
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
