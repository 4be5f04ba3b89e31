"""Where vanthu draws on an approved PDF: the number and date placeholders and the signature gap.

Text with its coordinates is extracted with pypdf (`extract_text(visitor_text=…)`) from page 1 and from the
page holding the signature block, fragments are joined into lines by baseline, and the lines are matched:

- the number line: the first line on page 1 starting with "Số" and a colon ("Số:        /KH-TM");
- the date line: the first line on page 1 holding "ngày", "tháng" and "năm" ("Đà Nẵng, ngày … tháng … năm 2026");
- the signature block: the line equal to the signer's name line (`SignatureBlock.name_line`, compared without
  case, accents kept) on the last page (then the pages before it), and the nearest line above it in the same
  column (the position line: "KT. TƯ LỆNH" / "PHÓ TƯ LỆNH"). The signature goes in the gap between them.

Fallbacks, when a line is not found (a PDF laid out differently, a scanned page): the boxes where Decree 30
Phụ lục I puts these parts on an A4 page with the usual margins — the number 34 mm from the top in the left
column, the date on the same line in the right column, and the signature box 45 mm from the right edge on the
last page, 70 mm from the bottom. The result says which parts were found (`found`), so callers can tell.
Widths come from the serif font's metrics (Times New Roman compatible), which is what Vietnamese documents
use; a small padding absorbs the difference for other fonts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.core.fonts import serif
from vanthu.signing import pdftext
from vanthu.signing.appearance import MM, face, normalise

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points, origin bottom left


@dataclass(frozen=True)
class TextLine:
    page: int
    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class FieldPlace:
    """A box covering a placeholder line; `baseline` is the line's baseline measured from the box bottom."""

    box: Box
    baseline: float
    size: float


@dataclass(frozen=True)
class SignaturePlace:
    page: int
    gap: Box  # the free space between the position line and the name line
    centre_x: float


@dataclass(frozen=True)
class Placement:
    page_size: tuple[float, float]
    pages: int
    number: FieldPlace
    date: FieldPlace
    signature: SignaturePlace
    found: set[str] = field(default_factory=set)  # of "number", "date", "signature"
    has_text: bool = True  # page 1 has extractable text (False: a scan)
    same_line: bool = False  # "Số:" and the date were found on one text line (the date box would cover the number)

    @property
    def doubts(self) -> list[str]:
        """Why the automatic placement may be wrong, as codes (see DOUBTS): empty when it is sure."""
        if not self.has_text:
            return ["scan"]
        codes = [code for code in ("number", "date", "signature") if code not in self.found]
        if self.same_line:
            codes.append("same_line")
        return codes


Fragment = pdftext.Fragment
NUMBER_RE = re.compile(r"^số\s*:", re.IGNORECASE)
SPACES = re.compile(r"\s+")
PAD = 4.0


def page_lines(reader: PdfFileReader, index: int) -> list[TextLine]:
    """The text lines of a page, each with its horizontal extent, baseline and font size."""
    metrics = face(serif().regular)
    fragments = sorted(pdftext.page_fragments(reader, index, measure=lambda text: metrics.width(text, 1.0)),
                       key=lambda f: (-f[0], f[1]))
    groups: list[list[Fragment]] = []
    for fragment in fragments:
        if groups and abs(fragment[0] - groups[-1][0][0]) <= 1.5:
            groups[-1].append(fragment)
        else:
            groups.append([fragment])
    return [line for group in groups for line in _columns(group, index)]


def _columns(group: list[Fragment], page: int) -> list[TextLine]:
    """One baseline can hold two columns (the number on the left, the date on the right): split at wide gaps."""
    columns: list[list[Fragment]] = []
    for fragment in sorted(group, key=lambda f: f[1]):
        if columns and fragment[1] - max(f[2] for f in columns[-1]) <= 3 * fragment[4]:
            columns[-1].append(fragment)
        else:
            columns.append([fragment])
    lines = []
    for column in columns:
        text = ""
        last_x1: float | None = None
        for _, x0, x1, part, size in column:
            if last_x1 is not None and x0 - last_x1 > size * 0.15 and not text.endswith(" "):
                text += " "
            text += part
            last_x1 = x1
        lines.append(TextLine(page=page, text=SPACES.sub(" ", text).strip(), x0=column[0][1],
                              x1=max(f[2] for f in column), baseline=column[0][0], size=max(f[4] for f in column)))
    return lines


def _key(text: str) -> str:
    return SPACES.sub(" ", normalise(text)).strip().casefold()


def _field_over(line: TextLine, font_path: Path) -> FieldPlace:
    metrics = face(font_path)
    ascent = metrics.scale(metrics.ascent) / 1000 * line.size
    descent = -metrics.scale(metrics.descent) / 1000 * line.size
    bottom = line.baseline - descent - 1
    top = line.baseline + ascent + 1
    return FieldPlace(box=(line.x0 - PAD, bottom, line.x1 + PAD, top), baseline=line.baseline - bottom, size=line.size)


def _default_field(page_w: float, page_h: float, *, left: bool) -> FieldPlace:
    """Decree 30's usual place: 34 mm from the top, centred in the left (number) or right (date) column."""
    centre, width = (69 * MM, 60 * MM) if left else (138 * MM, 80 * MM)
    centre = centre * page_w / (210 * MM)
    line = TextLine(page=0, text="", x0=centre - width / 2, x1=centre + width / 2, baseline=page_h - 34 * MM,
                    size=13.0)
    return _field_over(line, serif().regular if left else serif().italic)


def _default_signature(page: int, page_w: float) -> SignaturePlace:
    centre = page_w - 60 * MM
    return SignaturePlace(page=page, gap=(centre - 30 * MM, 70 * MM, centre + 30 * MM, 95 * MM), centre_x=centre)


def _signature_from(lines: list[TextLine], name_line: str) -> SignaturePlace | None:
    wanted = _key(name_line)
    names = [line for line in lines if _key(line.text) == wanted]
    if not names:
        return None
    name = min(names, key=lambda line: line.baseline)
    above = [
        line for line in lines
        if line.baseline > name.baseline + name.size and abs(line.centre - name.centre) < max(40.0, (name.x1 - name.x0))
    ]
    metrics = face(serif().regular)
    name_top = name.baseline + metrics.scale(metrics.ascent) / 1000 * name.size + 2
    if above:
        title = min(above, key=lambda line: line.baseline)
        gap_top = title.baseline + metrics.scale(metrics.descent) / 1000 * title.size - 2
    else:
        gap_top = name_top + 30 * MM
    if gap_top - name_top < 12 * MM:  # a cramped block: keep a usable height, centred on the gap
        middle = (gap_top + name_top) / 2
        name_top, gap_top = middle - 6 * MM, middle + 6 * MM
    half = 32 * MM
    return SignaturePlace(page=name.page, gap=(name.centre - half, name_top, name.centre + half, gap_top),
                          centre_x=name.centre)


def locate(reader: PdfFileReader, *, name_line: str) -> Placement:
    """Find the number and date placeholders on page 1 and the signature gap (see the module docstring).
    Raises ValueError for a PDF whose page tree cannot be read."""
    font_path = serif().regular
    try:
        pages_root = reader.root["/Pages"]
        count = int(pages_root["/Count"])
        first, _resources = reader.find_page_for_modification(0)
        box: Any = _inherited(first.get_object(), "/MediaBox") or (0, 0, 595.28, 841.89)
        media = [float(v) for v in box]
    except (KeyError, IndexError, TypeError, ValueError, generic.PdfError) as exc:
        raise ValueError(f"unreadable page tree: {exc}") from exc
    page_w, page_h = abs(media[2] - media[0]), abs(media[3] - media[1])

    found: set[str] = set()
    cache: dict[int, list[TextLine]] = {}

    def lines_of(index: int) -> list[TextLine]:
        if index not in cache:
            try:
                cache[index] = page_lines(reader, index)
            except Exception:  # a page whose text cannot be read: treat it as having none
                cache[index] = []
        return cache[index]

    header = [line for line in lines_of(0) if line.baseline > page_h * 0.55]
    number_line = next((line for line in header if NUMBER_RE.match(line.text)), None)
    date_line = next(
        (line for line in header if all(word in line.text.casefold() for word in ("ngày", "tháng", "năm"))), None
    )
    italic = serif().italic
    number = _field_over(number_line, font_path) if number_line else _default_field(page_w, page_h, left=True)
    date = _field_over(date_line, italic) if date_line else _default_field(page_w, page_h, left=False)
    if number_line:
        found.add("number")
    if date_line:
        found.add("date")

    signature = None
    if name_line.strip():
        for index in range(count - 1, max(-1, count - 4), -1):
            signature = _signature_from(lines_of(index), name_line)
            if signature:
                found.add("signature")
                break
    if signature is None:
        signature = _default_signature(count - 1, page_w)
    same_line = number_line is not None and number_line == date_line
    return Placement(page_size=(page_w, page_h), pages=count, number=number, date=date, signature=signature,
                     found=found, has_text=bool(lines_of(0)), same_line=same_line)


# --- positions chosen by hand on the preview -----------------------------------------------------------------

ELEMENTS = ("number", "date", "signature", "seal")
# The nominal size of each element (width, height in points), for the preview and the checks.
NUMBER_SIZE = (60 * MM, 7 * MM)
DATE_SIZE = (80 * MM, 7 * MM)
SIGNATURE_SIZE = (50 * MM, 20 * MM)
SEAL_SIZE = (36 * MM, 36 * MM)
SIZES = {"number": NUMBER_SIZE, "date": DATE_SIZE, "signature": SIGNATURE_SIZE, "seal": SEAL_SIZE}


@dataclass(frozen=True)
class Spot:
    """Where a person put an element on the preview: the page index and the element's centre, in PDF points
    (origin bottom left)."""

    page: int
    x: float
    y: float

    def box(self, element: str) -> Box:
        w, h = SIZES[element]
        return (self.x - w / 2, self.y - h / 2, self.x + w / 2, self.y + h / 2)


class BadSpot(ValueError):
    """A chosen position that cannot be used; `code` says why ("page", "outside", "over_number")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_spot(element: str, spot: Spot, *, page_size: tuple[float, float], pages: int, number: Box) -> None:
    """Refuse a position outside the page (the element's whole box must fit), the number and date off page 1
    (their fields live there), and any other element over the number's box."""
    if element not in SIZES or not 0 <= spot.page < pages:
        raise BadSpot("page")
    if element in ("number", "date") and spot.page != 0:
        raise BadSpot("page")
    x1, y1, x2, y2 = spot.box(element)
    if x1 < 0 or y1 < 0 or x2 > page_size[0] or y2 > page_size[1]:
        raise BadSpot("outside")
    if element != "number" and spot.page == 0 and overlaps(spot.box(element), number):
        raise BadSpot("over_number")


def _field_at(spot: Spot, element: str, size: float) -> FieldPlace:
    x1, y1, x2, y2 = spot.box(element)
    metrics = face(serif().regular)
    descent = -metrics.scale(metrics.descent) / 1000 * size
    return FieldPlace(box=(x1, y1, x2, y2), baseline=(y2 - y1) / 2 - size / 2 + descent, size=size)


def choose(where: Placement, chosen: dict[str, Spot]) -> Placement:
    """`where` with the number, date and signature moved where a person put them (the seal follows the
    signature at issuance, or its own spot: see pades.seal_issued_with). A chosen element counts as found."""
    number, date, signature = where.number, where.date, where.signature
    found = set(where.found)
    if "number" in chosen:
        number = _field_at(chosen["number"], "number", where.number.size)
        found.add("number")
    if "date" in chosen:
        date = _field_at(chosen["date"], "date", where.date.size)
        found.add("date")
    if "signature" in chosen:
        spot = chosen["signature"]
        half_w, half_h = 32 * MM, SIGNATURE_SIZE[1] / 2 + 2
        signature = SignaturePlace(page=spot.page, gap=(spot.x - half_w, spot.y - half_h, spot.x + half_w,
                                                        spot.y + half_h), centre_x=spot.x)
        found.add("signature")
    same_line = where.same_line and not ({"number", "date"} & set(chosen))
    return Placement(page_size=where.page_size, pages=where.pages, number=number, date=date, signature=signature,
                     found=found, has_text=where.has_text or bool(chosen), same_line=same_line)


def spots_from(data: dict[str, Any] | None) -> dict[str, Spot]:
    """The chosen positions as stored ({"number": [page, x, y], …}); anything malformed is left out."""
    result: dict[str, Spot] = {}
    for element in ELEMENTS:
        value = (data or {}).get(element)
        try:
            page, x, y = value  # type: ignore[misc]
            result[element] = Spot(page=int(page), x=float(x), y=float(y))
        except (TypeError, ValueError):
            continue
    return result


def _inherited(page: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    node: generic.DictionaryObject | None = page
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None
