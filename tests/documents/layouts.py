"""Drafts laid out in several ways, for the preview of the final page: the usual Decree 30 layout, "Số:" and
the date on one line, no name line, a scan without text, and a Word-like DOCX converted by LibreOffice."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from tests.documents.docx_builder import decree30_docx
from vanthu.demo.pdfs import _fonts, sample_draft


def usual() -> bytes:
    return sample_draft()


def number_and_date_on_one_line() -> bytes:
    """The header typed as one line: "Số:   /KH-TM   Đà Nẵng, ngày … tháng … năm 2026"."""
    regular, bold, _italic = _fonts()
    buf = io.BytesIO()
    c = pdfcanvas.Canvas(buf, pagesize=A4)
    w, h = A4
    c.setFont(bold, 13)
    c.drawCentredString(w / 2, h - 20 * mm, "BỘ THAM MƯU")
    c.setFont(regular, 13)
    c.drawString(25 * mm, h - 34 * mm, "Số:      /KH-TM      Đà Nẵng, ngày      tháng      năm 2026")
    c.setFont(bold, 14)
    c.drawCentredString(w / 2, h - 50 * mm, "KẾ HOẠCH")
    c.setFont(regular, 14)
    c.drawString(30 * mm, h - 62 * mm, "Huấn luyện chiến đấu năm 2027.")
    c.setFont(bold, 14)
    c.drawCentredString(w - 60 * mm, 120 * mm, "THAM MƯU TRƯỞNG")
    c.drawCentredString(w - 60 * mm, 85 * mm, "Đại tá Hoàng Văn Sơn")
    c.showPage()
    c.save()
    return buf.getvalue()


def no_name_line() -> bytes:
    """The signer's name is not printed (the block ends with the title)."""
    return sample_draft(name_line="")


def scan() -> bytes:
    """The usual draft printed and scanned: one image per page, no text."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "page"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", "-", str(target)], input=usual(),
                       check=True, capture_output=True, timeout=60)
        image = Image.open(target.with_suffix(".png")).convert("RGB")
        out = io.BytesIO()
        image.save(out, format="PDF", resolution=60)
        return out.getvalue()


def word_converted() -> bytes:
    """A draft typed in Word (tables for the header and the signature block), converted by LibreOffice."""
    from vanthu.documents import convert

    return convert.docx_to_pdf(decree30_docx(competence="THAM MƯU TRƯỞNG", title=""), name="ke-hoach.docx")
