"""Does a PDF follow Decree 30 Phụ lục I's page layout (checklist point 54)? A4, margins top and bottom
20–25 mm, left 30–35 mm, right 15–20 mm, Times New Roman (Unicode) embedded.

Used on an uploaded draft: what breaks the layout gives a *warning* beside the upload, never a refusal (a
draft is for the signer to read; the check of format before signing decides). The figures are in the message.
What is measured, with pypdf and no rendering: each page's size; the fonts of each page (their names, and
whether the file embeds them); where the text starts (its left-most and lowest baselines). The right margin
would need each glyph's width and is not checked on uploads; vanthu's own PDFs are measured exactly by the
test of point 54 (poppler's word boxes).
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

MM = 72 / 25.4
A4 = (210.0, 297.0)
SIZE_TOLERANCE = 2.0  # mm
MARGIN_TOLERANCE = 2.0  # mm
LEFT_MIN, BOTTOM_MIN = 30.0, 20.0
SERIF_NAMES = ("times", "liberationserif", "tinos", "nimbusroman", "texgyretermes")
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class LayoutReport:
    pages: int
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.warnings


def _font_names(page: object) -> dict[str, bool]:
    """BaseFont → embedded, for the fonts a page's resources name (Type0 through their descendant)."""
    found: dict[str, bool] = {}
    resources = page.get("/Resources") or {}  # type: ignore[attr-defined]
    fonts = resources.get("/Font") or {}
    for ref in fonts.values():
        font = ref.get_object()
        name = str(font.get("/BaseFont", "")).lstrip("/")
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and font.get("/DescendantFonts"):
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        found[name.split("+", 1)[-1]] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def check(data: bytes, *, max_pages: int = 50) -> LayoutReport:
    from pypdf import PdfReader  # imported where used: loading pages need not pay for it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError):
        return LayoutReport(pages=0, warnings=[])  # the upload check says what is wrong with the file
    warnings: list[str] = []
    sizes: set[tuple[int, int]] = set()
    fonts: dict[str, bool] = {}
    left_most, lowest = 1e9, 1e9
    for page in pages[:max_pages]:
        box = page.mediabox
        width, height = float(box.width) / MM, float(box.height) / MM
        short, long = sorted((width, height))
        if abs(short - A4[0]) > SIZE_TOLERANCE or abs(long - A4[1]) > SIZE_TOLERANCE:
            sizes.add((round(width), round(height)))
        with contextlib.suppress(AttributeError, KeyError, IndexError, TypeError):
            fonts.update(_font_names(page))
        points: list[tuple[float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object,
                  points: list[tuple[float, float]] = points) -> None:
            if text.strip():
                points.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

        try:
            page.extract_text(visitor_text=visit)
        except Exception:  # a page pypdf cannot read gives no figures, not an error
            logging.getLogger(__name__).debug("layout: page not measured", exc_info=True)
        if points:
            left_most = min(left_most, (min(x for x, _y in points) - float(box.left)) / MM)
            lowest = min(lowest, (min(y for _x, y in points) - float(box.bottom)) / MM)
    if sizes:
        warnings.append(_("Khổ giấy không phải A4 (210 × 297 mm): %(sizes)s.")
                        % {"sizes": ", ".join(f"{w} × {h} mm" for w, h in sorted(sizes))})
    others = sorted(name for name in fonts if not any(s in name.lower().replace(" ", "").replace("-", "")
                                                       for s in SERIF_NAMES))
    if others:
        warnings.append(_("Phông chữ không phải Times New Roman: %(fonts)s.") % {"fonts": ", ".join(others[:6])})
    missing = sorted(name for name, embedded in fonts.items() if not embedded)
    if missing:
        warnings.append(_("Phông chữ không được nhúng vào tệp: %(fonts)s.") % {"fonts": ", ".join(missing[:6])})
    if left_most < LEFT_MIN - MARGIN_TOLERANCE:
        warnings.append(_("Lề trái %(mm).0f mm, nhỏ hơn 30 mm.") % {"mm": max(left_most, 0)})
    if lowest < BOTTOM_MIN - MARGIN_TOLERANCE:
        warnings.append(_("Lề dưới %(mm).0f mm, nhỏ hơn 20 mm.") % {"mm": max(lowest, 0)})
    return LayoutReport(pages=len(pages), warnings=warnings)
