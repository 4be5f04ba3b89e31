"""A unit's weekly status report of its tasks (issue 9), as PDF and XLSX: one row per task — what, who, deadline,
state, progress, result — and the tally. The rows come from `workflow.task_queries.weekly` (reports sits above
workflow); printed in Vietnamese like the registers."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanthu.core import fonts
from vanthu.org.models import Unit
from vanthu.workflow.charts import labels
from vanthu.workflow.task_queries import RollupRow

REGULAR, BOLD = "VanthuWeekly", "VanthuWeekly-Bold"


@cache
def _fonts() -> None:
    serif = fonts.serif()
    pdfmetrics.registerFont(TTFont(REGULAR, str(serif.regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(serif.bold)))


def _headers() -> list[str]:
    return [_("TT"), _("Nội dung công việc"), _("Người, đơn vị thực hiện"), _("Hạn xử lý"), _("Trạng thái"),
            _("Tiến độ"), _("Kết quả xử lý")]


def _cells(i: int, row: RollupRow) -> list[str]:
    t = row.task
    state = f"{t.state_label} — {labels()[row.bucket]}"
    return [str(i), t.subject, t.assignee_name, t.deadline.strftime("%d/%m/%Y") if t.deadline else "",
            state, f"{t.progress}%", t.result]


def _title(unit: Unit, start: dt.date, end: dt.date) -> str:
    return _("BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ TUẦN %(start)s – %(end)s") % {
        "start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")}


def _tally(rows: list[RollupRow]) -> str:
    names = labels()
    counts = {key: 0 for key in names}
    for row in rows:
        counts[row.bucket] += 1
    return "; ".join(f"{names[k]}: {n}" for k, n in counts.items())


def render_pdf(unit: Unit, rows: list[RollupRow], *, start: dt.date, end: dt.date) -> bytes:
    _fonts()
    out = io.BytesIO()
    size = landscape(A4)
    # Decree 30 Phụ lục I: margins top and bottom 20 mm, left 30, right 15; the page number centred in the
    # top margin from page 2; only embedded fonts (the initial font too)
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=_title(unit, start, end), initialFontName=REGULAR,
                            initialFontSize=10)

    def later_page(canvas: Any, _template: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 13)
        canvas.drawCentredString(30 * mm + (size[0] - 45 * mm) / 2, size[1] - 12 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=12)
    head = ParagraphStyle("head", fontName=BOLD, fontSize=13, leading=16, alignment=1)
    cell = ParagraphStyle("cell", fontName=REGULAR, fontSize=9, leading=11)
    data = [[Paragraph(h, ParagraphStyle("th", parent=cell, fontName=BOLD)) for h in _headers()]]
    data += [[Paragraph(c.replace("&", "&amp;").replace("<", "&lt;"), cell) for c in _cells(i, r)]
             for i, r in enumerate(rows, 1)]
    widths = [10 * mm, 70 * mm, 40 * mm, 22 * mm, 40 * mm, 15 * mm, 55 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, "#444444"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
    doc.build([Paragraph(unit.name.upper(), body), Spacer(1, 4 * mm), Paragraph(_title(unit, start, end), head),
               Spacer(1, 4 * mm), Paragraph(_tally(rows), body), Spacer(1, 4 * mm), table], onLaterPages=later_page)
    return out.getvalue()


def render_xlsx(unit: Unit, rows: list[RollupRow], *, start: dt.date, end: dt.date) -> bytes:
    from openpyxl import Workbook  # imported where a sheet is written: loading the pages need not pay for it
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Báo cáo tuần")
    ws.append([unit.name])
    ws.append([_title(unit, start, end)])
    ws["A2"].font = Font(bold=True)
    ws.append([_tally(rows)])
    ws.append(_headers())
    for c in ws[4]:
        c.font = Font(bold=True)
    for i, row in enumerate(rows, 1):
        ws.append(_cells(i, row))
    for letter, width in zip("ABCDEFG", (5, 60, 30, 12, 30, 8, 50), strict=True):
        ws.column_dimensions[letter].width = width
    for line in ws.iter_rows(min_row=5):
        for c in line:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
