"""Checklist point 54: every PDF vanthu generates follows Decree 30 Phụ lục I — A4, margins (top and bottom
20–25 mm, left 30–35 mm, right 15–20 mm), Times New Roman (Unicode; here its metric twin, embedded), page
numbers centred in the top margin from page 2 and not on page 1, dates with leading zeros. Each PDF is measured
with poppler: word boxes (`pdftotext -bbox`) and fonts (`pdffonts`). And an uploaded draft that breaks the
layout gets a warning, not a refusal.

The PDFs: the incoming and outgoing registers, the Phiếu giải quyết, the Sổ theo dõi giải quyết, the two
handling reports, the weekly report. (The mark on a downloaded secret copy and the signature appearances are
drawn on a PDF vanthu did not lay out; the copy mark sits in the bottom margin on purpose.)
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from reportlab.pdfgen.canvas import Canvas

from tests.pages.test_drafting_pages import draft_form
from tests.reports.conftest import pdf_fonts
from vanthu.core import fonts
from vanthu.documents import layout
from vanthu.documents.models import Document
from vanthu.documents.printable import Column, Printable, Table_, to_pdf

MM = 72 / 25.4
A4 = (595.28, 841.89)
TOP = BOTTOM = 20 * MM
LEFT, RIGHT = 30 * MM, 15 * MM
SLACK = 1.2 * MM  # a glyph's box reaches a little past its baseline and advance


@dataclass
class Word:
    x0: float
    y0: float  # from the top edge, as poppler gives it
    x1: float
    y1: float
    text: str


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]


def measure(data: bytes, tmp_path) -> list[Page]:
    path = tmp_path / "measured.pdf"
    path.write_bytes(data)
    out = subprocess.run([shutil.which("pdftotext") or "pdftotext", "-bbox", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    pages = []
    for n, (w, h, body) in enumerate(re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out,
                                                re.S), start=1):
        words = [Word(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body)]
        pages.append(Page(n, float(w), float(h), words))
    return pages


def assert_phu_luc_i(data: bytes, tmp_path) -> list[Page]:
    pages = measure(data, tmp_path)
    assert pages
    family = fonts.serif().regular.stem.split("-")[0]  # LiberationSerif (Times New Roman's metrics)
    rows = pdf_fonts(data, tmp_path)
    assert rows
    for row in rows:
        assert row[-5] == "yes", row  # embedded
        assert row[-3] == "yes", row  # with a Unicode map
        assert family in row[0], row
    for page in pages:
        assert sorted((round(page.width), round(page.height))) == [595, 842], page.number  # A4, either way
        in_top_margin = [w for w in page.words if w.y0 < TOP - SLACK]
        if page.number == 1:
            assert not in_top_margin, [w.text for w in in_top_margin]  # no page number on page 1
        else:
            numbers = [w for w in in_top_margin if w.text == str(page.number)]
            assert numbers, f"page {page.number} has no number in its top margin"
            centre = (LEFT + page.width - RIGHT) / 2
            assert abs((numbers[0].x0 + numbers[0].x1) / 2 - centre) < 3 * MM
            line = numbers[0].y1
            assert all(abs(w.y1 - line) < 1.5 * MM for w in in_top_margin)  # only the page-number line
        for w in page.words:
            if w in in_top_margin:
                continue
            assert w.x0 >= LEFT - SLACK, (page.number, w)
            assert w.x1 <= page.width - RIGHT + SLACK, (page.number, w)
            assert w.y1 <= page.height - BOTTOM + SLACK, (page.number, w)
    text = " ".join(w.text for p in pages for w in p.words)
    for day, month, _year in re.findall(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", text):
        assert len(day) == 2 and len(month) == 2, f"{day}/{month}"  # noqa: PT018
    for day in re.findall(r"ngày (\d{1,2}) tháng", text):
        assert len(day) == 2
    return pages


def get(client, person, url):
    client.force_login(person.user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_checklist_point_54_the_printed_registers_follow_phu_luc_i(client, cast, staff_incoming, issued, tmp_path):
    year = staff_incoming.year
    incoming = get(client, cast.lan, reverse("register_print", args=["incoming"])
                   + f"?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31")
    assert len(assert_phu_luc_i(incoming, tmp_path)) >= 2
    today = timezone.localdate()
    outgoing = get(client, cast.lan, reverse("register_print", args=["outgoing"])
                   + f"?unit={cast.staff.pk}&from={today.year}-01-01&to={today.isoformat()}")
    assert len(assert_phu_luc_i(outgoing, tmp_path)) >= 2


def test_checklist_point_54_the_handling_forms_and_reports_follow_phu_luc_i(client, cast, staff_incoming, issued,
                                                                          tmp_path):
    year = staff_incoming.year
    period = f"?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31&format=pdf"
    assert_phu_luc_i(get(client, cast.lan, reverse("handling_slip", args=[staff_incoming.docs[1].pk])
                         + "?format=pdf"), tmp_path)
    for kind in ("followup", "handling-in"):
        assert_phu_luc_i(get(client, cast.lan, reverse("handling_report", args=[kind]) + period), tmp_path)
    today = timezone.localdate()
    assert_phu_luc_i(get(client, cast.lan, reverse("handling_report", args=["handling-out"])
                         + f"?unit={cast.staff.pk}&from={today.year}-01-01&to={today.isoformat()}&format=pdf"),
                     tmp_path)


def test_checklist_point_54_a_long_report_numbers_its_pages_from_page_2(db, tmp_path):
    doc = Printable(parent_name="Bộ Tư lệnh Quân khu 10", unit_name="Bộ Tham mưu", place_name="Đà Nẵng",
                    title="Báo cáo tình hình giải quyết văn bản đến", printed_at=timezone.now())
    doc.table(Table_(columns=[Column("TT", 10), Column("Đơn vị", 60), Column("Ngày", 30)],
                     rows=[[str(i), f"Đơn vị số {i}", f"{(i % 28) + 1:02d}/02/2026"] for i in range(1, 160)]))
    pages = assert_phu_luc_i(to_pdf(doc), tmp_path)
    assert len(pages) >= 3


def test_checklist_point_54_the_weekly_report_follows_phu_luc_i(client, cast, tmp_path):
    pdf = get(client, cast.son, reverse("weekly_report", args=[cast.staff.pk]) + "?format=pdf")
    assert_phu_luc_i(pdf, tmp_path)


def letter_sized(text: str = "Dự thảo kế hoạch") -> bytes:
    import io

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(612, 792))
    canvas.drawString(10 * MM, 10 * MM, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_checklist_point_54_layout_check_measures_size_fonts_and_margins():
    report = layout.check(letter_sized())
    assert any("216 × 279 mm" in w for w in report.warnings)
    assert any("Helvetica" in w and "Times New Roman" in w for w in report.warnings)
    assert any("Lề trái 10 mm" in w for w in report.warnings)
    assert any("Lề dưới 10 mm" in w for w in report.warnings)


def test_checklist_point_54_a_vanthu_form_passes_the_upload_check(db):
    doc = Printable(parent_name="", unit_name="Bộ Tham mưu", place_name="Đà Nẵng", title="Phiếu")
    doc.line("Nội dung")
    assert layout.check(to_pdf(doc)).warnings == []


def test_checklist_point_54_a_draft_breaking_the_layout_is_kept_with_a_warning(client, cast, doc_types):
    client.force_login(cast.quang.user)
    response = client.post(reverse("draft_new"), draft_form(
        cast, doc_types, SimpleUploadedFile("du-thao.pdf", letter_sized(), content_type="application/pdf"),
        subject="Kế hoạch huấn luyện quý I"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Document.objects.filter(subject="Kế hoạch huấn luyện quý I").exists()  # not refused
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("Phụ lục I" in w and "216 × 279 mm" in w for w in warnings), warnings
