"""vanthu's number and date fields read back (fields.py, pdftext.field_text) and compared (registration.py),
decision 0036: an appearance is read as text only when it is drawn the way vanthu draws a filled field."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.signing import fields, pdftext, registration
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
    reader, stream = _number_appearance(issued)
    assert pdftext.field_text(reader, stream) == NUMBER
    ops = stream.data
    assert b"BT 0.000 0.000 0.000 rg" in ops, ops  # what appearance.field_canvas writes
    assert pdftext.field_text(reader, _redrawn(stream, ops)) == NUMBER
    changed = edit(ops)
    assert changed != ops, name
    assert pdftext.field_text(reader, _redrawn(stream, changed)) is None, name
