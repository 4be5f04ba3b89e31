"""Drawing the visible parts of vanthu's signatures, straight into PDF objects.

Decree 30/2020 Phụ lục I asks for: the signer's handwritten-signature image (blue, transparent PNG) between
the position line and the name; the unit's red seal image at actual size over the left third of it; on
attachments and electronic copies a text-only stamp (Times New Roman 10, black) at the top right of page 1;
and the number and date written in their places at issuance.

Each appearance is a form XObject built here by hand: the image as an image XObject with a soft mask (its
transparency), text in an embedded TrueType subset of the serif font (`core.fonts.serif()`, metrics of Times
New Roman, full Vietnamese coverage). Decoding a PNG and subsetting a font are the slow parts (tens of
milliseconds), so both are cached per process: an image by its bytes, a font subset by the set of characters
it covers (digits are always included so that a new date or number reuses the subset). Per signature only a
few small PDF objects are written.
"""

from __future__ import annotations

import io
import logging
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp.base import BaseStampStyle

MM = 72 / 25.4  # PDF points per millimetre
DIGITS = frozenset("0123456789")
WHITE = (1.0, 1.0, 1.0)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # the subsetter logs every table at INFO
BLACK = (0.0, 0.0, 0.0)
SEAL_RED = (0.85, 0.0, 0.0)


# --- images ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RasterImage:
    """A PNG decoded once: RGB samples and the alpha channel, each Flate-compressed, plus its physical size
    when the PNG says its resolution (pHYs), in millimetres."""

    width_px: int
    height_px: int
    rgb: bytes
    alpha: bytes | None
    size_mm: tuple[float, float] | None

    @property
    def aspect(self) -> float:
        return self.width_px / self.height_px


class BadImage(ValueError):
    pass


@lru_cache(maxsize=64)
def raster(png: bytes) -> RasterImage:
    from PIL import Image  # imported where used: loading pages need not pay for it

    try:
        with Image.open(io.BytesIO(png)) as source:
            source.load()
            dpi = source.info.get("dpi")
            image = source.convert("RGBA")
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadImage(str(exc)) from exc
    width, height = image.size
    alpha_channel = image.getchannel("A")
    opaque = alpha_channel.getextrema() == (255, 255)
    size_mm = None
    if dpi and dpi[0] and dpi[1] and float(dpi[0]) > 1 and float(dpi[1]) > 1:
        size_mm = (width / float(dpi[0]) * 25.4, height / float(dpi[1]) * 25.4)
    return RasterImage(
        width_px=width,
        height_px=height,
        rgb=zlib.compress(image.convert("RGB").tobytes(), 6),
        alpha=None if opaque else zlib.compress(alpha_channel.tobytes(), 6),
        size_mm=size_mm,
    )


def add_image(writer: BasePdfFileWriter, image: RasterImage) -> generic.IndirectObject:
    common = {
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Image"),
        pdf_name("/Width"): generic.NumberObject(image.width_px),
        pdf_name("/Height"): generic.NumberObject(image.height_px),
        pdf_name("/BitsPerComponent"): generic.NumberObject(8),
        pdf_name("/Filter"): pdf_name("/FlateDecode"),
    }
    entries = dict(common)
    entries[pdf_name("/ColorSpace")] = pdf_name("/DeviceRGB")
    if image.alpha is not None:
        mask = generic.StreamObject(
            {**common, pdf_name("/ColorSpace"): pdf_name("/DeviceGray")}, encoded_data=image.alpha
        )
        entries[pdf_name("/SMask")] = writer.add_object(mask)
    return writer.add_object(generic.StreamObject(entries, encoded_data=image.rgb))


# --- fonts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFace:
    """Metrics of a TrueType font, read once."""

    path: Path
    postscript_name: str
    units_per_em: int
    cmap: dict[int, str]
    advances: dict[str, int]
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    char_units: dict[str, int] = field(default_factory=dict, compare=False)  # filled as characters are measured

    def scale(self, value: float) -> float:
        return value * 1000 / self.units_per_em

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` at `size` points (no kerning)."""
        units = self.char_units
        total = 0
        for char in text:
            advance = units.get(char)
            if advance is None:
                advance = units[char] = self.advances.get(self.cmap.get(ord(char), ".notdef"), 0)
            total += advance
        return total * size / self.units_per_em


@cache
def face(path: Path) -> FontFace:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    head, hhea, post = font["head"], font["hhea"], font["post"]
    os2 = font.get("OS/2")
    name = font["name"].getDebugName(6) or path.stem
    return FontFace(
        path=path,
        postscript_name="".join(c for c in name if c.isalnum() or c == "-"),
        units_per_em=head.unitsPerEm,
        cmap=dict(font.getBestCmap()),
        advances={glyph: metrics[0] for glyph, metrics in font["hmtx"].metrics.items()},
        ascent=hhea.ascent,
        descent=hhea.descent,
        cap_height=getattr(os2, "sCapHeight", 0) or int(hhea.ascent * 0.7),
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        italic_angle=float(post.italicAngle),
    )


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: subsets are cached and shared
class FontSubset:
    """An embedded subset: the compressed TrueType program and how characters map to its glyph ids."""

    face: FontFace
    tag: str
    program: bytes
    gids: dict[str, int]  # character -> glyph id in the subset
    widths: dict[int, int]  # glyph id -> advance in 1/1000 em

    def encode(self, text: str) -> bytes:
        return b"".join(self.gids.get(char, 0).to_bytes(2, "big") for char in text)


def normalise(text: str) -> str:
    """Vietnamese text in composed form (NFC), the form the font's character map covers."""
    return unicodedata.normalize("NFC", text)


_SUBSETTING = threading.Lock()  # held only by a thread making a subset
_SUBSETS: dict[tuple[Path, frozenset[str]], FontSubset] = {}  # made so far, oldest first
SUBSETS_KEPT = 128


def subset_for(path: Path, text: str) -> FontSubset:
    """The subset of the font at `path` covering `text` (and the digits: every number of a register shares
    one), made once per process. A subset already made is returned without any lock (a dict read), so a thread
    making a new one (~45 ms of fontTools) makes no other thread wait for a subset it already has. Threads that
    need a new one at the same moment wait for the first to make it (pure Python, under the interpreter lock
    anyway) instead of each making it again: issuances sealing at once after a process starts, or after a new
    text, made it up to once per thread."""
    key = (path, frozenset(normalise(text)) | DIGITS | {" "})
    made = _SUBSETS.get(key)
    if made is not None:
        return made
    with _SUBSETTING:
        made = _SUBSETS.get(key)
        if made is None:
            made = _make_subset(*key)
            if len(_SUBSETS) >= SUBSETS_KEPT:  # bounded: the oldest made goes first
                del _SUBSETS[next(iter(_SUBSETS))]
            _SUBSETS[key] = made
        return made


def _make_subset(path: Path, chars: frozenset[str]) -> FontSubset:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    metrics = face(path)
    usable = sorted(c for c in chars if ord(c) in metrics.cmap)
    options = ft_subset.Options()
    options.layout_features = []
    options.name_IDs = []
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM", "hdmx", "VDMX", "LTSH", "gasp"]
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in usable])
    font = TTFont(str(path))
    subsetter.subset(font)
    order = {glyph: gid for gid, glyph in enumerate(font.getGlyphOrder())}
    gids = {c: order.get(metrics.cmap[ord(c)], 0) for c in usable}
    hmtx = font["hmtx"].metrics
    widths = {gid: round(metrics.scale(hmtx[glyph][0])) for glyph, gid in order.items()}
    out = io.BytesIO()
    font.save(out)
    tag = "".join(chr(ord("A") + (b % 26)) for b in zlib.crc32("".join(usable).encode()).to_bytes(4, "big"))
    return FontSubset(face=metrics, tag=f"VT{tag}", program=zlib.compress(out.getvalue(), 6), gids=gids,
                      widths=widths)


def _to_unicode(font: FontSubset) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    pairs = sorted((gid, char) for char, gid in font.gids.items() if gid)
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        for gid, char in chunk:
            lines.append(b"<%04X> <%s>" % (gid, char.encode("utf-16-be").hex().upper().encode()))
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


class RawObject(generic.PdfObject):
    """PDF syntax serialised in advance and written as is (the constant parts of an embedded font, which
    would otherwise be rebuilt from hundreds of small pyHanko objects for every signature)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def write_to_stream(self, stream: Any, handler: Any = None, container_ref: Any = None) -> None:
        stream.write(self.data)


@dataclass(frozen=True)
class FontTemplates:
    """A subset's dictionaries with `%(descriptor)d`-style holes for the object numbers, and its streams."""

    type0: bytes
    descendant: bytes
    descriptor: bytes
    to_unicode: bytes  # Flate-compressed


@lru_cache(maxsize=128)
def _templates(font: FontSubset) -> FontTemplates:
    metrics = font.face
    base = f"/{font.tag}+{metrics.postscript_name}".encode("ascii")
    flags = 32 | 2 | (64 if metrics.italic_angle else 0)  # nonsymbolic, serif, italic
    bbox = b" ".join(b"%d" % round(metrics.scale(v)) for v in metrics.bbox)
    widths = b" ".join(b"%d" % font.widths[gid] for gid in range(len(font.widths)))
    return FontTemplates(
        type0=b"<< /Type /Font /Subtype /Type0 /BaseFont " + base
        + b" /Encoding /Identity-H /DescendantFonts [%(descendant)d 0 R] /ToUnicode %(to_unicode)d 0 R >>",
        descendant=b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont " + base
        + b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        + b" /FontDescriptor %(descriptor)d 0 R /CIDToGIDMap /Identity /W [0 [" + widths + b"]] >>",
        descriptor=b"<< /Type /FontDescriptor /FontName " + base + b" /Flags %d" % flags
        + b" /FontBBox [" + bbox + b"] /ItalicAngle %.1f" % metrics.italic_angle
        + b" /Ascent %d /Descent %d" % (round(metrics.scale(metrics.ascent)), round(metrics.scale(metrics.descent)))
        + b" /CapHeight %d /StemV 80" % round(metrics.scale(metrics.cap_height))
        + b" /FontFile2 %(program)d 0 R >>",
        to_unicode=zlib.compress(_to_unicode(font), 6),
    )


def _flate(data: bytes) -> generic.StreamObject:
    return generic.StreamObject({pdf_name("/Filter"): pdf_name("/FlateDecode")}, encoded_data=data)


def add_font(writer: BasePdfFileWriter, font: FontSubset) -> generic.IndirectObject:
    """A Type0 font (Identity-H, CIDFontType2) for `font`, written into the PDF."""
    parts = _templates(font)
    refs = {b"program": writer.add_object(_flate(font.program)).idnum,
            b"to_unicode": writer.add_object(_flate(parts.to_unicode)).idnum}
    refs[b"descriptor"] = writer.add_object(RawObject(parts.descriptor % refs)).idnum
    refs[b"descendant"] = writer.add_object(RawObject(parts.descendant % refs)).idnum
    return writer.add_object(RawObject(parts.type0 % refs))


STANDARD_TIMES = RawObject(b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>")


def serif_regular() -> Path:
    from vanthu.core.fonts import serif

    return serif().regular


# --- appearance streams ----------------------------------------------------------------------------------


@dataclass
class Canvas:
    """Content of one form XObject: drawing operators plus the fonts and images they use."""

    width: float
    height: float
    ops: list[bytes]
    fonts: dict[str, FontSubset]
    images: dict[str, RasterImage]
    standard: bool = False  # uses the standard Times-Roman font

    @classmethod
    def sized(cls, width: float, height: float) -> Canvas:
        return cls(width=width, height=height, ops=[], fonts={}, images={})

    def fill_rect(self, x: float, y: float, w: float, h: float, color: tuple[float, float, float]) -> None:
        self.ops.append(b"q %.3f %.3f %.3f rg %.2f %.2f %.2f %.2f re f Q" % (*color, x, y, w, h))

    def image(self, image: RasterImage, x: float, y: float, w: float, h: float) -> None:
        name = f"Im{len(self.images)}"
        self.images[name] = image
        self.ops.append(b"q %.3f 0 0 %.3f %.3f %.3f cm /%s Do Q" % (w, h, x, y, name.encode()))

    def text(self, text: str, *, font_path: Path, size: float, x: float, y: float,
             color: tuple[float, float, float] = BLACK) -> None:
        text = normalise(text)
        if text.isascii() and font_path == serif_regular():
            # ASCII in the upright serif: PDF's standard Times-Roman, nothing to embed
            self.standard = True
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            self.ops.append(b"BT %.3f %.3f %.3f rg /Times %.2f Tf %.2f %.2f Td (%s) Tj ET"
                            % (*color, size, x, y, escaped.encode("ascii")))
            return
        font = subset_for(font_path, text)
        name = next((k for k, v in self.fonts.items() if v is font), f"F{len(self.fonts)}")
        self.fonts[name] = font
        self.ops.append(
            b"BT %.3f %.3f %.3f rg /%s %.2f Tf %.2f %.2f Td <%s> Tj ET"
            % (*color, name.encode(), size, x, y, font.encode(text).hex().encode())
        )

    def centred_text(self, text: str, *, font_path: Path, size: float, centre_x: float, y: float,
                     color: tuple[float, float, float] = BLACK) -> None:
        width = face(font_path).width(normalise(text), size)
        self.text(text, font_path=font_path, size=size, x=centre_x - width / 2, y=y, color=color)

    def write(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        resources = generic.DictionaryObject()
        if self.fonts or self.standard:
            fonts: dict[generic.NameObject, generic.PdfObject] = {
                pdf_name(f"/{name}"): add_font(writer, font) for name, font in self.fonts.items()
            }
            if self.standard:
                fonts[pdf_name("/Times")] = writer.add_object(STANDARD_TIMES)
            resources[pdf_name("/Font")] = generic.DictionaryObject(fonts)
        if self.images:
            resources[pdf_name("/XObject")] = generic.DictionaryObject(
                {pdf_name(f"/{name}"): add_image(writer, image) for name, image in self.images.items()}
            )
        stream = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    [generic.FloatObject(0), generic.FloatObject(0),
                     generic.FloatObject(round(self.width, 3)), generic.FloatObject(round(self.height, 3))]
                ),
                pdf_name("/Resources"): resources,
            },
            stream_data=b"\n".join(self.ops),
        )
        stream.compress()
        return writer.add_object(stream)


def fit(image: RasterImage, max_w: float, max_h: float) -> tuple[float, float]:
    """The largest size with the image's aspect ratio inside max_w × max_h."""
    w = min(max_w, max_h * image.aspect)
    return w, w / image.aspect


def signature_canvas(image: RasterImage, width: float, height: float) -> Canvas:
    canvas = Canvas.sized(width, height)
    w, h = fit(image, width, height)
    canvas.image(image, (width - w) / 2, (height - h) / 2, w, h)
    return canvas


TIME_SIZE = 7.5


def seal_canvas(image: RasterImage, *, width: float, height: float, time_text: str, font_path: Path) -> Canvas:
    """The seal at the top of the box, the signing time in a small red line under it."""
    canvas = Canvas.sized(width, height)
    seal_h = height - TIME_SIZE * 1.4
    w, h = fit(image, width, seal_h)
    canvas.image(image, (width - w) / 2, height - h, w, h)
    canvas.centred_text(time_text, font_path=font_path, size=TIME_SIZE, centre_x=width / 2,
                        y=TIME_SIZE * 0.35, color=SEAL_RED)
    return canvas


def field_canvas(text: str, *, width: float, height: float, baseline: float, size: float, font_path: Path) -> Canvas:
    """A filled number or date field: white over the placeholder, the text centred on the old baseline.
    The size shrinks when the text would not fit the field's width."""
    text = normalise(text)
    canvas = Canvas.sized(width, height)
    canvas.fill_rect(0, 0, width, height, WHITE)
    natural = face(font_path).width(text, size)
    if natural > width - 2:
        size = size * (width - 2) / natural
    canvas.centred_text(text, font_path=font_path, size=size, centre_x=width / 2, y=baseline)
    return canvas


def text_block_size(lines: Iterable[str], *, size: float, font_path: Path, padding: float) -> tuple[float, float]:
    lines = list(lines)
    metrics = face(font_path)
    width = max(metrics.width(normalise(line), size) for line in lines) + 2 * padding
    return width, len(lines) * size * 1.2 + 2 * padding


def text_block_canvas(lines: list[str], *, size: float, font_path: Path, padding: float) -> Canvas:
    """Lines left-aligned, top to bottom (the text-only organisation stamp)."""
    width, height = text_block_size(lines, size=size, font_path=font_path, padding=padding)
    canvas = Canvas.sized(width, height)
    y = height - padding - size
    for line in lines:
        canvas.text(line, font_path=font_path, size=size, x=padding, y=y + size * 0.2)
        y -= size * 1.2
    return canvas


def empty_canvas(width: float, height: float) -> Canvas:
    return Canvas.sized(width, height)


# --- pyHanko glue ----------------------------------------------------------------------------------------


class _Applied:
    def __init__(self, ref: generic.IndirectObject) -> None:
        self.ref = ref

    def apply_appearance(self, annot: generic.DictionaryObject) -> None:
        annot[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): self.ref})


@dataclass(frozen=True)
class CanvasStampStyle(BaseStampStyle):
    """A pyHanko stamp style that draws a prepared Canvas as the signature widget's appearance."""

    make: Callable[[float, float], Canvas] | None = None

    def create_stamp(self, writer: BasePdfFileWriter, box: BoxConstraints, text_params: dict) -> _Applied:  # type: ignore[override]
        assert self.make is not None
        return _Applied(self.make(box.width, box.height).write(writer))
