"""Checks on signed PDFs with independent tools (poppler's pdfsig and pdftoppm) and small tamperings."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.signing.service import SignatureBlock

# The sample draft's signer (vanthu.demo.pdfs.sample_draft): Sơn, Tham mưu trưởng of the Staff.
SON_BLOCK = SignatureBlock(competence="THAM MƯU TRƯỞNG", title="", name_line="Đại tá Hoàng Văn Sơn")
NUMBER = "Số: 12/KH-TM"
DATE = "Đà Nẵng, ngày 05 tháng 3 năm 2026"


def pdfsig_report(pdf: bytes) -> list[tuple[str, str]]:
    """(signature type, 'Signature Validation' verdict) for each signature pdfsig lists, in order."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(["pdfsig", handle.name], capture_output=True, text=True, timeout=60)
    return re.findall(r"Signature Type: (.+)\n(?:.*\n)*?\s*- Signature Validation: (.+)", result.stdout)


DOCUMENT_TIMESTAMP_TYPES = ("unknown", "ETSI.RFC3161")  # how pdfsig (poppler 22) lists /DocTimeStamp


def pdfsig(pdf: bytes) -> list[str]:
    """pdfsig's 'Signature Validation' verdict for each CMS signature (document timestamps left out: pdfsig
    cannot validate them, "Unable to validate this type of signature")."""
    return [verdict for kind, verdict in pdfsig_report(pdf) if kind.strip() not in DOCUMENT_TIMESTAMP_TYPES]


def assert_pdfsig_valid(pdf: bytes, count: int) -> None:
    verdicts = pdfsig(pdf)
    assert verdicts == ["Signature is Valid."] * count, verdicts


def render(pdf: bytes, *, page: int = 1, dpi: int = 50) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "page"
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                        "-", str(target)], input=pdf, check=True, capture_output=True, timeout=60)
        return Image.open(target.with_suffix(".png")).convert("RGB")


def widget_rects(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Form field name -> widget rectangle (PDF points)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    rects = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        rects[str(field["/T"])] = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    return rects


def field_values(pdf: bytes) -> dict[str, str]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {str(ref.get_object()["/T"]): str(ref.get_object().get("/V", ""))
            for ref in reader.root["/AcroForm"]["/Fields"]}


def count_pixels(image: Image.Image, rect: tuple[float, float, float, float], *, page_height: float, dpi: int,
                 colour: str) -> int:
    """Pixels of a colour ('blue' ink, 'red' seal, 'dark' text) inside a PDF-space rectangle."""
    scale = dpi / 72
    x1, y1, x2, y2 = rect
    box = (int(x1 * scale), int((page_height - y2) * scale), int(x2 * scale) + 1, int((page_height - y1) * scale) + 1)
    tests = {
        "blue": lambda r, g, b: b > 110 and b - r > 50 and b - g > 30,
        "red": lambda r, g, b: r > 140 and r - g > 70 and r - b > 70,
        "dark": lambda r, g, b: r < 90 and g < 90 and b < 90,
    }
    matches = tests[colour]
    data = image.crop(box).tobytes()
    return sum(1 for i in range(0, len(data), 3) if matches(data[i], data[i + 1], data[i + 2]))


def flip_byte_inside_signed_range(pdf: bytes) -> bytes:
    """Change one byte of the original document (the /Title key of its info dictionary, inside every
    signature's byte range), keeping the length and the PDF readable."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signed_end = reader.embedded_signatures[0].byte_range[1]
    position = pdf.find(b"/Title")
    if not 0 < position < signed_end:
        position = signed_end // 2
    data = bytearray(pdf)
    data[position + 3] = ord("X") if data[position + 3] != ord("X") else ord("Y")
    return bytes(data)


def overwrite_page_in_later_update(pdf: bytes, *, text: bytes = b"DA SUA") -> bytes:
    """An incremental update after the signatures that replaces page 1's content (a shadow-style attack)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 400 Td (" + text + b") Tj ET")
    page[generic.pdf_name("/Contents")] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def lean_equipped_cast(cast):
    """Like tests/signing/conftest.py's fixture, but certificates and images only for the owners these tests
    sign with (Hùng, Sơn; the Office and the Staff): a quarter of the set-up time."""
    from vanthu.signing.testing import equip_cast

    cast.equipment = equip_cast(cast, people=("hung", "son"), units=("office", "staff"))
    return cast
