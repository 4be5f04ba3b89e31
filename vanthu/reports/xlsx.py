"""The register as a spreadsheet: the same ten Phụ lục IV columns as the printout, for sorting and filing.

Written with openpyxl's write-only workbook, so rows stream to the file instead of being held as a sheet in
memory. Dates are real Excel dates (dd/mm/yyyy, the arrival with its time), the register number is a number
shown with a leading zero, text wraps, the heading is frozen and repeats on every printed page (landscape
A4, fitted to the page width).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from copy import copy
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.org.models import Person
from vanthu.reports.registers import Cell, RegisterPrintout, Row

if TYPE_CHECKING:  # openpyxl is imported where a sheet is written: loading the pages need not pay for it
    from openpyxl.cell import Cell as SheetCell
    from openpyxl.styles import Alignment, Border, Font

FONT = "Times New Roman"  # Decree 30's typeface; a spreadsheet names its font, it does not embed it
INCOMING_WIDTHS = (13, 8, 26, 16, 12, 50, 26, 12, 12, 24)
OUTGOING_WIDTHS = (16, 12, 48, 26, 30, 26, 9, 12, 12, 22)
INCOMING_FORMATS = ("dd/mm/yyyy hh:mm", "00", None, None, "dd/mm/yyyy", None, None, "dd/mm/yyyy", None, None)
OUTGOING_FORMATS = (None, "dd/mm/yyyy", None, None, None, None, "0", "dd/mm/yyyy", None, None)
CENTRED_INCOMING = {0, 1, 3, 4, 7}
CENTRED_OUTGOING = {0, 1, 6, 7}


def _excel_value(value: Cell) -> Cell:
    """Excel has no time zones: a datetime is written as the local wall-clock time."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class _Styles:
    """The few cell styles of the sheet, built once."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, Side

        family = FONT
        thin = Side(style="thin", color="000000")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.body = Font(name=family, size=11)
        self.bold = Font(name=family, size=11, bold=True)
        self.italic = Font(name=family, size=11, italic=True)
        self.title = Font(name=family, size=16, bold=True)
        self.wrap_left = Alignment(wrap_text=True, vertical="top", horizontal="left")
        self.wrap_centre = Alignment(wrap_text=True, vertical="top", horizontal="center")
        self.heading = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.centre = Alignment(horizontal="center")


def _cell(ws: Any, value: Cell, *, font: Font, alignment: Alignment | None = None,
          border: Border | None = None, number_format: str | None = None) -> SheetCell:
    from openpyxl.cell import Cell as SheetCell

    cell = SheetCell(ws, row=1, column=1, value=_excel_value(value))
    cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format
    return cell


class _RowCells:
    """Cells of a data row, each styled like its column's template.

    Setting a font, border and alignment on every cell makes openpyxl hash the style objects each time (most
    of the time of a 50,000-row sheet); a copy of the template's style array (a few integers) is the same
    style at no cost.
    """

    def __init__(self, ws: Any, templates: list[SheetCell]) -> None:
        from openpyxl.cell import Cell as SheetCell

        self.ws = ws
        self.make = SheetCell
        self.arrays = [template._style for template in templates]  # type: ignore[attr-defined]

    def __call__(self, values: tuple[Cell, ...]) -> list[SheetCell]:
        return [self.make(self.ws, row=1, column=1, value=_excel_value(value), style_array=copy(array))
                for value, array in zip(values, self.arrays, strict=True)]


def _sheet_title(printout: RegisterPrintout) -> str:
    years = printout.years_text.replace(" – ", "-")
    if printout.is_incoming:
        title = _("Sổ mật đến %(years)s") if printout.is_secret else _("Sổ đến %(years)s")
    else:
        title = _("Sổ mật đi %(years)s") if printout.is_secret else _("Sổ đi %(years)s")
    return (title % {"years": years})[:31]


def render(printout: RegisterPrintout, rows: Iterable[Row], *, printed_by: Person | None = None,
           printed_at: dt.datetime | None = None) -> bytes:
    """The XLSX of `printout` with `rows` (streamed: an iterator is consumed once)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    printed = timezone.localtime(printed_at or timezone.now())
    styles = _Styles()
    incoming = printout.is_incoming
    widths = INCOMING_WIDTHS if incoming else OUTGOING_WIDTHS
    formats = INCOMING_FORMATS if incoming else OUTGOING_FORMATS
    centred = CENTRED_INCOMING if incoming else CENTRED_OUTGOING
    ncols = len(widths)
    last_col = get_column_letter(ncols)

    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{printout.title} — {printout.unit.name} — {printout.years_text}"
    workbook.properties.creator = "vanthu"
    # a write-only sheet (openpyxl's type stubs leave out what it shares with an ordinary sheet)
    ws: Any = workbook.create_sheet(_sheet_title(printout))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    head_lines: list[tuple[str, Font]] = []
    if printout.parent_name:
        head_lines.append((printout.parent_name.upper(), styles.body))
    head_lines.append((printout.unit.name.upper(), styles.bold))
    head_lines.append(("", styles.body))
    head_lines.append((printout.title.upper(), styles.title))
    year_line = _("Năm %(years)s") % {"years": printout.years_text}
    if printout.series_text:
        year_line += " — " + printout.series_text
    head_lines.append((year_line, styles.bold))
    head_lines.append((printout.range_text, styles.body))
    head_lines.append((printout.numbers_text, styles.body))
    head_lines.append(("", styles.body))

    # sheet views and print titles are written with the sheet's first row: set them before appending
    heading_row = len(head_lines) + 1
    ws.freeze_panes = f"A{heading_row + 2}"
    ws.print_title_rows = f"{heading_row}:{heading_row + 1}"
    for row_no, (text, font) in enumerate(head_lines, start=1):
        centred_title = row_no > (2 if printout.parent_name else 1)
        cells: list[SheetCell | None] = [
            _cell(ws, text, font=font, alignment=styles.centre if centred_title else None)
        ]
        if row_no == 1 and printout.secrecy_mark:
            cells += [None] * (ncols - 2) + [_cell(ws, printout.secrecy_mark, font=styles.bold,
                                                  alignment=styles.centre, border=styles.box)]
        elif centred_title and text:
            ws.merged_cells.add(f"A{row_no}:{last_col}{row_no}")
        ws.append(cells)

    ws.append([_cell(ws, str(title), font=styles.bold, alignment=styles.heading, border=styles.box)
               for title in printout.columns])
    ws.append([_cell(ws, f"({i})", font=styles.italic, alignment=styles.centre, border=styles.box)
               for i in range(1, ncols + 1)])

    row_cells = _RowCells(ws, [
        _cell(ws, None, font=styles.body, border=styles.box, number_format=formats[i],
              alignment=styles.wrap_centre if i in centred else styles.wrap_left)
        for i in range(ncols)
    ])
    for row in rows:
        ws.append(row_cells(row.cells()))

    ws.append([])
    ws.append([_cell(ws, printout.closing_text, font=styles.bold)])
    note = _("In từ Hệ thống quản lý văn bản ngày %(day)s lúc %(time)s") % {
        "day": f"{printed:%d/%m/%Y}", "time": f"{printed:%H:%M}",
    }
    if printed_by is not None:
        note += " — " + _("người in: %(name)s") % {"name": printed_by.full_name}
    ws.append([_cell(ws, note, font=styles.italic)])

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
