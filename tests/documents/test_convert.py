"""DOCX → PDF with LibreOffice headless: Vietnamese kept, fonts embedded, failures explained in Vietnamese;
and the converted draft is what gets signed, with the signature in its gap."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.documents.docx_builder import decree30_docx
from tests.signing import pdf_checks
from vanthu.documents import convert
from vanthu.signing import placement

equipped_cast = pdf_checks.lean_equipped_cast

TEXT = "Huấn luyện chiến đấu năm 2027"


@pytest.fixture(scope="module")
def converted() -> bytes:
    return convert.docx_to_pdf(decree30_docx(), name="Kế hoạch huấn luyện.docx")


def test_vietnamese_text_survives_the_conversion(converted):
    assert converted.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=converted, capture_output=True, check=True).stdout.decode()
    for expected in (TEXT, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Đại tá Hoàng Văn Sơn", "PHÓ THAM MƯU TRƯỞNG"):
        assert expected in text


def test_fonts_are_embedded(converted):
    listing = subprocess.run(["pdffonts", "-"], input=converted, capture_output=True, check=True).stdout.decode()
    rows = listing.splitlines()[2:]
    assert rows, listing
    assert all(row.split()[-5] == "yes" for row in rows), listing  # the "emb" column
    assert any("Serif" in row for row in rows)


def test_converted_draft_has_its_placeholders_and_signature_gap_found(converted):
    where = placement.locate(PdfFileReader(io.BytesIO(converted), strict=False), name_line="Đại tá Hoàng Văn Sơn")
    assert where.found == {"number", "date", "signature"}


@pytest.mark.django_db
def test_converted_draft_is_signed_and_issued(converted, equipped_cast):
    from tests.signing.pdf_checks import DATE, NUMBER, assert_pdfsig_valid
    from vanthu.signing import service
    from vanthu.signing.service import SignatureBlock
    from vanthu.signing.testing import SIGNING_SECRET

    block = SignatureBlock(competence="KT. THAM MƯU TRƯỞNG", title="PHÓ THAM MƯU TRƯỞNG",
                           name_line="Đại tá Hoàng Văn Sơn")
    signed = service.sign_personal(pdf=converted, person=equipped_cast.son, block=block, secret=SIGNING_SECRET)
    assert signed[: len(converted)] == converted
    issued = service.seal_issued(pdf=signed, unit=equipped_cast.staff, number_text=NUMBER, date_text=DATE,
                                 secret=SIGNING_SECRET)
    assert_pdfsig_valid(issued, 2)
    assert service.validate(issued).valid


def test_corrupt_docx_is_refused_in_vietnamese():
    with pytest.raises(convert.ConversionFailed) as failed:
        convert.docx_to_pdf(b"PK\x03\x04 this is not a real docx", name="hong.docx")
    assert "Không chuyển được tệp DOCX" in failed.value.message


def test_conversion_that_hangs_is_stopped(settings, tmp_path: Path):
    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    slow.chmod(0o755)
    settings.LIBREOFFICE = str(slow)
    with pytest.raises(convert.ConversionFailed) as failed:
        convert.docx_to_pdf(decree30_docx(), name="cham.docx", timeout=1)
    assert "quá 1 giây" in failed.value.message


def test_missing_libreoffice_is_explained(settings):
    settings.LIBREOFFICE = "/khong/co/soffice"
    with pytest.raises(convert.ConversionFailed) as failed:
        convert.docx_to_pdf(decree30_docx(), name="x.docx")
    assert "LibreOffice" in failed.value.message


def test_converted_pdf_parses_the_same_with_vanthus_parser_speedups(converted):
    from tests.signing.test_speedups import _objects, _walk_equal
    from vanthu.signing import speedups

    speedups.install()
    ours = _objects(converted)
    with speedups.suspended():
        theirs = _objects(converted)
    for a, b in zip(ours, theirs, strict=True):
        _walk_equal(a, b)
