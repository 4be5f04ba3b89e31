"""The printed register's pages: cover, heading on every page, page numbers, rows split only when too tall."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from tests.reports.conftest import pdf_text
from vanthu.documents.models import RegisterKind
from vanthu.org.models import Unit
from vanthu.reports import pdf, registers


def printout(count: int) -> registers.RegisterPrintout:
    command = Unit(name="Bộ Tư lệnh Quân khu 10", abbreviation="BTL", place_name="Đà Nẵng")
    staff = Unit(name="Bộ Tham mưu", abbreviation="TM", parent=command, place_name="Đà Nẵng")
    spans = [registers.YearSpan(year=2026, count=count, first=1, last=count)] if count else []
    return registers.RegisterPrintout(unit=staff, kind=RegisterKind.INCOMING, series="chung",
                                      start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), register_ids=[],
                                      spans=spans)


def row(number: int, *, note: str = "") -> registers.IncomingRow:
    arrival = timezone.make_aware(dt.datetime(2026, 1, 5, 8)) + dt.timedelta(hours=number)
    return registers.IncomingRow(
        year=2026, number=number, arrival_at=timezone.localtime(arrival), organ_name="Bộ Tổng Tham mưu",
        notation=f"{number}/BTTM-TC", issued_date=dt.date(2026, 1, 2),
        type_and_subject=f"Công văn V/v kiểm tra sẵn sàng chiến đấu đợt {number}", receivers="Phòng Tác chiến",
        transferred_at=None, note=note,
    )


def pages(data: bytes, tmp_path) -> list[str]:
    return pdf_text(data, tmp_path).split("\f")[:-1]


def test_heading_repeats_on_every_page_and_pages_are_numbered_from_page_2(tmp_path):
    """Checklist point 54."""
    data = pdf.render(printout(120), (row(n) for n in range(1, 121)))
    texts = pages(data, tmp_path)
    assert len(texts) > 4
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in texts[0]
    assert "(10)" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert re.search(rf"— 2026 {number}\n", text), number  # the running head, the number centred
        if "Bộ Tổng Tham mưu" in text:  # a page of rows (the closing may stand on a page of its own)
            assert "Tên loại và trích yếu" in text
            assert "(1) (2) (3) (4) (5) (6) (7) (8) (9) (10)" in text
    numbers = [int(n) for n in re.findall(r"\n\d\d:\d\d\n(\d+) Bộ Tổng Tham mưu", "\n".join(texts))]
    assert numbers == list(range(1, 121))  # every row once, in order
    assert f"Sổ này có {len(texts)} trang" in texts[-1]


def test_a_row_taller_than_a_page_continues_on_the_next(tmp_path):
    long_note = " ".join(f"ghi chú {i}" for i in range(300))
    data = pdf.render(printout(3), [row(1), row(2, note=long_note), row(3)])
    flat = " ".join(" ".join(pages(data, tmp_path)).split())
    assert "ghi chú 0" in flat
    assert "ghi chú 299" in flat
    assert len(pages(data, tmp_path)) >= 4  # cover + the row across at least two pages


def test_an_empty_register_still_prints_cover_heading_and_closing(tmp_path):
    texts = pages(pdf.render(printout(0), []), tmp_path)
    assert "Không có văn bản nào được đăng ký trong khoảng thời gian này." in texts[0]
    assert "Ngày đến" in texts[1]
    assert "VĂN THƯ" in texts[-1]
