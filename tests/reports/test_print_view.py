"""GET /registers/<kind>/print/: the PDF and XLSX downloads, who gets 404, bad parameters, the audit event."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.reports.conftest import pdf_fonts, pdf_text
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.org import actions as org
from vanthu.org.models import Role
from vanthu.reports import registers


def print_url(kind="incoming", **params) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return f"{reverse('register_print', args=[kind])}?{query}"


def get(client, person, url):
    client.force_login(person.user)
    return client.get(url)


def whole_year(unit, year, **extra):
    return {"unit": unit.pk, "from": f"{year}-01-01", "to": f"{year}-12-31", **extra}


def test_the_url_contract():
    assert reverse("register_print", args=["incoming"]) == "/registers/incoming/print/"
    assert reverse("register_print", args=["outgoing"]) == "/registers/outgoing/print/"


def test_clerk_prints_the_incoming_register_as_pdf_with_embedded_vietnamese_fonts(client, cast, staff_incoming,
                                                                                   tmp_path):
    """Checklist point 30."""
    year = staff_incoming.year
    response = get(client, cast.lan, print_url(**whole_year(cast.staff, year)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="so-den-TM-{year}.pdf"; '
        f"filename*=UTF-8''{quote(f'Sổ đăng ký văn bản đến - TM - {year}.pdf', safe='')}"
    )
    content = response.content
    assert content.startswith(b"%PDF")
    fonts = pdf_fonts(content, tmp_path)
    assert fonts
    assert all(row[-5] == "yes" for row in fonts), fonts  # the emb column
    assert {row[1] for row in fonts} == {"TrueType"}
    text = pdf_text(content, tmp_path)
    flat = " ".join(text.split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "BỘ THAM MƯU" in text
    assert "BỘ TƯ LỆNH QUÂN KHU 10" in text
    assert f"Năm {year}" in text
    assert f"Từ ngày 01/01/{year} đến ngày 31/12/{year}" in text
    for title in registers.INCOMING_COLUMNS:
        assert str(title) in flat
    assert "(1) (2) (3) (4) (5) (6) (7) (8) (9) (10)" in flat
    assert "V/v chuẩn bị lực lượng phòng chống lụt bão, tìm kiếm cứu nạn" in flat
    assert "Hoàng Văn Sơn (Tham mưu trưởng)" in flat
    assert "Phòng Tác chiến" in flat
    assert "Sổ này gồm 5 văn bản, từ số 01 đến số 05." in text
    assert "VĂN THƯ" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text
    assert "bí mật" not in flat  # the secret document is in the secret register only


def test_xlsx_has_the_same_columns_real_dates_and_a_frozen_heading(client, cast, staff_incoming):
    year = staff_incoming.year
    response = get(client, cast.son, print_url(**whole_year(cast.staff, year, format="xlsx")))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="so-den-TM-{year}.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    heading = next(i for i, row in enumerate(values) if row[0] == "Ngày đến")
    assert values[heading] == [str(c) for c in registers.INCOMING_COLUMNS]
    assert values[heading + 1] == [f"({i})" for i in range(1, 11)]
    assert sheet.freeze_panes == f"A{heading + 3}"
    assert any(row[0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" for row in values[:heading])
    rows = values[heading + 2: heading + 7]
    assert [row[1] for row in rows] == [1, 2, 3, 4, 5]
    first = rows[0]
    assert isinstance(first[0], dt.datetime)
    assert first[0].date() == dt.date(year, 3, 10)
    assert first[0].hour == 9
    assert first[0].minute == 30
    assert isinstance(first[4], dt.datetime)
    assert first[4].date() == dt.date(year, 3, 8)
    assert first[5] == "Công văn V/v tổ chức diễn tập phòng thủ khu vực"
    assert first[6] == "Hoàng Văn Sơn (Tham mưu trưởng)"
    assert first[8] is None  # Ký nhận
    cell = sheet.cell(row=heading + 3, column=1)
    assert cell.number_format == "dd/mm/yyyy hh:mm"
    assert cell.alignment.wrap_text
    assert sheet.cell(row=heading + 3, column=2).number_format == "00"
    assert any(row[0] == "Sổ này gồm 5 văn bản, từ số 01 đến số 05." for row in values[heading + 7:])


def test_outgoing_register_prints_issued_documents(client, cast, issued, tmp_path):
    today = timezone.localdate()
    response = get(client, cast.lan, print_url("outgoing", unit=cast.staff.pk, **{"from": today.isoformat(),
                                                                                 "to": today.isoformat()}))
    assert response.status_code == 200
    flat = " ".join(pdf_text(response.content, tmp_path).split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in flat
    for title in registers.OUTGOING_COLUMNS:
        assert str(title) in flat
    assert "01/KH-TM" in flat
    assert "02/KH-TM" in flat
    assert "Kế hoạch chưa ký" not in flat
    assert "Đã thu hồi" in flat
    assert "Sai nơi nhận" in flat
    xlsx = get(client, cast.lan, print_url("outgoing", unit=cast.staff.pk, format="xlsx",
                                           **{"from": today.isoformat(), "to": today.isoformat()}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    heading = next(i for i, row in enumerate(values) if row[0] == "Số, ký hiệu văn bản")
    assert [row[0] for row in values[heading + 2: heading + 4]] == ["01/KH-TM", "02/KH-TM"]
    assert values[heading + 2][6] == 6
    assert isinstance(values[heading + 2][1], dt.datetime)


def test_default_range_is_this_year_up_to_today(client, cast):
    today = timezone.localdate()
    response = get(client, cast.lan, print_url(unit=cast.staff.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(verb="reports.register.printed").get()
    assert event.data["from"] == today.replace(month=1, day=1).isoformat()
    assert event.data["to"] == today.isoformat()
    assert event.data["format"] == "pdf"
    assert event.data["series"] == "chung"


def test_each_print_writes_an_audit_event(client, cast, staff_incoming):
    year = staff_incoming.year
    response = get(client, cast.lan, print_url(**whole_year(cast.staff, year, format="xlsx")))
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb="reports.register.printed")
    assert event.actor_id == cast.lan.pk
    assert event.unit_id == cast.staff.pk
    assert event.target_type == "org.unit"
    assert event.target_id == str(cast.staff.pk)
    assert event.data | {"sha256": "-", "registers": []} == {
        "kind": "in", "series": "chung", "from": f"{year}-01-01", "to": f"{year}-12-31", "format": "xlsx",
        "rows": 5, "registers": [], "sha256": "-", "via": "web", "ip": "127.0.0.1", "agent": "",
    }


@pytest.mark.parametrize("name", ["tam", "minh"])
def test_outsider_and_officer_without_clerk_role_get_404(client, cast, staff_incoming, name):
    person = getattr(cast, name)
    for unit in (cast.staff, person.unit):
        response = get(client, person, print_url(**whole_year(unit, staff_incoming.year)))
        assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb="reports.register.printed").exists()


def test_missing_unit_is_404_like_a_forbidden_one(client, cast):
    assert get(client, cast.lan, print_url(unit=999_999)).status_code == 404


def test_secret_register_is_refused_to_an_uncleared_clerk(client, cast, staff_incoming, tmp_path):
    year = staff_incoming.year
    thu = org.create_person(username="thu", password=None, full_name="Lê Thị Thu", unit=cast.staff,
                            acting=TEST_FIXTURES, clearance=Secrecy.NONE, roles=(Role.CLERK,))
    assert get(client, thu, print_url(**whole_year(cast.staff, year))).status_code == 200
    assert get(client, thu, print_url(**whole_year(cast.staff, year, series="mat"))).status_code == 404
    response = get(client, cast.lan, print_url(**whole_year(cast.staff, year, series="mat")))
    assert response.status_code == 200
    assert f'filename="so-mat-den-TM-{year}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN MẬT ĐẾN" in text
    assert "MẬT" in text
    assert "V/v kế hoạch bảo đảm bí mật" in text


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2026-03-01", "to": "2026-02-01"}, "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."),
    ({"from": "2025-01-01", "to": "2026-01-02"}, "Mỗi lần in được tối đa 366 ngày"),
    ({"from": "2026-13-01"}, "Ngày bắt đầu “2026-13-01” không hợp lệ"),
    ({"format": "docx"}, "Định dạng “docx” không được hỗ trợ"),
    ({"unit": "BTL"}, "Mã đơn vị “BTL” không hợp lệ."),
    ({"series": "chung mat"}, "Dãy số “chung mat” không hợp lệ."),
])
def test_bad_parameters_get_a_400_page_saying_why(client, cast, params, message):
    response = get(client, cast.lan, print_url(**({"unit": cast.staff.pk} | params)))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Không in được sổ" in page
    assert message in page
    assert not AuditEvent.objects.filter(verb="reports.register.printed").exists()


def test_a_whole_leap_year_is_allowed(client, cast):
    response = get(client, cast.lan, print_url(unit=cast.staff.pk, **{"from": "2024-01-01", "to": "2024-12-31"}))
    assert response.status_code == 200


def test_unknown_kind_is_404(client, cast):
    client.force_login(cast.lan.user)
    assert client.get("/registers/secret/print/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, cast):
    response = client.get(print_url(unit=cast.staff.pk))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_register_prints_in_vietnamese_from_an_english_page(client, cast, staff_incoming, settings, tmp_path):
    """The printout is the Phụ lục IV form to be signed and bound, whatever the reader's language."""
    from vanthu.core.management.commands.compiletranslations import compile_catalogs

    compile_catalogs()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = get(client, cast.lan, print_url(**whole_year(cast.staff, staff_incoming.year)))
    text = pdf_text(response.content, tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "REGISTER" not in text.upper().replace("SỔ ĐĂNG KÝ", "")
