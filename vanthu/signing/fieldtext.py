"""The text a filled number or date field's appearance shows (decision 0036), read only in fonts checked against
vanthu's own (decision 0045).

`field_text` reads an appearance drawn the way vanthu draws a filled field (appearance.field_canvas); anything
else reads as "not shown as text". The text is read from the glyphs it draws. A PDF's ToUnicode map says
which character each glyph is, but it is the file's word: a font whose glyphs draw "123" while its map says
"456" shows one number to the eye and another to any reader of the text. So a field's text is read only in a
font vanthu itself writes there (appearance.Canvas), and only when what the font draws is vanthu's:

- **the standard Times-Roman** (ASCII text in the upright serif): exactly the dictionary vanthu writes
  (appearance.STANDARD_TIMES: no embedded program, no /Differences, no map of its own), its codes read as
  printable ASCII;
- **an embedded subset** of one of vanthu's serif fonts (core.fonts.serif_files): the Type0 / CIDFontType2
  dictionaries with exactly the entries vanthu writes (Identity-H, CIDToGIDMap Identity, a /W array, a
  FontFile2 program), a program with only the tables vanthu's subsets have (no hinting programs, no
  variations: nothing that moves points at display), the same units per em. Each glyph the field draws must
  then be, point for point (outline, on-curve flags, advance and side bearing in the program, width in /W),
  the glyph vanthu's own font file has for the character the ToUnicode map names: the map only nominates
  the character; vanthu's font decides. A glyph that draws anything else makes the text unreadable.

Anything else — another font, another dictionary, a program vanthu did not make — is not read: the field is
"not shown as text" (fields.FilledField.shown None), as decision 0036 already treats other drawings.

An adapter: an open reader's objects in, plain values out. The outlines of vanthu's fonts and of each
embedded program are kept per process (a few kB each), so a validation of a file already seen reads no font
program again.
"""

from __future__ import annotations

import io
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic

from vanthu.core.fonts import serif_files
from vanthu.signing import appearance
from vanthu.signing.pdferrors import UNREADABLE_ERRORS
from vanthu.signing.pdftext import TOKEN, hex_string, literal_string, parse_cmap

STANDARD_TIMES = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Times-Roman", "/Encoding": "/WinAnsiEncoding"}
TYPE0_KEYS = frozenset({"/Type", "/Subtype", "/BaseFont", "/Encoding", "/DescendantFonts", "/ToUnicode"})
CID_KEYS = frozenset({"/Type", "/Subtype", "/BaseFont", "/CIDSystemInfo", "/FontDescriptor", "/CIDToGIDMap", "/W"})
DESCRIPTOR_KEYS = frozenset({"/Type", "/FontName", "/Flags", "/FontBBox", "/ItalicAngle", "/Ascent", "/Descent",
                             "/CapHeight", "/StemV", "/FontFile2"})
# what appearance._make_subset keeps of vanthu's candidate fonts (BASE: Source Serif's baselines, for layout only)
PROGRAM_TABLES = frozenset({"BASE", "GlyphOrder", "OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp",
                            "name", "post"})
MAX_PROGRAM = 1 << 20  # decoded bytes: vanthu's subsets are a few kB
MAX_GLYPHS = 4096
MAX_WIDTHS = 1 << 16

# a glyph as drawn: its points (composites resolved), the last point of each contour, which points are on the
# curve, then its advance and left side bearing (hmtx)
Outline = tuple[tuple[tuple[float, float], ...], tuple[int, ...], bytes, int, int]


class StandardTimes:
    """Codes of vanthu's standard Times-Roman: printable ASCII, as vanthu writes only ASCII in it."""

    def decode(self, data: bytes) -> str | None:
        return data.decode("ascii") if all(32 <= b < 127 for b in data) else None


@dataclass(frozen=True)
class EmbeddedSubset:
    """A subset of vanthu's font `path`: `named` is the file's ToUnicode (code -> character, the nominee),
    `widths` its /W, `glyphs` the program's glyphs by id (= code: Identity-H and CIDToGIDMap Identity)."""

    path: Path
    named: dict[int, str]
    widths: dict[int, float]
    glyphs: dict[int, Outline]

    def decode(self, data: bytes) -> str | None:
        if len(data) % 2:
            return None
        face = appearance.face(self.path)
        text = []
        for i in range(0, len(data), 2):
            code = int.from_bytes(data[i : i + 2], "big")
            char = self.named.get(code, "")
            drawn = self.glyphs.get(code)
            if len(char) != 1 or drawn is None or drawn != own_glyph(self.path, char):
                return None
            if self.widths.get(code) != round(face.scale(drawn[3])):
                return None
            text.append(char)
        return "".join(text)


ShownFont = StandardTimes | EmbeddedSubset


def shown_font(font: Any) -> ShownFont | None:
    """`font` (a font dictionary of a field appearance's resources) as one of vanthu's (see the module
    docstring), or None when it is not."""
    try:
        font = font.get_object()
        if not isinstance(font, generic.DictionaryObject):
            return None
        if set(font) == set(STANDARD_TIMES) and all(font[k] == v for k, v in STANDARD_TIMES.items()):
            return StandardTimes()
        return _embedded(font)
    except UNREADABLE_ERRORS:
        return None


def _embedded(font: generic.DictionaryObject) -> EmbeddedSubset | None:
    if set(font) != TYPE0_KEYS or font["/Subtype"] != "/Type0" or font.raw_get("/Encoding") != "/Identity-H":
        return None
    descendants = font["/DescendantFonts"]
    if not isinstance(descendants, generic.ArrayObject) or len(descendants) != 1:
        return None
    cid = descendants[0].get_object()
    if (not isinstance(cid, generic.DictionaryObject) or set(cid) != CID_KEYS or cid["/Subtype"] != "/CIDFontType2"
            or cid.raw_get("/CIDToGIDMap") != "/Identity" or cid["/BaseFont"] != font["/BaseFont"]):
        return None
    descriptor = cid["/FontDescriptor"]
    if (not isinstance(descriptor, generic.DictionaryObject) or set(descriptor) != DESCRIPTOR_KEYS
            or descriptor["/FontName"] != font["/BaseFont"]):
        return None
    program, to_unicode = descriptor["/FontFile2"], font["/ToUnicode"]
    if not isinstance(program, generic.StreamObject) or not isinstance(to_unicode, generic.StreamObject):
        return None
    path = _own_font(str(font["/BaseFont"]))
    widths = _widths(cid["/W"])
    encoded = _flate_only(program)
    if path is None or widths is None or encoded is None:
        return None
    glyphs = program_glyphs(encoded, appearance.face(path).units_per_em)
    if glyphs is None:
        return None
    return EmbeddedSubset(path=path, named=parse_cmap(to_unicode.data), widths=widths, glyphs=glyphs)


def _own_font(base_font: str) -> Path | None:
    """The file of vanthu's font a subset's name ("/VTABCDEF+LiberationSerif") names, if vanthu has it."""
    tag, plus, name = base_font.lstrip("/").partition("+")
    if not plus or not tag.startswith("VT"):
        return None
    return next((path for path in serif_files() if appearance.face(path).postscript_name == name), None)


def _flate_only(stream: generic.StreamObject) -> bytes | None:
    """The stream's encoded bytes when it is compressed as vanthu writes it (/FlateDecode alone)."""
    if stream.get("/Filter") != "/FlateDecode" or "/DecodeParms" in stream:
        return None
    return bytes(stream.encoded_data)


def _widths(array: Any) -> dict[int, float] | None:
    """A CIDFont's /W array (c [w1 w2 …] and c_first c_last w), as CID -> width."""
    if not isinstance(array, generic.ArrayObject):
        return None
    items = [item.get_object() for item in array]
    found: dict[int, float] = {}
    i = 0
    while i < len(items):
        if not isinstance(items[i], generic.NumberObject):
            return None
        first = int(items[i])
        if i + 1 < len(items) and isinstance(items[i + 1], generic.ArrayObject):
            found.update((first + k, float(w)) for k, w in enumerate(items[i + 1]))
            i += 2
        elif i + 2 < len(items):
            last = int(items[i + 1])
            if not 0 <= last - first < MAX_WIDTHS:
                return None
            found.update((c, float(items[i + 2])) for c in range(first, last + 1))
            i += 3
        else:
            return None
        if len(found) > MAX_WIDTHS:
            return None
    return found


_READING = threading.Lock()  # fontTools' lazy tables are read on first use: one thread at a time


@lru_cache(maxsize=64)
def program_glyphs(encoded: bytes, units_per_em: int) -> dict[int, Outline] | None:
    """The glyphs of an embedded TrueType program (Flate-encoded), by glyph id; None when it is not a program
    as vanthu's subsets are (tables, units per em, no instructions), or does not read."""
    from fontTools.ttLib import TTFont

    decompressor = zlib.decompressobj()
    try:
        data = decompressor.decompress(encoded, MAX_PROGRAM)
        if decompressor.unconsumed_tail:
            return None
        with _READING:
            font = TTFont(io.BytesIO(data), lazy=True)
            if set(font.keys()) - PROGRAM_TABLES or font["head"].unitsPerEm != units_per_em:
                return None
            order = font.getGlyphOrder()
            if len(order) > MAX_GLYPHS:
                return None
            glyphs = {}
            for gid, name in enumerate(order):
                if _instructions(font["glyf"][name]):
                    return None
                glyphs[gid] = _outline(font, name)
            return glyphs
    except Exception:  # a font program is the file's: whatever fails to read it is not vanthu's
        return None


def _instructions(glyph: Any) -> bool:
    program = getattr(glyph, "program", None)
    return program is not None and bool(program.getBytecode())


def _outline(font: Any, name: str) -> Outline:
    glyf = font["glyf"]
    coordinates, ends, flags = glyf[name].getCoordinates(glyf)
    advance, lsb = font["hmtx"][name]
    return tuple((float(x), float(y)) for x, y in coordinates), tuple(ends), bytes(f & 1 for f in flags), advance, lsb


@lru_cache(maxsize=8)
def _own_program(path: Path) -> Any:
    from fontTools.ttLib import TTFont

    return TTFont(str(path), lazy=True)


def warm_font(path: Path) -> None:
    """Read the glyph tables of vanthu's font file `path` now (a process's start: signing/warmth.py)."""
    with _READING:
        font = _own_program(path)
        font["glyf"]
        font["hmtx"]


@lru_cache(maxsize=4096)
def own_glyph(path: Path, char: str) -> Outline | None:
    """The glyph vanthu's font file `path` has for `char` (its own character map), None when it has none."""
    name = appearance.face(path).cmap.get(ord(char))
    if name is None:
        return None
    with _READING:
        return _outline(_own_program(path), name)


# --- the text of a filled field's appearance -------------------------------------------------------------


class _Fonts:
    """The fonts of an appearance's resources, each checked once (`shown_font`)."""

    def __init__(self, resources: generic.DictionaryObject | None) -> None:
        fonts = resources.get("/Font") if resources is not None else None
        self.fonts = fonts.get_object() if fonts is not None else generic.DictionaryObject()
        self.checked: dict[str, ShownFont | None] = {}

    def get(self, name: str) -> ShownFont | None:
        if name not in self.checked:
            found = self.fonts.raw_get(name) if isinstance(self.fonts, generic.DictionaryObject) and \
                name in self.fonts else None
            self.checked[name] = shown_font(found) if found is not None else None
        return self.checked[name]


FIELD_OPS = frozenset({b"q", b"Q", b"rg", b"re", b"f", b"BT", b"ET", b"Tf", b"Td", b"Tj"})
MIN_FIELD_TEXT_SIZE = 2.0  # points: smaller text is not "shown"


def field_text(stream: generic.StreamObject) -> str | None:
    """The text a number or date field's appearance (a form XObject) shows, when it is drawn the way vanthu
    draws one (appearance.field_canvas): boxes filled before any text, then black text shown with `Tj` at a
    position inside the box, fonts as its only resources. None for anything else — an image or another form
    drawn, a path, a matrix, text in another colour or render mode, a box filled over the text, text outside
    the box or too small to read: what such an appearance shows cannot be read as text, so it is not taken
    as showing the field's value; and None for text in a font that is not vanthu's, or whose glyphs are not
    those of vanthu's font for the characters its map names (the module docstring)."""
    resources = stream.get("/Resources")
    resources = resources.get_object() if isinstance(resources, generic.IndirectObject) else resources
    if resources is not None and (not isinstance(resources, generic.DictionaryObject)
                                  or set(resources) - {"/Font", "/ProcSet"}):
        return None
    try:
        box = [float(v) for v in stream["/BBox"]]
        data = stream.data
    except (KeyError, TypeError, ValueError):
        return None
    left, bottom, right, top = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    fonts = _Fonts(resources)
    parts: list[str] = []
    operands: list[Any] = []
    in_text = False
    moved = 0  # Td operators in the current text object: vanthu writes one (a second would move relative to it)
    font: ShownFont | None = None
    pos, end = 0, len(data)
    while pos < end:
        match = TOKEN.match(data, pos)
        if match is None:
            return None
        pos = match.end()
        kind, value = match.lastgroup, match.group()
        if kind == "ws":
            continue
        if kind == "num":
            operands.append(float(value))
        elif kind == "hex":
            operands.append(hex_string(value))
        elif kind == "str":
            operands.append(literal_string(value))
        elif kind == "name":
            operands.append(value.decode("latin-1"))
        elif kind != "op" or value not in FIELD_OPS:
            return None
        else:
            nums = [v for v in operands if isinstance(v, float)]
            if value == b"BT":
                in_text, moved = True, 0
            elif value == b"ET":
                in_text = False
            elif value == b"f" and parts:
                return None  # a box filled over text already shown
            elif value == b"rg" and in_text and nums != [0.0, 0.0, 0.0]:
                return None
            elif value == b"Tf":
                name = next((v for v in operands if isinstance(v, str)), None)
                font = fonts.get(name) if name else None
                if font is None or not nums or nums[-1] < MIN_FIELD_TEXT_SIZE:
                    return None
            elif value == b"Td":
                moved += 1
                if moved > 1 or len(nums) != 2 or not (left <= nums[0] < right and bottom <= nums[1] < top):
                    return None
            elif value == b"Tj":
                if not in_text or font is None or not operands or not isinstance(operands[-1], bytes):
                    return None
                text = font.decode(operands[-1])
                if text is None:
                    return None
                parts.append(text)
            operands = []
    return "".join(parts)
