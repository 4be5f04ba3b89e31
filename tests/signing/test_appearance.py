"""The drawing pieces: embedded Vietnamese text, images with transparency, where things are placed."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing.pdf_checks import SON_BLOCK
from vanthu.core.fonts import serif
from vanthu.demo.pdfs import sample_draft
from vanthu.signing import appearance, pdftext, placement

DATE = "Đà Nẵng, ngày 05 tháng 3 năm 2026"


def _page_with(canvas: appearance.Canvas, *, x: float = 100, y: float = 600) -> bytes:
    """sample_draft with `canvas` drawn on page 1 (as page content, so pdftotext reads it)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(sample_draft()))
    xobject = canvas.write(writer)
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    resources = page["/Resources"]
    resources[generic.pdf_name("/XObject")] = generic.DictionaryObject({generic.pdf_name("/VTTest"): xobject})
    contents = page.raw_get("/Contents")
    extra = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 1 %d %d cm /VTTest Do Q" % (x, y)))
    page[generic.pdf_name("/Contents")] = generic.ArrayObject([contents, extra])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_vietnamese_text_is_embedded_and_extractable():
    canvas = appearance.field_canvas(DATE, width=220, height=18, baseline=4, size=13, font_path=serif().italic)
    pdf = _page_with(canvas)
    assert DATE in _pdftotext(pdf)
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    ours = [line for line in fonts.splitlines() if "+LiberationSerif-Italic" in line and "CID TrueType" in line]
    assert ours, fonts
    assert " yes yes yes " in ours[0], fonts


def test_ascii_time_uses_the_standard_times_font():
    canvas = appearance.Canvas.sized(120, 12)
    canvas.text("2026-03-05T09:30:00+07:00", font_path=serif().regular, size=8, x=0, y=2)
    assert canvas.standard
    assert not canvas.fonts
    assert "2026-03-05T09:30:00+07:00" in _pdftotext(_page_with(canvas))


def test_font_subsets_are_reused_for_new_digits():
    first = appearance.subset_for(serif().regular, "Số: 12/KH-TM")
    second = appearance.subset_for(serif().regular, "Số: 345/KH-TM")
    assert first is second


def test_field_text_shrinks_to_fit_its_box():
    long_number = "Số: 1234567/QĐ-BTL-TM-TC"
    canvas = appearance.field_canvas(long_number, width=60, height=18, baseline=4, size=13,
                                     font_path=serif().regular)
    size = float(canvas.ops[-1].split(b" Tf")[0].split()[-1])
    assert size < 13
    assert appearance.face(serif().regular).width(long_number, size) <= 60


def _png(colour: tuple[int, int, int, int], *, dpi: int | None = 300, size: tuple[int, int] = (300, 120)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste(colour, (20, 20, size[0] - 20, size[1] - 20))
    out = io.BytesIO()
    image.save(out, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def test_png_keeps_transparency_and_its_printed_size():
    image = appearance.raster(_png((20, 40, 200, 255)))
    assert image.alpha is not None
    assert image.size_mm == pytest.approx((300 / 300 * 25.4, 120 / 300 * 25.4), abs=0.1)
    assert appearance.raster(_png((20, 40, 200, 255), dpi=None)).size_mm is None


def test_garbage_image_is_refused():
    with pytest.raises(appearance.BadImage):
        appearance.raster(b"not a png")


def test_transparent_signature_image_is_drawn_with_a_soft_mask():
    canvas = appearance.signature_canvas(appearance.raster(_png((20, 40, 200, 255))), 100, 40)
    pdf = _page_with(canvas)
    reader = PdfFileReader(io.BytesIO(pdf))
    page, _resources = reader.find_page_for_modification(0)
    form = page.get_object()["/Resources"]["/XObject"]["/VTTest"]
    image = form["/Resources"]["/XObject"]["/Im0"]
    assert image["/Subtype"] == "/Image"
    assert "/SMask" in image


# --- placement -------------------------------------------------------------------------------------------


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf), strict=False)


def test_placement_finds_number_date_and_signature_gap():
    draft = sample_draft(competence="KT. THAM MƯU TRƯỞNG", title="PHÓ THAM MƯU TRƯỞNG")
    where = placement.locate(_reader(draft), name_line="Đại tá Hoàng Văn Sơn")
    assert where.found == {"number", "date", "signature"}
    assert where.number.box[2] < where.date.box[0] + 10
    gap = where.signature.gap
    # the gap lies between the title line (baseline ≈ 482.5) and the name line (baseline ≈ 391.8)
    assert 391.8 < gap[1] < gap[3] < 482.5


def test_name_line_is_matched_without_regard_to_case_and_spacing():
    where = placement.locate(_reader(sample_draft()), name_line="  đại tá   HOÀNG VĂN SƠN ")
    assert "signature" in where.found


def test_signature_block_on_the_last_of_thirty_pages():
    where = placement.locate(_reader(sample_draft(pages=30)), name_line=SON_BLOCK.name_line)
    assert where.pages == 30
    assert where.signature.page == 29


def test_placement_falls_back_to_decree_30_positions():
    where = placement.locate(_reader(sample_draft()), name_line="Thiếu tướng Người Khác")
    assert "signature" not in where.found
    assert where.signature.page == 0
    _x1, y1, x2, _y2 = where.signature.gap
    assert x2 > 400
    assert y1 > 150


def test_to_unicode_maps_are_read_from_bfchar_and_bfrange():
    cmap = (b"beginbfchar <0003> <0020> <0024> <1EA0> endbfchar "
            b"beginbfrange <0010> <0012> <0041> <0020> <0021> [<00E0> <00E1>] endbfrange")
    mapping = pdftext.parse_cmap(cmap)
    assert mapping[3] == " "
    assert mapping[0x24] == "Ạ"
    assert [mapping[c] for c in (0x10, 0x11, 0x12)] == ["A", "B", "C"]
    assert mapping[0x20] == "à"
    assert mapping[0x21] == "á"


def test_text_lines_keep_vietnamese_and_positions():
    lines = placement.page_lines(_reader(sample_draft()), 0)
    texts = [line.text for line in lines]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "Đà Nẵng, ngày tháng năm 2026" in texts
    number = next(line for line in lines if line.text.startswith("Số:"))
    assert number.size == 13
    assert 700 < number.baseline < 760
