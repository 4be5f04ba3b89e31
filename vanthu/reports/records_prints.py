"""The two prints of Decree 30 Phụ lục VI that belong to work records, and the transfer list of Phụ lục V, as PDF
(embedded Vietnamese serif fonts, like the weekly report) and XLSX:
- mục lục văn bản trong hồ sơ (one record's documents in order);
- mục lục hồ sơ (a unit's catalogue of a year: headings, records, their state);
- mục lục hồ sơ nộp lưu (the records of one archive transfer, 7 columns).
A document the printing person may not see keeps its ordinal, number, date and mark only; a secret one keeps its
mark ("MẬT", …) in its line, and the print's heading carries the highest mark inside. Always in Vietnamese."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core.choices import Secrecy
from vanthu.documents.printable import Column, Printable, Table_, to_pdf
from vanthu.org.models import Person
from vanthu.records.models import Catalogue, CatalogueEntry, Heading, Record, Transfer
from vanthu.records.queries import items_of


@dataclass(frozen=True)
class Sheet:
    """A print: the unit, the title lines, the mark, the column headings and widths (mm), the rows; a row
    whose first cell starts with "§" is a heading row spanning the table."""

    unit: str
    title: str
    subtitle: str
    mark: str
    headers: list[str]
    widths: list[float]
    rows: list[list[str]]
    name: str
    parent: str = ""  # the unit above (cơ quan chủ quản), the heading's first line
    place: str = ""  # the place name of the date line


def _parent(unit: object) -> str:
    parent = getattr(unit, "parent", None)
    return parent.name if parent is not None else ""


def _d(value: object) -> str:
    return value.strftime("%d/%m/%Y") if value is not None and hasattr(value, "strftime") else ""


def _mark(level: int) -> str:
    return str(Secrecy(level).label).upper() if level else ""


def record_items_sheet(record: Record, *, person: Person | None) -> Sheet:
    """Mục lục văn bản trong hồ sơ: STT, số ký hiệu, ngày tháng, tên loại và trích yếu, tác giả, tờ số, ghi chú."""
    rows: list[list[str]] = []
    top = 0
    for view in items_of(person, record):
        top = max(top, view.secrecy)
        doc = view.item.document
        kind = doc.doc_type.label if doc is not None and view.visible else ""
        subject = f"{kind}: {view.title}" if kind and view.title else view.title
        note = " ".join(x for x in (_mark(view.secrecy), view.item.note if view.visible else "") if x)
        rows.append([str(view.item.ordinal), view.notation, _d(view.dated), subject, view.organ,
                     str(view.pages or ""), note])
    return Sheet(unit=record.unit.name, parent=_parent(record.unit), place=record.unit.place_name or "",
                 title=_("MỤC LỤC VĂN BẢN TRONG HỒ SƠ"),
                 subtitle=_("Hồ sơ số %(code)s: %(title)s — năm %(year)d — thời hạn bảo quản: %(ret)s") % {
                     "code": record.code, "title": record.title, "year": record.year, "ret": record.retention_label},
                 mark=_mark(top),
                 headers=[_("STT"), _("Số, ký hiệu văn bản"), _("Ngày tháng văn bản"),
                          _("Tên loại và trích yếu nội dung văn bản"), _("Tác giả văn bản"), _("Tờ số"),
                          _("Ghi chú")],
                 widths=[12, 35, 25, 95, 45, 15, 30], rows=rows, name=f"muc-luc-van-ban-{record.code}")


def _span(record: Record) -> str:
    if record.end_date:
        return f"{_d(record.start_date)} – {_d(record.end_date)}"
    return f"{_d(record.start_date)} –"


def catalogue_sheet(catalogue: Catalogue) -> Sheet:
    """Mục lục hồ sơ of a catalogue: per heading, each entry's records (or the entry, not yet opened)."""
    rows: list[list[str]] = []
    entries = list(catalogue.entries.select_related("responsible", "heading").prefetch_related("records__creator"))
    groups: list[tuple[Heading | None, list[CatalogueEntry]]] = [
        (h, [e for e in entries if e.heading_id == h.pk]) for h in catalogue.headings.all()]
    loose = [e for e in entries if e.heading_id is None]
    if loose:
        groups.append((None, loose))
    n = 0
    for heading, members in groups:
        rows.append([f"§{heading}" if heading else "§" + _("Hồ sơ chưa xếp đề mục")])
        for entry in members:
            records = list(entry.records.all())
            if not records:
                n += 1
                rows.append([str(n), entry.code, entry.title, entry.responsible.full_name if entry.responsible else "",
                             "", entry.retention_label, _("Chưa mở")])
            for record in records:
                n += 1
                totals = (_("%(d)s văn bản, %(p)s trang") % {"d": record.doc_total, "p": record.page_total}
                          if record.doc_total is not None else "")
                rows.append([str(n), record.code, record.title, record.creator.full_name, _span(record),
                             record.retention_label, "; ".join(x for x in (record.get_state_display(), totals) if x)])
    return Sheet(unit=catalogue.unit.name, parent=_parent(catalogue.unit), place=catalogue.unit.place_name or "",
                 title=_("MỤC LỤC HỒ SƠ"),
                 subtitle=_("Năm %(year)d — %(state)s") % {"year": catalogue.year,
                                                           "state": catalogue.get_state_display()},
                 mark="", headers=[_("STT"), _("Số và ký hiệu hồ sơ"), _("Tên đề mục và tiêu đề hồ sơ"),
                                   _("Người lập hồ sơ"), _("Thời gian bắt đầu – kết thúc"), _("Thời hạn bảo quản"),
                                   _("Ghi chú")],
                 widths=[12, 30, 100, 40, 40, 25, 45], rows=rows, name=f"muc-luc-ho-so-{catalogue.year}")


def transfer_sheet(transfer: Transfer) -> Sheet:
    """Mục lục hồ sơ nộp lưu (Phụ lục V): số TT, số và ký hiệu hồ sơ, tiêu đề hồ sơ, thời gian bắt đầu và kết
    thúc, thời hạn bảo quản, số tờ (trang), ghi chú."""
    rows = []
    for n, record in enumerate(transfer.records.order_by("code", "id"), 1):
        rows.append([str(n), record.code, record.title, _span(record), record.retention_label,
                     str(record.page_total or ""), _("%(d)s văn bản") % {"d": record.doc_total or 0}])
    state = transfer.get_state_display()
    when = _d(timezone.localtime(transfer.submitted_at))
    return Sheet(unit=transfer.unit.name, parent=_parent(transfer.unit), place=transfer.unit.place_name or "",
                 title=_("MỤC LỤC HỒ SƠ NỘP LƯU"),
                 subtitle=_("Hồ sơ năm %(year)d — nộp ngày %(on)s — %(state)s") % {
                     "year": transfer.year, "on": when, "state": state},
                 mark="", headers=[_("Số TT"), _("Số và ký hiệu hồ sơ"), _("Tiêu đề hồ sơ"),
                                   _("Thời gian bắt đầu và kết thúc"), _("Thời hạn bảo quản"), _("Số tờ (trang)"),
                                   _("Ghi chú")],
                 widths=[14, 32, 105, 45, 28, 22, 34], rows=rows, name=f"muc-luc-ho-so-nop-luu-{transfer.year}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(sheet: Sheet) -> bytes:
    """Laid out by the reports' one printable layout (Phụ lục I: A4 landscape, the margins, the embedded serif,
    page numbers from page 2); a "§" row becomes a heading between the table's parts."""
    columns = [Column(h, w) for h, w in zip(sheet.headers, sheet.widths, strict=True)]
    doc = Printable(parent_name=sheet.parent, unit_name=sheet.unit, place_name=sheet.place,
                    title=sheet.title, subtitle=[sheet.subtitle] if sheet.subtitle else [], landscape=True,
                    secrecy_mark=sheet.mark, sheet_name=sheet.name)
    part: list[list[str]] = []
    tables = 0
    for row in sheet.rows:
        if row and row[0].startswith("§"):
            if part:
                doc.table(Table_(columns, part, numbered_heading=False))
                tables, part = tables + 1, []
            doc.heading(row[0][1:])
            continue
        part.append(row)
    if part or not tables:
        doc.table(Table_(columns, part, numbered_heading=False))
    return to_pdf(doc)


def render_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook  # imported where a sheet is written: loading the pages need not pay for it
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet.title[:31]
    ws.append([sheet.unit])
    if sheet.mark:
        ws.append([sheet.mark])
    ws.append([sheet.title])
    ws.cell(row=ws.max_row, column=1).font = Font(name="Times New Roman", bold=True, size=14)
    ws.append([sheet.subtitle])
    ws.append(sheet.headers)
    header_row = ws.max_row
    for c in ws[header_row]:
        c.font = Font(name="Times New Roman", bold=True)
        c.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for row in sheet.rows:
        if row and row[0].startswith("§"):
            ws.append([row[0][1:]])
            ws.cell(row=ws.max_row, column=1).font = Font(name="Times New Roman", bold=True)
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(sheet.headers))
            continue
        ws.append(row)
    for i, width in enumerate(sheet.widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(6, width / 2.2)
    for line in ws.iter_rows(min_row=header_row + 1):
        for c in line:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"A{header_row + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
