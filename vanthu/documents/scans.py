"""Is a scan of a paper document good enough for Circular 01/2019 (Decree 30 Phụ lục I; checklist point 17)?
PDF 1.4 or later, in colour, at least 200 dpi, at 100 % scale.

Read from the PDF without rendering (pypdf): the version in the header (or the catalogue's /Version), and per
page the images its content draws — their pixels, colour space and bits — and the page's size. A page is a
scanned page when an image covers most of it; its resolution is the image's pixels over the page's inches. A
scan at 100 % scale has the paper's size: A3, A4 or A5 (either way, within 3 mm). A PDF with no scanned page
(a born-digital document) has nothing to check. What falls short is a *warning* with the figures, shown to the
clerk and kept in the audit log; the document is still received (a bad scan is better than none, and the clerk
may rescan and replace it).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from pypdf import PdfReader

MIN_DPI = 200
MIN_VERSION = (1, 4)
PAPER_MM = {"A3": (297.0, 420.0), "A4": (210.0, 297.0), "A5": (148.0, 210.0)}
PAPER_TOLERANCE = 3.0
MM_PER_INCH = 25.4
PT_PER_INCH = 72.0
COVERAGE = 0.6  # an image drawn over this share of the page makes it a scanned page
GREY_SPACES = {"/DeviceGray", "/CalGray", "/G"}
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ScanPage:
    number: int
    width_mm: float
    height_mm: float
    dpi: int
    colour: bool


@dataclass
class ScanReport:
    version: str
    pages: list[ScanPage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def scanned(self) -> bool:
        return bool(self.pages)

    def figures(self) -> dict[str, object]:
        return {"version": self.version, "pages": [
            {"page": p.number, "dpi": p.dpi, "colour": p.colour, "mm": [round(p.width_mm), round(p.height_mm)]}
            for p in self.pages[:50]]}


def _version(data: bytes, reader: PdfReader) -> str:
    found = re.match(rb"%PDF-(\d)\.(\d)", data[:1024].lstrip())
    version = found.group(1).decode() + "." + found.group(2).decode() if found else "1.0"
    declared = str(reader.root_object.get("/Version", "")).lstrip("/")
    return max(version, declared) if re.fullmatch(r"\d\.\d", declared) else version


def _colour(image: object) -> bool:
    from pypdf.generic import IndirectObject

    get = image.get  # type: ignore[attr-defined]
    if get("/ImageMask") or int(get("/BitsPerComponent", 8) or 8) == 1:
        return False
    space = get("/ColorSpace")
    space = space.get_object() if isinstance(space, IndirectObject) else space
    if isinstance(space, list) and space:
        kind = str(space[0])
        if kind == "/ICCBased":
            return int(space[1].get_object().get("/N", 3)) >= 3
        if kind in ("/Indexed", "/I"):
            base = space[1].get_object() if isinstance(space[1], IndirectObject) else space[1]
            base = base[0] if isinstance(base, list) else base
            return str(base) not in GREY_SPACES
        return kind not in GREY_SPACES and kind != "/CalGray"
    filters = get("/Filter")
    names = [str(f) for f in (filters if isinstance(filters, list) else [filters])]
    if any(n in ("/CCITTFaxDecode", "/JBIG2Decode") for n in names):
        return False
    return str(space) not in GREY_SPACES


def _paper(width_mm: float, height_mm: float) -> str:
    short, long = sorted((width_mm, height_mm))
    for name, (w, h) in PAPER_MM.items():
        if abs(short - w) <= PAPER_TOLERANCE and abs(long - h) <= PAPER_TOLERANCE:
            return name
    return ""


def check(data: bytes, *, max_pages: int = 200) -> ScanReport:
    from pypdf import PdfReader  # imported where used: loading pages need not pay for it

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
        report = ScanReport(version=_version(data, reader))
    except Exception:  # the upload check has already said what is wrong with an unreadable file
        logging.getLogger(__name__).debug("scan check: unreadable PDF", exc_info=True)
        return ScanReport(version="")
    for number, page in enumerate(pages[:max_pages], start=1):
        box = page.mediabox
        w_pt, h_pt = float(box.width), float(box.height)
        if w_pt <= 0 or h_pt <= 0:
            continue
        best = None
        try:
            xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
            for ref in xobjects.values():
                image = ref.get_object()
                if image.get("/Subtype") != "/Image":
                    continue
                px_w, px_h = int(image.get("/Width", 0)), int(image.get("/Height", 0))
                if best is None or px_w * px_h > best[0] * best[1]:
                    best = (px_w, px_h, image)
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if best is None:
            continue
        px_w, px_h, image = best
        # the image is drawn over the page (a scanner's PDF): its resolution is pixels per page inch
        if px_w <= 0 or px_h <= 0:
            continue
        dpi_w, dpi_h = px_w / (w_pt / PT_PER_INCH), px_h / (h_pt / PT_PER_INCH)
        if min(dpi_w, dpi_h) / max(dpi_w, dpi_h) < COVERAGE:
            continue  # an image that does not fill the page: not a scanned page
        report.pages.append(ScanPage(number=number, width_mm=w_pt / PT_PER_INCH * MM_PER_INCH,
                                     height_mm=h_pt / PT_PER_INCH * MM_PER_INCH, dpi=round(min(dpi_w, dpi_h)),
                                     colour=_colour(image)))
    if not report.pages:
        return report
    if tuple(int(n) for n in report.version.split(".")) < MIN_VERSION:
        report.warnings.append(_("Tệp PDF phiên bản %(version)s; bản số hóa phải là PDF 1.4 trở lên.")
                               % {"version": report.version})
    low = [p for p in report.pages if p.dpi < MIN_DPI]
    if low:
        report.warnings.append(_("Độ phân giải %(dpi)s dpi (trang %(pages)s); bản số hóa phải từ 200 dpi trở lên.")
                               % {"dpi": ", ".join(sorted({str(p.dpi) for p in low})),
                                  "pages": ", ".join(str(p.number) for p in low[:10])})
    grey = [p for p in report.pages if not p.colour]
    if grey:
        report.warnings.append(_("Trang %(pages)s quét đen trắng hoặc thang xám; bản số hóa phải quét màu.")
                               % {"pages": ", ".join(str(p.number) for p in grey[:10])})
    odd = [p for p in report.pages if not _paper(p.width_mm, p.height_mm)]
    if odd:
        report.warnings.append(_("Trang %(pages)s có khổ %(size)s, không phải khổ giấy gốc (A3, A4, A5): có thể "
                                 "chưa quét đúng tỷ lệ 100 %%.")
                               % {"pages": ", ".join(str(p.number) for p in odd[:10]),
                                  "size": f"{odd[0].width_mm:.0f} × {odd[0].height_mm:.0f} mm"})
    return report
