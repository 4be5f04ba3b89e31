"""A scanned page as a scanner makes it: a PDF holding only a picture of the text (no text layer)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from vanthu.core.fonts import serif


def scanned_pdf(line: str) -> bytes:
    page = Image.new("L", (2480, 1200), 255)  # A4 width at 300 dpi
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(serif().bold), 64)
    draw.text((200, 300), line, font=font, fill=0)
    draw.text((200, 500), "Bộ Tư lệnh Quân khu 10", font=ImageFont.truetype(str(serif().regular), 56), fill=0)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=300)
    return out.getvalue()
