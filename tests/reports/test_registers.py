"""Which rows a printed register holds, in which order, with which Phụ lục IV columns; who may print it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.reports.conftest import at, register
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.documents.models import RegisterKind
from vanthu.org import actions as org
from vanthu.org.models import Role
from vanthu.reports import registers

IN, OUT = RegisterKind.INCOMING, RegisterKind.OUTGOING


def year_of(unit, kind, year, series="chung"):
    return registers.open_register(unit=unit, kind=kind, series=series, start=dt.date(year, 1, 1),
                                   end=dt.date(year, 12, 31))


def test_the_columns_are_the_ten_of_phu_luc_iv():
    """Checklist points 30 and 31."""
    assert [str(c) for c in registers.INCOMING_COLUMNS] == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản", "Tên loại và trích yếu",
        "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
    ]
    assert [str(c) for c in registers.OUTGOING_COLUMNS] == [
        "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
        "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú",
    ]


def test_an_english_reader_gets_the_type_in_english_in_the_register(cast, staff_incoming):
    """Issue 12 item 12: in English the document type is translated (the stored value stays Vietnamese)."""
    from django.utils import translation

    printout = year_of(cast.staff, IN, staff_incoming.year)
    with translation.override("en"):
        first = next(registers.incoming_rows(printout))
    assert first.type_and_subject == "Official letter V/v tổ chức diễn tập phòng thủ khu vực"


def test_incoming_rows_in_number_order_with_who_received_them(cast, staff_incoming):
    printout = year_of(cast.staff, IN, staff_incoming.year)
    rows = list(registers.incoming_rows(printout))
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert printout.count == 5
    assert printout.numbers_text == "Từ số 01 đến số 05"
    first, second, third = rows[0], rows[1], rows[2]
    assert first.arrival_at.date() == dt.date(staff_incoming.year, 3, 10)
    assert first.organ_name == "Bộ Tổng Tham mưu"
    assert first.notation == "20/BTTM-TC"
    assert first.issued_date == dt.date(staff_incoming.year, 3, 8)
    assert first.type_and_subject == "Công văn V/v tổ chức diễn tập phòng thủ khu vực"
    # presented only: the leader it went to; directed: the lead unit of the direction
    assert first.receivers == "Hoàng Văn Sơn (Tham mưu trưởng)"
    assert second.receivers == "Phòng Tác chiến"
    assert first.transferred_at is not None
    assert first.transferred_at.date() == timezone.localdate()
    assert second.note == "Khẩn"
    assert third.receivers == ""
    assert third.transferred_at is None
    assert rows[4].note == "Kèm bản giấy"
    assert all(len(r.cells()) == 10 and r.cells()[8] == "" for r in rows)  # Ký nhận stays blank


def test_rows_cost_a_fixed_number_of_queries(cast, staff_incoming, doc_types, incoming_pdf):
    printout = year_of(cast.staff, IN, staff_incoming.year)
    with CaptureQueriesContext(connection) as few:
        list(registers.incoming_rows(printout))
    for day in range(5):
        register(cast, doc_types, incoming_pdf, subject="V/v thêm",
                 arrival=at(dt.date(staff_incoming.year, 6, 1 + day)))
    printout = year_of(cast.staff, IN, staff_incoming.year)
    with CaptureQueriesContext(connection) as more:
        assert len(list(registers.incoming_rows(printout))) == 10
    assert len(more.captured_queries) == len(few.captured_queries) <= 2


def test_date_range_filters_by_arrival_day(cast, staff_incoming):
    year = staff_incoming.year
    printout = registers.open_register(unit=cast.staff, kind=IN, series="chung", start=dt.date(year, 3, 11),
                                       end=dt.date(year, 4, 12))
    assert [r.number for r in registers.incoming_rows(printout)] == [2, 3]
    assert printout.numbers_text == "Từ số 02 đến số 03"


def test_a_range_across_new_year_takes_both_registers_in_order(cast, doc_types, incoming_pdf):
    year = timezone.localdate().year - 1
    for day in (dt.date(year - 1, 12, 30), dt.date(year, 1, 2), dt.date(year - 1, 12, 31), dt.date(year, 1, 3)):
        register(cast, doc_types, incoming_pdf, subject=f"V/v văn bản ngày {day:%d/%m}", arrival=at(day))
    printout = registers.open_register(unit=cast.staff, kind=IN, series="chung", start=dt.date(year - 1, 12, 1),
                                       end=dt.date(year, 1, 31))
    rows = list(registers.incoming_rows(printout))
    assert [(r.year, r.number) for r in rows] == [(year - 1, 1), (year - 1, 2), (year, 1), (year, 2)]
    assert printout.numbers_text == f"Từ số 01 đến số 02 (năm {year - 1}); từ số 01 đến số 02 (năm {year})"
    assert printout.ascii_file_name == f"so-den-TM-{year - 1}-{year}"


def test_secret_documents_are_in_their_own_register(cast, staff_incoming):
    """Checklist point 4."""
    general = year_of(cast.staff, IN, staff_incoming.year)
    assert not [r for r in registers.incoming_rows(general) if "bí mật" in r.type_and_subject]
    assert general.secrecy == Secrecy.NONE
    assert not general.is_secret
    secret = year_of(cast.staff, IN, staff_incoming.year, series="mat")
    rows = list(registers.incoming_rows(secret))
    assert [r.number for r in rows] == [1]
    assert rows[0].note == "Mật"
    assert secret.title == "Sổ đăng ký văn bản mật đến"
    assert secret.secrecy_mark == "MẬT"
    assert secret.ascii_file_name == f"so-mat-den-TM-{staff_incoming.year}"


def test_outgoing_rows_of_issued_documents_only(cast, issued):
    today = timezone.localdate()
    printout = registers.open_register(unit=cast.staff, kind=OUT, series="chung", start=today, end=today)
    rows = list(registers.outgoing_rows(printout))
    assert [r.notation for r in rows] == ["01/KH-TM", "02/KH-TM"]  # the draft has no number and no row
    first, recalled = rows
    assert first.issued_date == today
    assert first.type_and_subject == "Kế hoạch Kế hoạch huấn luyện năm 2027"
    assert first.signer == "Hoàng Văn Sơn\nTham mưu trưởng"
    assert first.recipients == "Sư đoàn 301; Bộ Chỉ huy Quân sự tỉnh A; Bộ Chỉ huy Quân sự tỉnh B"
    assert first.kept_by == "Phòng Tác chiến – Bùi Đức Quang"
    assert first.copies == 6
    assert first.transferred_at is not None
    assert first.transferred_at.date() == today
    assert first.note == ""
    assert recalled.note == f"Đã thu hồi ngày {today:%d/%m/%Y}: Sai nơi nhận"
    tomorrow = registers.open_register(unit=cast.staff, kind=OUT, series="chung", start=today + dt.timedelta(1),
                                       end=today + dt.timedelta(2))
    assert list(registers.outgoing_rows(tomorrow)) == []
    assert tomorrow.count == 0


# --- who may print ----------------------------------------------------------------------------------------


def access(person, unit, *, kind=IN, series="chung", year):
    return registers.access_register(person, unit_id=unit.pk, kind=kind, series=series,
                                     start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))


def test_the_units_clerk_and_leader_may_print(cast, staff_incoming):
    assert access(cast.lan, cast.staff, year=staff_incoming.year).count == 5
    assert access(cast.son, cast.staff, year=staff_incoming.year).count == 5
    assert access(cast.lan, cast.staff, series="mat", year=staff_incoming.year).count == 1


@pytest.mark.parametrize("name", ["tam", "minh", "quang", "hoa", "admin"])
def test_others_get_404(cast, staff_incoming, name):
    with pytest.raises(Http404):
        access(getattr(cast, name), cast.staff, year=staff_incoming.year)


def test_officer_without_clerk_role_cannot_print_his_own_units_register(cast):
    with pytest.raises(Http404):
        access(cast.minh, cast.division, year=2026)


def test_missing_unit_looks_like_a_forbidden_one(cast):
    with pytest.raises(Http404):
        registers.access_register(cast.lan, unit_id=999_999, kind=IN, series="chung", start=dt.date(2026, 1, 1),
                                  end=dt.date(2026, 1, 2))


def test_secret_register_needs_clearance_for_every_row(cast, staff_incoming):
    uncleared = org.create_person(username="thu", password=None, full_name="Lê Thị Thu", unit=cast.staff,
                                  acting=TEST_FIXTURES, clearance=Secrecy.NONE, roles=(Role.CLERK,))
    assert access(uncleared, cast.staff, year=staff_incoming.year).count == 5
    with pytest.raises(Http404):
        access(uncleared, cast.staff, series="mat", year=staff_incoming.year)
    # an empty secret register is still a secret register
    with pytest.raises(Http404):
        access(uncleared, cast.staff, series="mat", year=staff_incoming.year - 5)
