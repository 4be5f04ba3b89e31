"""The register as a PDF to print, sign and bind (Decree 30 Điều 16, 22; Phụ lục IV).

Landscape A4, the serif font of `vanthu.core.fonts` (Times New Roman metrics, Vietnamese glyphs) embedded as
TrueType subsets. Page 1 is the cover (bìa sổ): the governing body and the unit, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
the year, the date range, "Từ số … đến số …", "Quyển số". Then the ten numbered columns, their heading
repeated on every page, rows in number order with an empty "Ký nhận" column for handwritten signatures,
page numbers centred in the top margin from page 2 (Phụ lục I), and a closing block: the count, the page
count, and room for the clerk's and the head's signatures.

The pages are drawn one by one on a reportlab canvas rather than through a platypus table: a year of a
large unit holds 50,000 rows, and a table that re-measures itself at every page split grows quadratic.
Text is wrapped with cached word widths and written as raw text operators whose encoding is cached per
word (`_Ink`): 50,000 rows (about 4,700 pages) take about 13 s of CPU, against minutes through
`canvas.drawString` and platypus tables.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from vanthu.core import fonts
from vanthu.documents.formatting import date_line
from vanthu.documents.numbering import format_number
from vanthu.org.models import Person
from vanthu.reports.registers import Cell, RegisterPrintout, Row

# reportlab wraps compressed streams in ASCII85 by default, in pure Python: a third of the time of a large
# register. Binary Flate streams are what every other PDF producer writes; turned off once, process-wide.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
LEFT = 30 * mm  # the binding edge (Decree 30 Phụ lục I: left margin 30–35 mm)
RIGHT = 15 * mm
TOP = 20 * mm
BOTTOM = 20 * mm  # top and bottom 20–25 mm
HEAD_BASELINE = PAGE_HEIGHT - 12 * mm  # page number and running head, inside the top margin

REGULAR, BOLD, ITALIC = "VanthuSerif", "VanthuSerif-Bold", "VanthuSerif-Italic"
BODY_SIZE = 9.5
LEADING = 11.5
PAD_X = 2.2
PAD_Y = 3.0


@dataclass(frozen=True)
class Column:
    width: float  # millimetres
    align: str = "left"  # left | centre
    number: bool = False  # a register number, printed with a leading zero below 10


INCOMING_LAYOUT = (
    Column(19, "centre"),  # (1) Ngày đến (date and time)
    Column(12, "centre", number=True),  # (2) Số đến
    Column(33),  # (3) Tác giả
    Column(25, "centre"),  # (4) Số, ký hiệu
    Column(19, "centre"),  # (5) Ngày tháng văn bản
    Column(55),  # (6) Tên loại và trích yếu
    Column(31),  # (7) Đơn vị hoặc người nhận
    Column(19, "centre"),  # (8) Ngày chuyển
    Column(17),  # (9) Ký nhận
    Column(22),  # (10) Ghi chú
)
OUTGOING_LAYOUT = (
    Column(25, "centre"),  # (1) Số, ký hiệu văn bản
    Column(19, "centre"),  # (2) Ngày tháng văn bản
    Column(52),  # (3) Tên loại và trích yếu nội dung
    Column(29),  # (4) Người ký
    Column(33),  # (5) Nơi nhận văn bản
    Column(28),  # (6) Đơn vị, người nhận bản lưu
    Column(12, "centre"),  # (7) Số lượng bản
    Column(19, "centre"),  # (8) Ngày chuyển
    Column(16),  # (9) Ký nhận
    Column(19),  # (10) Ghi chú
)


@cache
def _register_fonts() -> None:
    serif = fonts.serif()
    pdfmetrics.registerFont(TTFont(REGULAR, str(serif.regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(serif.bold)))
    pdfmetrics.registerFont(TTFont(ITALIC, str(serif.italic)))


# --- fast text -------------------------------------------------------------------------------------------


class _Measure:
    """Widths of words and lines in one font and size, cached (a register repeats the same words a lot)."""

    def __init__(self, font: str, size: float) -> None:
        self.font = font
        self.size = size
        self._widths: dict[str, float] = {}
        self._wrapped: dict[tuple[str, float], list[str]] = {}
        self.space = self.width(" ")

    def width(self, text: str) -> float:
        found = self._widths.get(text)
        if found is None:
            if len(self._widths) > 50_000:
                self._widths.clear()
            found = self._widths[text] = pdfmetrics.stringWidth(text, self.font, self.size)
        return found

    def wrap(self, text: str, limit: float) -> list[str]:
        """Greedy line breaking at spaces (and explicit newlines); a word wider than the column is cut."""
        key = (text, limit)
        found = self._wrapped.get(key)
        if found is None:
            if len(self._wrapped) > 20_000:
                self._wrapped.clear()
            found = self._wrapped[key] = self._wrap(text, limit)
        return found

    def _wrap(self, text: str, limit: float) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            current: list[str] = []
            used = 0.0
            for word in paragraph.split():
                w = self.width(word)
                if w > limit:
                    if current:
                        lines.append(" ".join(current))
                    pieces = self._cut(word, limit)
                    lines.extend(pieces[:-1])
                    current, used = [pieces[-1]], self.width(pieces[-1])
                elif current and used + self.space + w > limit:
                    lines.append(" ".join(current))
                    current, used = [word], w
                else:
                    used += (self.space if current else 0.0) + w
                    current.append(word)
            if current:
                lines.append(" ".join(current))
        return lines

    def _cut(self, word: str, limit: float) -> list[str]:
        pieces: list[str] = []
        piece = ""
        for ch in word:
            if piece and pdfmetrics.stringWidth(piece + ch, self.font, self.size) > limit:
                pieces.append(piece)
                piece = ch
            else:
                piece += ch
        pieces.append(piece)
        return pieces


class _Ink:
    """Writes many short lines of text as one text object per page.

    A TrueType font is written as subsets of up to 256 glyphs; each string becomes runs of (subset, bytes).
    reportlab's `splitString` computes them character by character, so they are cached per word (a register
    repeats the same few thousand words) and a line is its words' runs joined by spaces; each line then
    costs one formatted position. Call `flush()` before the page ends.
    """

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.doc = canvas._doc  # type: ignore[attr-defined]  # the document whose font subsets hold the glyphs
        self._words: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
        self._strings: dict[tuple[str, float, str], str] = {}  # whole lines that repeat: dates, names, marks
        self._lines: list[str] = []

    def _runs(self, font_name: str, word: str) -> list[tuple[int, bytes]]:
        key = (font_name, word)
        found = self._words.get(key)
        if found is None:
            if len(self._words) > 100_000:
                self._words.clear()
            font = pdfmetrics.getFont(font_name)
            found = self._words[key] = font.splitString(word, self.doc)  # type: ignore[attr-defined]
        return found

    def _operators(self, font_name: str, size: float, text: str) -> str:
        key = (font_name, size, text)
        found = self._strings.get(key)
        if found is None:
            if len(self._strings) > 20_000:
                self._strings.clear()
            found = self._strings[key] = self._encode(font_name, size, text)
        return found

    def _encode(self, font_name: str, size: float, text: str) -> str:
        runs: list[tuple[int, bytes]] = []
        space = self._runs(font_name, " ")
        for word in text.split(" "):
            if runs:
                runs.extend(space)
            runs.extend(self._runs(font_name, word))
        merged: list[tuple[int, bytes]] = []
        for subset, data in runs:
            if merged and merged[-1][0] == subset:
                merged[-1] = (subset, merged[-1][1] + data)
            else:
                merged.append((subset, data))
        font = pdfmetrics.getFont(font_name)
        return " ".join(
            f"{font.getSubsetInternalName(subset, self.doc)} {size:g} Tf <{data.hex()}> Tj"  # type: ignore[attr-defined]
            for subset, data in merged
        )

    def text(self, x: float, y: float, text: str, *, font: str = REGULAR, size: float = BODY_SIZE) -> None:
        if text:
            self._lines.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm {self._operators(font, size, text)}")

    def flush(self) -> None:
        if self._lines:
            self.canvas.addLiteral("BT\n" + "\n".join(self._lines) + "\nET")
            self._lines.clear()


# --- the document ----------------------------------------------------------------------------------------


def _text_of(value: Cell, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # rows carry local times
        return f"{value.day:02d}/{value.month:02d}/{value.year}\n{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, int):
        return format_number(value) if column.number else str(value)
    return value


class _RegisterPdf:
    def __init__(self, printout: RegisterPrintout, *, printed_by: Person | None, printed_at: dt.datetime) -> None:
        _register_fonts()
        self.printout = printout
        self.printed_by = printed_by
        self.printed_at = timezone.localtime(printed_at)
        self.buffer = io.BytesIO()
        # a TrueType initial font: the page preamble then names no standard (unembedded) font
        self.canvas = Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
                             initialFontName=REGULAR,  # type: ignore[arg-type]  # (the stubs say float)
                             initialFontSize=BODY_SIZE, pageCompression=1)
        self.canvas.setTitle(f"{printout.title} — {printout.unit.name} — {printout.years_text}")
        self.canvas.setAuthor(printout.unit.name)
        self.canvas.setSubject(printout.range_text)
        self.canvas.setCreator("vanthu")
        self.ink = _Ink(self.canvas)
        self.body = _Measure(REGULAR, BODY_SIZE)
        self.bold = _Measure(BOLD, BODY_SIZE)
        self.layout = INCOMING_LAYOUT if printout.is_incoming else OUTGOING_LAYOUT
        self.widths = [c.width * mm for c in self.layout]
        self.xs = [LEFT]
        for w in self.widths:
            self.xs.append(self.xs[-1] + w)
        self.page = 1
        self.y = 0.0
        self.grid_rows: list[float] = []  # y of each horizontal rule on the current page

    # -- page furniture --

    def _centred(self, y: float, text: str, *, font: str, size: float, x0: float = LEFT,
                 x1: float = PAGE_WIDTH - RIGHT) -> None:
        width = pdfmetrics.stringWidth(text, font, size)
        self.ink.text((x0 + x1 - width) / 2, y, text, font=font, size=size)

    def _secrecy_box(self, *, y: float, size: float) -> None:
        mark = self.printout.secrecy_mark
        if not mark:
            return
        width = pdfmetrics.stringWidth(mark, BOLD, size) + 6 * mm
        x1 = PAGE_WIDTH - RIGHT
        self.canvas.setLineWidth(1)
        self.canvas.rect(x1 - width, y - 2.2 * mm, width, size + 3.2 * mm)
        self.ink.text(x1 - width + 3 * mm, y, mark, font=BOLD, size=size)

    def _new_page(self) -> None:
        """Start page 2, 3, …: running head on the left, the page number centred (Decree 30 Phụ lục I)."""
        self._end_page()
        self.page += 1
        unit = self.printout.unit
        head = f"{unit.short_name or unit.name} — {self.printout.title} — {self.printout.years_text}"
        room = (PAGE_WIDTH - RIGHT - LEFT) / 2 - 12 * mm  # clear of the page number
        while pdfmetrics.stringWidth(head, ITALIC, 8.5) > room:
            head = head[:-2] + "…"
        self.ink.text(LEFT, HEAD_BASELINE, head, font=ITALIC, size=8.5)
        self._centred(HEAD_BASELINE, str(self.page), font=REGULAR, size=11)
        self._secrecy_box(y=HEAD_BASELINE, size=10)
        self.y = PAGE_HEIGHT - TOP

    def _end_page(self) -> None:
        self._draw_grid()
        self.ink.flush()
        self.canvas.showPage()

    # -- cover --

    def cover(self) -> None:
        p = self.printout
        block_x1 = LEFT + 115 * mm  # the issuing-body block, top left as on a Decree 30 document
        y = PAGE_HEIGHT - 25 * mm
        if p.parent_name:
            for line in _Measure(REGULAR, 12.5).wrap(p.parent_name.upper(), block_x1 - LEFT):
                self._centred(y, line, font=REGULAR, size=12.5, x1=block_x1)
                y -= 6 * mm
        lines = _Measure(BOLD, 12.5).wrap(p.unit.name.upper(), block_x1 - LEFT)
        for line in lines:
            self._centred(y, line, font=BOLD, size=12.5, x1=block_x1)
            y -= 6 * mm
        y += 6 * mm
        rule = pdfmetrics.stringWidth(lines[-1], BOLD, 12.5) / 3
        middle = (LEFT + block_x1) / 2
        self.canvas.setLineWidth(0.6)
        self.canvas.line(middle - rule / 2, y - 2.5 * mm, middle + rule / 2, y - 2.5 * mm)
        self._secrecy_box(y=PAGE_HEIGHT - 25 * mm, size=13)

        y = PAGE_HEIGHT / 2 + 30 * mm
        self._centred(y, p.title.upper(), font=BOLD, size=26)
        y -= 15 * mm
        self._centred(y, _("Năm %(years)s") % {"years": p.years_text}, font=BOLD, size=17)
        if p.series_text:
            y -= 10 * mm
            self._centred(y, p.series_text, font=REGULAR, size=14)
        y -= 14 * mm
        self._centred(y, p.range_text, font=REGULAR, size=14)
        y -= 9 * mm
        self._centred(y, p.numbers_text, font=REGULAR, size=14)
        y -= 9 * mm
        self._centred(y, _("Quyển số: ……………"), font=REGULAR, size=14)

        note = _("In từ Hệ thống quản lý văn bản ngày %(day)s lúc %(time)s") % {
            "day": f"{self.printed_at:%d/%m/%Y}", "time": f"{self.printed_at:%H:%M}",
        }
        if self.printed_by is not None:
            note += " — " + _("người in: %(name)s") % {"name": self.printed_by.full_name}
        self._centred(BOTTOM + 2 * mm, note, font=ITALIC, size=9)
        # the cover's double frame
        for inset, width in ((0.0, 1.6), (1.6 * mm, 0.5)):
            self.canvas.setLineWidth(width)
            self.canvas.rect(LEFT - 10 * mm + inset, 10 * mm + inset, PAGE_WIDTH - LEFT + 10 * mm - 10 * mm - 2 * inset,
                             PAGE_HEIGHT - 20 * mm - 2 * inset)

    # -- the table --

    def _heading(self) -> None:
        """The column titles and, under them, their numbers (1) … (10)."""
        titles = [self.bold.wrap(str(t), w - 2 * PAD_X) for t, w in zip(self.printout.columns, self.widths,
                                                                          strict=True)]
        lines = max(len(t) for t in titles)
        top = self.y
        height = lines * LEADING + 2 * PAD_Y
        for i, title in enumerate(titles):
            # vertically centred in the heading cell
            y = top - PAD_Y - (height - 2 * PAD_Y - len(title) * LEADING) / 2 - BODY_SIZE
            for line in title:
                self._centred(y, line, font=BOLD, size=BODY_SIZE, x0=self.xs[i], x1=self.xs[i + 1])
                y -= LEADING
        self.y = top - height
        self.grid_rows = [top, self.y]
        number_height = LEADING + 2 * 1.5
        for i in range(len(self.widths)):
            self._centred(self.y - 1.5 - BODY_SIZE + 0.5, f"({i + 1})", font=ITALIC, size=BODY_SIZE,
                          x0=self.xs[i], x1=self.xs[i + 1])
        self.y -= number_height
        self.grid_rows.append(self.y)

    def _draw_grid(self) -> None:
        """Rules of the current page's table: a frame, a heavier rule under the heading, thin rules between."""
        rules, self.grid_rows = self.grid_rows, []
        if len(rules) < 2:
            return
        top, bottom = rules[0], rules[-1]
        x0, x1 = self.xs[0], self.xs[-1]
        self.canvas.setLineWidth(0.4)
        self.canvas.lines([(x0, y, x1, y) for y in rules[1:-1]] + [(x, top, x, bottom) for x in self.xs[1:-1]])
        self.canvas.setLineWidth(0.9)
        self.canvas.rect(x0, bottom, x1 - x0, top - bottom)
        if len(rules) > 3:
            self.canvas.line(x0, rules[2], x1, rules[2])

    def _room(self) -> float:
        return self.y - BOTTOM

    def _table_page(self) -> None:
        self._new_page()
        self._heading()

    def _draw_row(self, cells: list[list[str]], count: int) -> None:
        """Draw the first `count` lines of each cell as one row at self.y."""
        top = self.y
        for i, lines in enumerate(cells):
            column = self.layout[i]
            y = top - PAD_Y - BODY_SIZE + 0.5
            for line in lines[:count]:
                if column.align == "centre":
                    width = self.body.width(line)
                    self.ink.text((self.xs[i] + self.xs[i + 1] - width) / 2, y, line)
                else:
                    self.ink.text(self.xs[i] + PAD_X, y, line)
                y -= LEADING
        self.y = top - count * LEADING - 2 * PAD_Y
        self.grid_rows.append(self.y)

    def _lines_that_fit(self) -> int:
        return int((self._room() - 2 * PAD_Y) // LEADING)

    def rows(self, rows: Iterable[Row]) -> None:
        """Draw the rows, starting a new page when the next row does not fit. A row taller than a whole page
        (a very long note) is split: it starts where it is and continues on the following pages."""
        self._table_page()
        page_lines = self._lines_that_fit()  # on a page holding only the heading
        limits = [w - 2 * PAD_X for w in self.widths]
        key = 1 if self.printout.is_incoming else 0  # Số đến / Số, ký hiệu: names the row on its next page
        for row in rows:
            cells = [self.body.wrap(_text_of(value, column), limit) if value not in (None, "") else []
                     for value, column, limit in zip(row.cells(), self.layout, limits, strict=True)]
            needed = max(1, *(len(c) for c in cells))
            name = cells[key]
            while True:
                fits = self._lines_that_fit()
                if fits >= needed:
                    self._draw_row(cells, needed)
                    break
                if needed <= page_lines or fits < 3:
                    self._table_page()
                    continue
                self._draw_row(cells, fits)
                cells = [c[fits:] for c in cells]
                cells[key] = [*name, _("(tiếp)")]
                needed = max(len(c) for c in cells)
                self._table_page()

    # -- closing --

    def closing(self) -> None:
        """The count, the page count, and the clerk's and the head's signatures (đóng sổ)."""
        block = 62 * mm
        if self._room() < block:
            self._new_page()
        p = self.printout
        y = self.y - 8 * mm
        self.ink.text(LEFT, y, p.closing_text, font=BOLD, size=11)
        y -= 6 * mm
        pages = _("Sổ này có %(pages)s trang, đánh số từ trang 01 đến trang %(last)s (kể cả trang bìa).") % {
            "pages": self.page, "last": format_number(self.page),
        }
        self.ink.text(LEFT, y, pages, font=REGULAR, size=11)
        y -= 9 * mm
        half = (PAGE_WIDTH - RIGHT - LEFT) / 2
        left_x0, left_x1 = LEFT, LEFT + half
        right_x0, right_x1 = LEFT + half, PAGE_WIDTH - RIGHT
        place = date_line(p.unit.place_name, timezone.localdate(self.printed_at))
        self._centred(y, place, font=ITALIC, size=11, x0=right_x0, x1=right_x1)
        y -= 6 * mm
        self._centred(y, _("VĂN THƯ"), font=BOLD, size=11, x0=left_x0, x1=left_x1)
        self._centred(y, _("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"), font=BOLD, size=11, x0=right_x0, x1=right_x1)
        y -= 5 * mm
        self._centred(y, _("(Ký, ghi rõ họ tên)"), font=ITALIC, size=10, x0=left_x0, x1=left_x1)
        self._centred(y, _("(Ký, ghi rõ họ tên, đóng dấu)"), font=ITALIC, size=10, x0=right_x0, x1=right_x1)
        self.y = y

    def finish(self) -> bytes:
        self._draw_grid()
        self.ink.flush()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def render(printout: RegisterPrintout, rows: Iterable[Row], *, printed_by: Person | None = None,
           printed_at: dt.datetime | None = None) -> bytes:
    """The PDF of `printout` with `rows` (an iterator is consumed once, never held in memory whole)."""
    pdf = _RegisterPdf(printout, printed_by=printed_by, printed_at=printed_at or timezone.now())
    pdf.cover()
    pdf.rows(rows)
    pdf.closing()
    return pdf.finish()
