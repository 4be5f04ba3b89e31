"""`vanthu printregister`: the IT admin prints a register to a file on the server."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reports.conftest import pdf_text
from vanthu.audit.models import AuditEvent


def test_prints_a_year_by_unit_abbreviation(cast, staff_incoming, tmp_path):
    out = tmp_path / "so.pdf"
    stdout = io.StringIO()
    call_command("printregister", "--unit", "TM", "--kind", "incoming", "--year", str(staff_incoming.year),
                 "--format", "pdf", "-o", str(out), stdout=stdout)
    assert "5 văn bản" in stdout.getvalue()
    text = " ".join(pdf_text(out.read_bytes(), tmp_path).split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "V/v tổ chức diễn tập phòng thủ khu vực" in text
    event = AuditEvent.objects.get(verb="reports.register.printed")
    assert event.actor_id is None
    assert event.data["via"] == "cli"
    assert event.data["rows"] == 5


def test_format_follows_the_file_extension_and_unit_may_be_an_id(cast, staff_incoming, tmp_path):
    out = tmp_path / "so-mat.xlsx"
    call_command("printregister", "--unit", str(cast.staff.pk), "--kind", "incoming", "--series", "mat",
                 "--from", f"{staff_incoming.year}-01-01", "--to", f"{staff_incoming.year}-12-31", "-o", str(out),
                 stdout=io.StringIO())
    values = [row for row in load_workbook(out).active.iter_rows(values_only=True)]
    assert any(row[0] == "SỔ ĐĂNG KÝ VĂN BẢN MẬT ĐẾN" for row in values)
    assert any(row[5] == "Công văn V/v kế hoạch bảo đảm bí mật" for row in values)


@pytest.mark.parametrize(("args", "message"), [
    (["--unit", "XYZ"], "Không có đơn vị viết tắt “XYZ”."),
    (["--unit", "TM", "--from", "2026-02-01", "--to", "2026-01-01"], "Ngày kết thúc phải sau"),
    (["--unit", "TM", "--from", "2026-02-01"], "Cần cả --from và --to."),
    (["--unit", "TM", "-o", "so.docx"], "Định dạng “docx” không được hỗ trợ"),
])
def test_mistakes_are_explained(cast, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("printregister", "--kind", "outgoing", *args, stdout=io.StringIO())
