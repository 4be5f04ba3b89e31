"""Text with positions from a PDF page, fast enough to run at every signature.

placement.py needs three lines of a page (the number, the date, the signer's name) with their positions.
General text extractors (pypdf) spend 10–20 ms per page, mostly decoding every font's ToUnicode map line by
line and parsing the content stream into objects. This module reads the page with the pyHanko reader the
signer already has open, tokenises the content stream with one regular expression, tracks only what moves
text (the CTM, the text matrix, font and size, leading, character and word spacing, horizontal scaling), and
decodes strings with each font's ToUnicode map (parsed with regular expressions, once per font); widths
are measured on the decoded text with the caller's font metrics. Text inside form XObjects and inline
images is not read.

A fragment is (baseline y, x start, x end, text, font size), in default user space (points, origin bottom
left).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

Fragment = tuple[float, float, float, str, float]
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

TOKEN = re.compile(
    rb"""
    (?P<ws>[\x00\t\n\x0c\r ]+|%[^\r\n]*)
  | (?P<str>\((?:[^()\\]|\\.|\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))*\))
  | (?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)
  | (?P<dict><<|>>)
  | (?P<arr>[\[\]])
  | (?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<op>[^\x00\t\n\x0c\r ()<>\[\]{}/%]+)
    """,
    re.VERBOSE | re.DOTALL,
)
INLINE_IMAGE_END = re.compile(rb"\sID\s.*?\sEI(?=[\x00\t\n\x0c\r ]|$)", re.DOTALL)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}
ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|.)", re.DOTALL)
BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)


def literal_string(raw: bytes) -> bytes:
    def repl(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        if code in (b"\r\n", b"\n", b"\r"):
            return b""
        return ESCAPES.get(code, code)

    return ESCAPE.sub(repl, raw[1:-1])


def hex_string(raw: bytes) -> bytes:
    digits = bytes(c for c in raw[1:-1] if c not in b"\x00\t\n\x0c\r ")
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


def _utf16(hex_digits: bytes) -> str:
    return bytes.fromhex(hex_digits.decode("ascii")).decode("utf-16-be", errors="replace")


class LazyCMap(dict[int, str]):
    """Code -> text, decoding each bfchar target from its hex digits on first use (a page uses few codes)."""

    def __init__(self, raw: dict[int, bytes]) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, code: int) -> str:
        hex_digits = self.raw.get(code)
        text = _utf16(hex_digits) if hex_digits is not None else ""
        self[code] = text
        return text

    def get(self, code: int, default: str | None = None) -> str | None:  # type: ignore[override]
        if code in self or code in self.raw:
            return self[code]
        return default

    def __bool__(self) -> bool:
        return bool(self.raw) or super().__len__() > 0


BFCHAR_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
BFRANGE_ITEM = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]*)>|\[([^\]]*)\])")


def parse_cmap(data: bytes) -> dict[int, str]:
    """Code -> text from a ToUnicode CMap (bfchar and bfrange sections)."""
    raw: dict[int, bytes] = {}
    for section in BFCHAR.findall(data):
        for code, text in BFCHAR_PAIR.findall(section):
            raw[int(code, 16)] = text
    mapping = LazyCMap(raw)
    for section in BFRANGE.findall(data):
        for low, high, target, targets in BFRANGE_ITEM.findall(section):
            start, end = int(low, 16), int(high, 16)
            if end < start or end - start > 0xFFFF:
                continue
            if targets:
                for offset, text in enumerate(re.findall(rb"<([0-9A-Fa-f]*)>", targets)[: end - start + 1]):
                    mapping[start + offset] = _utf16(text)
            elif target:
                base = _utf16(target)
                for offset in range(end - start + 1):
                    if base:
                        mapping[start + offset] = base[:-1] + chr(ord(base[-1]) + offset)
    return mapping


@dataclass
class FontInfo:
    """How to turn a font's string bytes into text. Widths are not read from the PDF (parsing /Widths and /W
    arrays is most of the cost of reading a font with pyHanko's parser): the caller measures the decoded
    text with the serif font's metrics, which Vietnamese official documents (Times New Roman) match."""

    two_byte: bool
    to_unicode: dict[int, str]

    def decode(self, data: bytes) -> str:
        if self.two_byte:
            codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
            return "".join(self.to_unicode.get(code, "") for code in codes)
        return "".join(self.to_unicode.get(code, "") for code in data)


WIN_ANSI = {code: bytes([code]).decode("cp1252", errors="replace") for code in range(32, 256)}


def _font_info(font: generic.DictionaryObject) -> FontInfo:
    two_byte = font.get("/Subtype") == "/Type0"
    to_unicode: dict[int, str] = {}
    if "/ToUnicode" in font:
        stream = font["/ToUnicode"]
        if isinstance(stream, generic.StreamObject):
            to_unicode = parse_cmap(stream.data)
    if not to_unicode and not two_byte:
        to_unicode = WIN_ANSI
    return FontInfo(two_byte=two_byte, to_unicode=to_unicode)


def _multiply(a: Matrix, b: Matrix) -> Matrix:
    return (
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _content(page: generic.DictionaryObject) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    if isinstance(contents, generic.ArrayObject):
        return b"\n".join(item.get_object().data for item in contents)
    return contents.data


RAW_SUBTYPE = re.compile(rb"/Subtype\s*/(\w+)")
RAW_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+)\s+(\d+)\s+R")


def _font_info_raw(reader: PdfFileReader, ref: generic.IndirectObject) -> FontInfo | None:
    """Read a font dictionary straight from the file bytes, without parsing its /Widths array (fonts stored in
    object streams, or not where the cross-reference table says, go through the normal parser)."""
    marker = reader.xrefs[ref.reference]
    if not isinstance(marker, int):
        return None
    stream = reader.stream
    stream.seek(marker)
    chunk = stream.read(4096)
    end = chunk.find(b"endobj")
    if end < 0 or not re.match(rb"\s*%d\s+%d\s+obj" % (ref.idnum, ref.generation), chunk):
        return None
    chunk = chunk[:end]
    subtype = RAW_SUBTYPE.search(chunk)
    two_byte = subtype is not None and subtype.group(1) == b"Type0"
    to_unicode: dict[int, str] = {}
    found = RAW_TO_UNICODE.search(chunk)
    if found:
        target = reader.get_object(generic.Reference(int(found.group(1)), int(found.group(2)), reader))
        if isinstance(target, generic.StreamObject):
            to_unicode = parse_cmap(target.data)
    if not to_unicode and not two_byte:
        if b"/Differences" in chunk:
            return None
        to_unicode = WIN_ANSI
    return FontInfo(two_byte=two_byte, to_unicode=to_unicode)


class _Fonts:
    def __init__(self, reader: PdfFileReader, resources: generic.DictionaryObject | None,
                 cache: dict[int, FontInfo]) -> None:
        fonts = resources.get("/Font") if resources is not None else None
        self.reader = reader
        self.fonts: Any = fonts.get_object() if fonts is not None else {}
        self.cache = cache

    def get(self, name: str) -> FontInfo | None:
        raw = self.fonts.raw_get(name) if hasattr(self.fonts, "raw_get") and name in self.fonts else None
        if raw is None:
            return None
        key = raw.idnum if isinstance(raw, generic.IndirectObject) else id(raw)
        if key not in self.cache:
            info = None
            if isinstance(raw, generic.IndirectObject) and not self.reader.encrypted:
                info = _font_info_raw(self.reader, raw)
            self.cache[key] = info or _font_info(raw.get_object())
        return self.cache[key]


def page_fragments(reader: PdfFileReader, index: int, *, measure: Callable[[str], float],
                   font_cache: dict[int, FontInfo] | None = None) -> list[Fragment]:
    """The text shown on page `index` as fragments (see the module docstring). `measure(text)` is the
    advance width of `text` at size 1 (in text space units)."""
    page_ref, resources = reader.find_page_for_modification(index)
    page = page_ref.get_object()
    fonts = _Fonts(reader, resources.get_object() if resources is not None else None,
                   font_cache if font_cache is not None else {})
    data = _content(page)
    fragments: list[Fragment] = []
    ctm: Matrix = IDENTITY
    stack: list[Matrix] = []
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    font: FontInfo | None = None
    size = 0.0
    leading = char_space = word_space = 0.0
    h_scale = 1.0
    operands: list[Any] = []
    arrays: list[list[Any]] = []

    def show(items: list[Any]) -> None:
        nonlocal tm
        if font is None:
            return
        start = _multiply(tm, ctm)
        parts = []
        advance = 0.0
        for item in items:
            if isinstance(item, float):
                advance -= item / 1000 * size * h_scale
                continue
            text = font.decode(item)
            parts.append(text)
            spaces = text.count(" ") if not font.two_byte else 0
            advance += (measure(text) * size + char_space * len(text) + word_space * spaces) * h_scale
        text = "".join(parts)
        if text:
            scale_y = (start[2] ** 2 + start[3] ** 2) ** 0.5
            scale_x = (start[0] ** 2 + start[1] ** 2) ** 0.5
            x0, y0 = start[4], start[5]
            fragments.append((y0, x0, x0 + advance * scale_x, text, size * scale_y))
        tm = (tm[0], tm[1], tm[2], tm[3], tm[4] + advance * tm[0], tm[5] + advance * tm[1])

    pos, end = 0, len(data)
    while pos < end:
        match = TOKEN.match(data, pos)
        if match is None:  # a stray delimiter: skip it
            pos += 1
            continue
        pos = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "ws" or kind == "dict":
            continue
        if kind == "num":
            (arrays[-1] if arrays else operands).append(float(value))
        elif kind == "str":
            (arrays[-1] if arrays else operands).append(literal_string(value))
        elif kind == "hex":
            (arrays[-1] if arrays else operands).append(hex_string(value))
        elif kind == "name":
            (arrays[-1] if arrays else operands).append(value.decode("latin-1"))
        elif kind == "arr":
            if value == b"[":
                arrays.append([])
            elif arrays:
                done = arrays.pop()
                (arrays[-1] if arrays else operands).append(done)
        else:
            op = value
            nums = [v for v in operands if isinstance(v, float)]
            if op == b"q":
                stack.append(ctm)
            elif op == b"Q":
                ctm = stack.pop() if stack else IDENTITY
            elif op == b"cm" and len(nums) >= 6:
                ctm = _multiply(tuple(nums[-6:]), ctm)  # type: ignore[arg-type]
            elif op == b"BT":
                tm = tlm = IDENTITY
            elif op == b"Tf" and operands:
                name = next((v for v in operands if isinstance(v, str)), None)
                font = fonts.get(name) if name else None
                size = nums[-1] if nums else size
            elif op in (b"Td", b"TD") and len(nums) >= 2:
                if op == b"TD":
                    leading = -nums[-1]
                tlm = _multiply((1.0, 0.0, 0.0, 1.0, nums[-2], nums[-1]), tlm)
                tm = tlm
            elif op == b"Tm" and len(nums) >= 6:
                tlm = tm = tuple(nums[-6:])  # type: ignore[assignment]
            elif op == b"T*":
                tlm = _multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
                tm = tlm
            elif op == b"TL" and nums:
                leading = nums[-1]
            elif op == b"Tc" and nums:
                char_space = nums[-1]
            elif op == b"Tw" and nums:
                word_space = nums[-1]
            elif op == b"Tz" and nums:
                h_scale = nums[-1] / 100
            elif op == b"Tj" and operands and isinstance(operands[-1], bytes):
                show([operands[-1]])
            elif op == b"TJ" and operands and isinstance(operands[-1], list):
                show(operands[-1])
            elif op in (b"'", b'"') and operands and isinstance(operands[-1], bytes):
                if op == b'"' and len(nums) >= 2:
                    word_space, char_space = nums[-2], nums[-1]
                tlm = _multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
                tm = tlm
                show([operands[-1]])
            elif op == b"BI":  # inline image: skip its binary data up to EI
                image_end = INLINE_IMAGE_END.search(data, pos)
                pos = image_end.end() if image_end else end
            operands = []
            arrays = []
    return fragments
