"""vanthu's number and date fields read back (fields.py, fieldtext.field_text) and compared (registration.py),
decision 0036: an appearance is read as text only when it is drawn the way vanthu draws a filled field."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.core.fonts import serif, serif_files
from vanthu.signing import appearance, fields, fieldtext, pdftext, registration
from vanthu.signing.bench import BLOCK, DATE, NUMBER, make_pki, vanthu_issue
from vanthu.signing.fields import DATE_FIELD, NUMBER_FIELD, FilledField
from vanthu.signing.types import Registered

REGISTERED = Registered(number_text=NUMBER, issued=dt.date(2026, 3, 5))


@pytest.fixture(scope="module")
def issued() -> bytes:
    from vanthu.demo.pdfs import sample_draft

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    return vanthu_issue(draft, make_pki("rsa"), "B-B")


def test_an_issued_files_fields_show_their_values_and_hold_the_registered_ones(issued):
    found = fields.filled_fields(PdfFileReader(io.BytesIO(issued), strict=False))
    assert found == {NUMBER_FIELD: FilledField(NUMBER, NUMBER), DATE_FIELD: FilledField(DATE, DATE)}
    assert registration.problems(found, REGISTERED) == []


def test_the_date_is_compared_as_a_day_whatever_the_place_and_the_leading_zeros():
    found = {NUMBER_FIELD: FilledField(NUMBER, NUMBER), DATE_FIELD: FilledField("Ngày 5 tháng 03 năm 2026",
                                                                                "Ngày 5 tháng 03 năm 2026")}
    assert registration.problems(found, REGISTERED) == []
    assert registration.problems(found, Registered(NUMBER, dt.date(2026, 3, 6)))
    assert registration.problems(found, Registered(NUMBER, None)) == []  # no date known: not compared


def test_a_file_without_vanthus_fields_has_nothing_to_compare_but_one_without_the_date_does():
    assert registration.problems({}, REGISTERED) == []
    only_number = {NUMBER_FIELD: FilledField(NUMBER, NUMBER)}
    assert registration.problems(only_number, None) == []
    [problem] = registration.problems(only_number, REGISTERED)
    assert "ngày ban hành" in problem


def test_an_empty_field_shows_nothing_and_says_nothing():
    """The personal signature's empty fields: consistent; but not the registered number."""
    empty = {NUMBER_FIELD: FilledField("", ""), DATE_FIELD: FilledField("", "")}
    assert registration.problems(empty, None) == []
    assert len(registration.problems(empty, REGISTERED)) == 2


def _number_appearance(pdf: bytes) -> tuple[PdfFileReader, generic.StreamObject]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == NUMBER_FIELD:
            return reader, field["/AP"]["/N"]
    raise LookupError


def _redrawn(stream: generic.StreamObject, data: bytes) -> generic.StreamObject:
    return generic.StreamObject({k: v for k, v in stream.items() if k not in ("/Filter", "/Length")},
                                stream_data=data)


@pytest.mark.parametrize(("name", "edit"), [
    ("text in white", lambda ops: ops.replace(b"BT 0.000 0.000 0.000 rg", b"BT 1.000 1.000 1.000 rg")),
    ("a box filled over the text", lambda ops: ops + b"\nq 1 1 1 rg 0 0 500 50 re f Q"),
    ("an image or form drawn", lambda ops: ops + b"\n/Im0 Do"),
    ("a matrix", lambda ops: b"0.01 0 0 0.01 0 0 cm\n" + ops),
    ("invisible rendering", lambda ops: ops.replace(b" Tf ", b" Tf 3 Tr ")),
    ("text outside its box", lambda ops: ops.replace(b" Td <", b" Td 0 -400 Td <")),
    ("text squeezed", lambda ops: ops.replace(b" Tf ", b" Tf 1 Tz ")),
    ("text too small to read", lambda ops: re.sub(rb"/(\w+) [\d.]+ Tf", rb"/\1 1.00 Tf", ops)),
])
def test_an_appearance_not_drawn_as_vanthu_draws_a_field_is_not_read_as_showing_text(issued, name, edit):
    _reader, stream = _number_appearance(issued)
    assert fieldtext.field_text(stream) == NUMBER
    ops = stream.data
    assert b"BT 0.000 0.000 0.000 rg" in ops, ops  # what appearance.field_canvas writes
    assert fieldtext.field_text(_redrawn(stream, ops)) == NUMBER
    changed = edit(ops)
    assert changed != ops, name
    assert fieldtext.field_text(_redrawn(stream, changed)) is None, name


# --- the font of the appearance is checked against vanthu's own (decision 0045) ---------------------------

LYING = "Số: 17/KH-TM"  # drawn; NUMBER ("Số: 12/KH-TM") is what the lying map and the value say


def _to_unicode_reading(stream: generic.StreamObject) -> str:
    """What the appearance's one string reads as through its font's own ToUnicode map (as a text extractor, and
    vanthu before decision 0045, read it)."""
    font = next(iter(stream["/Resources"]["/Font"].values())).get_object()
    [string] = re.findall(rb"<([0-9a-f]+)> Tj", stream.data)
    mapping = pdftext.parse_cmap(font["/ToUnicode"].data)
    raw = bytes.fromhex(string.decode())
    return "".join(mapping[int.from_bytes(raw[i : i + 2], "big")] for i in range(0, len(raw), 2))


@pytest.fixture(scope="module")
def lying() -> bytes:
    from tests.signing import fastdiff_corpus
    from vanthu.demo.pdfs import sample_draft

    chain = make_pki("rsa")
    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    return fastdiff_corpus.sealed(fastdiff_corpus.personal(draft, chain), chain,
                                  change=fastdiff_corpus.field_drawn_with_lying_map(NUMBER_FIELD, LYING, NUMBER))


def test_an_appearance_whose_font_map_lies_is_not_read_as_showing_its_value(lying):
    """vanthu's own font program draws "17"; the file's ToUnicode map says "12", the field's value: read through
    the map, the page "shows its value". Read with vanthu's own font, it shows nothing that can be read."""
    _reader, stream = _number_appearance(lying)
    assert _to_unicode_reading(stream) == NUMBER  # the lie works on whoever trusts the map
    assert fieldtext.field_text(stream) is None
    found = fields.filled_fields(PdfFileReader(io.BytesIO(lying), strict=False))
    assert found[NUMBER_FIELD] == FilledField(NUMBER, None)
    assert found[DATE_FIELD] == FilledField(DATE, DATE)
    [problem] = registration.problems(found, REGISTERED)
    assert "Ô số, ký hiệu không hiển thị giá trị của nó dưới dạng chữ" in problem


def test_the_seal_over_a_lying_font_map_is_not_valid_with_the_reason(lying):
    from vanthu.signing import validation

    result = validation.validate_pdf(lying, trust_roots=[make_pki("rsa").root], registered=REGISTERED)
    seal = result.signatures[-1]
    assert not seal.valid
    assert any("Ô số, ký hiệu không hiển thị giá trị của nó dưới dạng chữ" in p for p in seal.problems), seal.problems


def test_an_honest_appearance_reads_through_vanthus_font_not_through_its_map(issued):
    """The same glyphs with the map emptied still read: the text comes from vanthu's font; the map only names the
    character each glyph must be."""
    _reader, stream = _number_appearance(issued)
    font = fieldtext.shown_font(next(iter(stream["/Resources"]["/Font"].values())))
    assert isinstance(font, fieldtext.EmbeddedSubset)
    assert font.path == serif().regular  # the number field's font: the upright serif
    [string] = re.findall(rb"<([0-9a-f]+)> Tj", stream.data)
    raw = bytes.fromhex(string.decode())
    assert font.decode(raw) == NUMBER
    one = raw[-2:]  # the last glyph, "M": named as another letter, it is refused
    assert font.decode(one) == "M"
    lied = fieldtext.EmbeddedSubset(path=font.path, named={**font.named, int.from_bytes(one, "big"): "N"},
                                    widths=font.widths, glyphs=font.glyphs)
    assert lied.decode(one) is None
    narrower = fieldtext.EmbeddedSubset(path=font.path, named=font.named, glyphs=font.glyphs,
                                        widths={**font.widths, int.from_bytes(one, "big"): -900.0})
    assert narrower.decode(one) is None  # a width moving the next glyph back: not vanthu's font


@pytest.mark.parametrize(("name", "edit"), [
    ("an entry vanthu does not write", lambda font: font.__setitem__(generic.NameObject("/FontMatrix"),
                                                                     generic.ArrayObject())),
    ("another encoding", lambda font: font.__setitem__(generic.NameObject("/Encoding"),
                                                       generic.NameObject("/Identity-V"))),
    ("a name that is not a vanthu subset", lambda font: font.__setitem__(generic.NameObject("/BaseFont"),
                                                                        generic.NameObject("/ABCDEF+Arial"))),
])
def test_a_font_not_written_as_vanthu_writes_its_fonts_is_not_read(issued, name, edit):
    _reader, stream = _number_appearance(issued)
    font = next(iter(stream["/Resources"]["/Font"].values())).get_object()
    assert fieldtext.shown_font(font) is not None
    changed = generic.DictionaryObject(dict(font))
    edit(changed)
    assert fieldtext.shown_font(changed) is None, name


VIETNAMESE = ("Số: 0123456789/QĐ-BTL, KH-TM Hà Nội, ngày tháng năm Đà Nẵng Thành phố Hồ Chí Minh ĂÂÊÔƠƯăâêôơưđ "
              "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ÀÁÈÉÌÍÒÓÙÚÝ (abcxyz).")


@pytest.mark.parametrize("path", list(serif_files()), ids=lambda path: path.name)
def test_every_glyph_of_a_subset_vanthu_embeds_reads_as_its_character(path):
    """Whichever candidate family a deployment has (Liberation Serif, or Source Serif without it), the program
    vanthu embeds passes the check glyph for glyph: its own issued files are read as showing their text."""
    made = appearance._make_subset(path, frozenset(appearance.normalise(VIETNAMESE)) | appearance.DIGITS | {" "})
    glyphs = fieldtext.program_glyphs(made.program, appearance.face(path).units_per_em)
    assert glyphs is not None
    subset = fieldtext.EmbeddedSubset(path=path, named={gid: char for char, gid in made.gids.items()},
                                      widths={gid: float(w) for gid, w in made.widths.items()}, glyphs=glyphs)
    text = "".join(char for char in appearance.normalise(VIETNAMESE) if char in made.gids)
    assert len(text) > 60
    assert subset.decode(made.encode(text)) == text
    digits = made.encode("0123456789")
    swapped = fieldtext.EmbeddedSubset(path=path, named={**subset.named, made.gids["7"]: "1"}, widths=subset.widths,
                                       glyphs=glyphs)
    assert swapped.decode(digits) is None  # a 7 named as a 1
