"""A result list as an XLSX workbook (openpyxl), a Word document (DOCX, python-docx; what vanthu offers for
".doc" too: every Word since 2007 opens it) and a PDF in the Phụ lục I layout (`documents/printable.py`): the
same rows the person saw, never more (checklist point 51)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from vanthu.documents import printable
from vanthu.documents.models import Document
from vanthu.org.models import Unit

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    """Text that a spreadsheet would read as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def headers() -> list[str]:
    return [_("Số, ký hiệu"), _("Ngày văn bản"), _("Loại văn bản"), _("Trích yếu nội dung"),
            _("Cơ quan ban hành"), _("Đơn vị"), _("Người ký"), _("Trạng thái"), _("Độ khẩn"), _("Độ mật")]


def cells(doc: Document) -> list[str]:
    return [doc.notation, printable.vn_date(doc.issued_date), doc.doc_type.label, doc.subject, doc.organ_name,
            doc.unit.name, doc.signer_name, str(doc.get_status_display()), str(doc.get_urgency_display()),
            str(doc.get_secrecy_display())]


WIDTHS_MM = (28, 20, 18, 64, 32, 30, 26, 22, 16, 14)


def word(documents: Iterable[Document], *, query: str) -> bytes:
    """A4 landscape, Times New Roman, the list as one table under the title and the query."""
    from docx import Document as WordDocument  # here, not at the top: the URLconf imports this module
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    out = WordDocument()
    section = out.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = out.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    out.add_heading(_("Kết quả tra cứu văn bản"), level=1)
    out.add_paragraph(_("Tra cứu: %(q)s") % {"q": query})
    rows = list(documents)
    table = out.add_table(rows=1, cols=len(WIDTHS_MM))
    table.style = "Table Grid"
    for cell, heading, width in zip(table.rows[0].cells, headers(), WIDTHS_MM, strict=True):
        cell.width = Mm(width)
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    for doc in rows:
        for cell, value, width in zip(table.add_row().cells, cells(doc), WIDTHS_MM, strict=True):
            cell.width = Mm(width)
            cell.text = value
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def pdf(documents: Iterable[Document], *, query: str, unit: Unit | None, printed_by: str) -> bytes:
    """The list as a Phụ lục I print (the person's unit in the issuing block, A4 landscape, fonts embedded)."""
    parent = unit.parent if unit is not None and unit.parent_id else None
    doc = printable.Printable(
        parent_name=parent.name if parent is not None else "", unit_name=unit.name if unit is not None else "",
        place_name=unit.place_name if unit is not None else "", title=_("Kết quả tra cứu văn bản"),
        subtitle=[_("Tra cứu: %(q)s") % {"q": query}], landscape=True, printed_by=printed_by,
        sheet_name="Tra cứu",
    )
    rows = [cells(d) for d in documents]
    doc.table(printable.Table_(
        columns=[printable.Column(h, w, centred=i in (1, 8, 9)) for i, (h, w) in enumerate(zip(headers(), WIDTHS_MM,
                                                                                               strict=True))],
        rows=rows, numbered_heading=False,
    ))
    doc.line(_("Tổng số: %(n)s văn bản") % {"n": len(rows)})
    return printable.to_pdf(doc)


def workbook(documents: Iterable[Document], *, query: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Kết quả tra cứu")[:31]
    sheet.append([_safe(_("Tra cứu: %(q)s") % {"q": query})])
    sheet.append(headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for doc in documents:
        sheet.append([_safe(v) for v in (
            doc.notation, doc.issued_date, doc.doc_type.label, doc.subject, doc.organ_name, doc.unit.name,
            doc.signer_name, doc.get_status_display(), doc.get_urgency_display(), doc.get_secrecy_display(),
        )])
    for column, width in zip("ABCDEFGHIJ", (16, 12, 14, 60, 28, 28, 22, 18, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
