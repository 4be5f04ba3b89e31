"""A result list as an XLSX workbook (openpyxl): the same rows the person saw, never more."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from vanthu.documents.models import Document

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    """Text that a spreadsheet would read as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def workbook(documents: Iterable[Document], *, query: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Kết quả tra cứu")[:31]
    sheet.append([_safe(_("Tra cứu: %(q)s") % {"q": query})])
    headers = [_("Số, ký hiệu"), _("Ngày văn bản"), _("Loại văn bản"), _("Trích yếu nội dung"),
               _("Cơ quan ban hành"), _("Đơn vị"), _("Người ký"), _("Trạng thái"), _("Độ khẩn"), _("Độ mật")]
    sheet.append(headers)
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
