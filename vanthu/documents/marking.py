"""The visible mark on a printed or downloaded copy of a secret document (Decree 30 checklist point 52).

The stored file is never touched: the mark is written on the copy served, as an *incremental update* appended
after the stored bytes (pyHanko's incremental writer). Every page gets a form XObject drawn over its content:
a red box at the bottom, "BẢN SAO — <secrecy> — tải xuống bởi <name> (<unit>) lúc dd/mm/yyyy hh:mm:ss
(+07:00)", in the embedded serif font.

What this does to a signed PDF: the signed revisions are left byte for byte, so each signature still verifies
over its byte range; but the page content changed after the last signature, so a validator (Adobe Reader,
pyHanko's `validate`) reports the copy as "modified after signing" — which is the truth: it is a marked copy,
not the original. The electronic original, with its signatures valid and unmodified, stays in vanthu's store
(and in the exchange's envelope); whoever must check a signature checks it there.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from vanthu.core import fonts

FONT = "VanthuMarkSerif"
SIZE = 9


@cache
def _font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, str(fonts.serif().bold)))
    return FONT


def mark_text(*, secrecy: str, person_name: str, unit_name: str, at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return _("BẢN SAO — %(secrecy)s — tải xuống bởi %(name)s (%(unit)s) lúc %(when)s (+07:00). "
             "Bản gốc điện tử lưu tại Hệ thống.") % {
        "secrecy": secrecy.upper(), "name": person_name, "unit": unit_name,
        "when": f"{local:%d/%m/%Y %H:%M:%S}",
    }


def _overlay(width: float, height: float, text: str) -> bytes:
    """One page of the copy's size with the mark: a red frame and the text, near the bottom edge."""
    font = _font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), initialFontName=font,  # type: ignore[arg-type]
                    initialFontSize=SIZE)
    size = float(SIZE)
    room = width - 16 * mm
    while pdfmetrics.stringWidth(text, font, size) > room and size > 5:
        size -= 0.5
    text_width = pdfmetrics.stringWidth(text, font, size)
    x = (width - text_width) / 2
    y = 6 * mm
    canvas.setStrokeColorRGB(0.85, 0, 0)
    canvas.setFillColorRGB(0.85, 0, 0)
    canvas.setLineWidth(0.8)
    canvas.rect(x - 2 * mm, y - 1.8 * mm, text_width + 4 * mm, size + 2.6 * mm)
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def marked_copy(pdf: bytes, *, text: str) -> bytes:
    """`pdf` with `text` drawn on every page, appended as an incremental update (the original bytes first)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pages = writer.root["/Pages"]
    count = int(pages["/Count"])
    cache_by_size: dict[tuple[float, float], generic.IndirectObject] = {}
    for index in range(count):
        page = writer.find_page_for_modification(index)[0].get_object()
        box = [float(v) for v in page.get("/MediaBox", [0, 0, 595.28, 841.89])]
        size = (box[2] - box[0], box[3] - box[1])
        xobject = cache_by_size.get(size)
        if xobject is None:
            overlay = PdfFileReader(io.BytesIO(_overlay(size[0], size[1], text)), strict=False)
            xobject = cache_by_size[size] = writer.import_page_as_xobject(overlay, 0)
        content = generic.StreamObject(
            stream_data=f"q 1 0 0 1 {box[0]:.2f} {box[1]:.2f} cm /VanthuCopyMark Do Q".encode())
        resources = generic.DictionaryObject({
            generic.pdf_name("/XObject"): generic.DictionaryObject({generic.pdf_name("/VanthuCopyMark"): xobject}),
        })
        writer.add_stream_to_page(index, writer.add_object(content), resources=resources)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

