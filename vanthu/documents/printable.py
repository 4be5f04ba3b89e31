"""One way to print a form or a report as Decree 30 Phụ lục I wants it, as PDF and as XLSX.

A `Printable` is the content (the issuing block, the title, lines, tables, the signature block); `to_pdf`
lays it out on A4 with the margins of Phụ lục I (top and bottom 20 mm, left 30 mm, right 15 mm), in the
serif font of `core.fonts` (Times New Roman metrics, Vietnamese glyphs) embedded as TrueType subsets, with
the page number centred in the top margin from page 2 on; `to_xlsx` writes the same content as a sheet.
Dates in the content are written with leading zeros (`vn_date`). Used by the Phiếu giải quyết văn bản đến,
the Sổ theo dõi giải quyết văn bản đến and the two handling reports (Phụ lục VI outputs), the KPI page, and a
search's result list (`search/export.py`): it sits in documents, below both reports and search.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanthu.core import fonts
from vanthu.documents.formatting import date_line

if TYPE_CHECKING:  # openpyxl is imported by `to_xlsx` (the URLconf imports this module)
    from openpyxl.styles import Font

REGULAR, BOLD, ITALIC = "VanthuForm", "VanthuForm-Bold", "VanthuForm-Italic"
TOP = BOTTOM = 20 * mm  # Phụ lục I: top and bottom 20–25 mm
LEFT = 30 * mm  # left 30–35 mm
RIGHT = 15 * mm  # right 15–20 mm
PAGE_NUMBER_BASELINE = 12 * mm  # from the top edge, inside the top margin


def vn_date(value: dt.date | dt.datetime | None, *, time: bool = False) -> str:
    """dd/mm/yyyy (hh:mm): day and month always with two digits."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        text = f"{value.day:02d}/{value.month:02d}/{value.year}"
        return f"{text} {value.hour:02d}:{value.minute:02d}" if time else text
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # millimetres in the PDF (the sheet's width is derived)
    centred: bool = False


@dataclass
class Table_:
    columns: list[Column]
    rows: list[list[str]]
    numbered_heading: bool = True  # the row (1) (2) … under the heading, as on the Phụ lục forms
    total: list[str] | None = None


@dataclass
class Printable:
    parent_name: str
    unit_name: str
    place_name: str
    title: str
    subtitle: list[str] = field(default_factory=list)
    blocks: list[tuple[str, Any]] = field(default_factory=list)  # ("h", text) | ("p", text) | ("table", Table_)
    signatures: tuple[str, str] = ("", "")  # left and right headings of the signature block ("" for none)
    landscape: bool = False
    secrecy_mark: str = ""
    printed_by: str = ""
    printed_at: dt.datetime | None = None
    sheet_name: str = "Báo cáo"

    def heading(self, text: str) -> Printable:
        self.blocks.append(("h", text))
        return self

    def line(self, text: str) -> Printable:
        self.blocks.append(("p", text))
        return self

    def table(self, table: Table_) -> Printable:
        self.blocks.append(("table", table))
        return self

    @property
    def printed_note(self) -> str:
        at = timezone.localtime(self.printed_at or timezone.now())
        note = _("In từ Hệ thống quản lý văn bản ngày %(day)s lúc %(time)s") % {
            "day": vn_date(at), "time": f"{at:%H:%M}"}
        if self.printed_by:
            note += " — " + _("người in: %(name)s") % {"name": self.printed_by}
        return note


@cache
def _fonts() -> None:
    serif = fonts.serif()
    pdfmetrics.registerFont(TTFont(REGULAR, str(serif.regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(serif.bold)))
    pdfmetrics.registerFont(TTFont(ITALIC, str(serif.italic)))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def to_pdf(doc: Printable) -> bytes:
    _fonts()
    size = landscape(A4) if doc.landscape else A4
    width = size[0] - LEFT - RIGHT
    out = io.BytesIO()

    def later_page(canvas: Any, _template: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 13)
        canvas.drawCentredString(LEFT + width / 2, size[1] - PAGE_NUMBER_BASELINE, str(canvas.getPageNumber()))
        canvas.restoreState()

    pdf = SimpleDocTemplate(out, pagesize=size, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP,
                            bottomMargin=BOTTOM, title=doc.title, author=doc.unit_name, creator="vanthu",
                            # a TrueType initial font: no page names a standard, unembedded font (Helvetica)
                            initialFontName=REGULAR, initialFontSize=13)
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=13, leading=16, spaceAfter=3)
    centre = ParagraphStyle("centre", parent=body, alignment=1)
    centre_bold = ParagraphStyle("centre_bold", parent=centre, fontName=BOLD)
    title = ParagraphStyle("title", parent=centre_bold, fontSize=14, leading=18, spaceBefore=6, spaceAfter=4)
    heading = ParagraphStyle("heading", parent=body, fontName=BOLD, spaceBefore=6)
    italic = ParagraphStyle("italic", parent=centre, fontName=ITALIC, fontSize=12)
    cell = ParagraphStyle("cell", fontName=REGULAR, fontSize=11, leading=13)
    cell_centre = ParagraphStyle("cell_centre", parent=cell, alignment=1)
    th = ParagraphStyle("th", parent=cell_centre, fontName=BOLD)
    note = ParagraphStyle("note", parent=body, fontName=ITALIC, fontSize=9, leading=11)

    head_left = [Paragraph(_esc(doc.parent_name.upper()), centre)] if doc.parent_name else []
    head_left.append(Paragraph(_esc(doc.unit_name.upper()), centre_bold))
    head_right = [Paragraph(_esc(date_line(doc.place_name, timezone.localdate(doc.printed_at or timezone.now()))),
                            italic)]
    if doc.secrecy_mark:
        head_right.insert(0, Paragraph(f"<b>{_esc(doc.secrecy_mark.upper())}</b>", centre))
    header = Table([[head_left, head_right]], colWidths=[width * 0.45, width * 0.55])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story: list[Any] = [header, Spacer(1, 6 * mm), Paragraph(_esc(doc.title.upper()), title)]
    story += [Paragraph(_esc(line), centre) for line in doc.subtitle]
    story.append(Spacer(1, 3 * mm))
    for kind, value in doc.blocks:
        if kind == "h":
            story.append(Paragraph(_esc(value), heading))
        elif kind == "p":
            story.append(Paragraph(_esc(value), body))
        else:
            table: Table_ = value
            scale = width / (sum(c.width for c in table.columns) * mm)
            widths = [c.width * mm * scale for c in table.columns]
            data: list[list[Any]] = [[Paragraph(_esc(c.heading), th) for c in table.columns]]
            if table.numbered_heading:
                data.append([Paragraph(f"({i})", cell_centre) for i in range(1, len(table.columns) + 1)])
            for row in [*table.rows, *([table.total] if table.total else [])]:
                data.append([Paragraph(_esc(v), cell_centre if c.centred else cell)
                             for v, c in zip(row, table.columns, strict=True)])
            repeat = 2 if table.numbered_heading else 1
            grid = Table(data, colWidths=widths, repeatRows=repeat)
            grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#000000"),
                                      ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(1, 2 * mm), grid, Spacer(1, 2 * mm)]
    left, right = doc.signatures
    if left or right:
        sign = Table([[Paragraph(_esc(left), centre_bold), Paragraph(_esc(right), centre_bold)],
                      [Paragraph(_("(Ký, ghi rõ họ tên)") if left else "", italic),
                       Paragraph(_("(Ký, ghi rõ họ tên)") if right else "", italic)]],
                     colWidths=[width / 2, width / 2])
        sign.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
        story.append(KeepTogether([Spacer(1, 6 * mm), sign, Spacer(1, 22 * mm)]))
    story.append(Paragraph(_esc(doc.printed_note), note))
    pdf.build(story, onLaterPages=later_page)
    return out.getvalue()


def to_xlsx(doc: Printable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws: Any = book.active
    ws.title = doc.sheet_name[:31]
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if doc.landscape else "portrait"
    ws.page_margins.left, ws.page_margins.right = 30 / 25.4, 15 / 25.4
    ws.page_margins.top = ws.page_margins.bottom = 20 / 25.4
    family = "Times New Roman"
    bold, plain, big = Font(name=family, bold=True, size=12), Font(name=family, size=12), \
        Font(name=family, bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    box = Border(*(Side(style="thin", color="000000"),) * 4)
    widest = max([len(t.columns) for k, t in doc.blocks if k == "table"] or [2])
    widths = [0.0] * widest

    def put(values: list[str], font: Font, *, boxed: bool = False) -> None:
        ws.append(values)
        for c in ws[ws.max_row]:
            c.font, c.alignment = font, wrap
            if boxed:
                c.border = box

    if doc.parent_name:
        put([doc.parent_name.upper()], plain)
    put([doc.unit_name.upper()], bold)
    if doc.secrecy_mark:
        put([doc.secrecy_mark.upper()], bold)
    put([doc.title.upper()], big)
    for line in doc.subtitle:
        put([line], plain)
    for kind, value in doc.blocks:
        if kind in ("h", "p"):
            put([value], bold if kind == "h" else plain)
            continue
        table: Table_ = value
        put([c.heading for c in table.columns], bold, boxed=True)
        for i, c in enumerate(table.columns):
            widths[i] = max(widths[i], c.width * 0.55)
        for row in table.rows:
            put(row, plain, boxed=True)
        if table.total:
            put(table.total, bold, boxed=True)
    put([doc.printed_note], Font(name=family, italic=True, size=9))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(w, 12)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
