"""The faster pyHanko/asn1crypto routines (vanthu/signing/speedups.py) give exactly what the originals give."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from pyhanko.pdf_utils import generic, misc

from vanthu.signing import speedups
from vanthu.signing.bench import make_pki

speedups.install()
ORIGINAL = speedups.ORIGINAL


def _outcome(function: Callable[[io.BytesIO], Any], data: bytes) -> tuple[Any, int]:
    stream = io.BytesIO(data)
    try:
        value = function(stream)
    except Exception as exc:  # the same exception type is part of "the same result"
        return type(exc), -1
    return value, stream.tell()


def _same(a: tuple[Any, int], b: tuple[Any, int]) -> None:
    assert a[1] == b[1], (a, b)
    assert type(a[0]) is type(b[0]), (a, b)
    assert a[0] == b[0], (a, b)
    if isinstance(a[0], list):
        assert [type(x) for x in a[0]] == [type(x) for x in b[0]]


@pytest.mark.parametrize("data", [b"abc def", b"abc", b"", b"abc/def", b"  x", b"a\x00b", b"12 0 R",
                                  b"x" * 600 + b" y"])
@pytest.mark.parametrize("classes", [misc.PDF_WHITESPACE, misc.PDF_WHITESPACE + misc.PDF_DELIMITERS])
def test_read_until_class(data, classes):
    _same(_outcome(lambda s: speedups.read_until_class(classes, s), data),
          _outcome(lambda s: ORIGINAL["_read_until_class"](classes, s), data))


@pytest.mark.parametrize("data", [b"<48656C6C6F>", b"<48 65\n6C6C 6F> x", b"<486>", b"<>", b"<FEFF00E0>",
                                  b"<48%comment\n65>", b"<48ZZ>", b"<4865", b"<" + b"AB" * 3000 + b">"])
def test_read_hex_string(data):
    _same(_outcome(speedups.read_hex_string_from_stream, data),
          _outcome(ORIGINAL["read_hex_string_from_stream"], data))


@pytest.mark.parametrize("data", [b"(hello) x", b"()", b"(a(b)c)", b"(a\\)b)", b"(a\\101b)", b"(open",
                                  b"(" + b"x" * 400 + b")", b"(line\nbreak)", b"(vanthu\\137so) x",
                                  b"(\\376\\377\\000S\\036\\321)", b"(a\\nb\\(c\\)\\t\\b\\f\\r)",
                                  b"(\\18)", b"(\\477)", b"(\\12a)", b"(\\0123)", b"(\\7)", b"(x\\\ny)",
                                  b"(x\\\r\ny)", b"(\\q)", b"(a\\\\)", b"(\\", b"(a\\/b\\#c\\_d\\%e\\[\\])",
                                  b"(\\9)", b"(\\3777)", b"(" + b"\\101" * 2000 + b")", b"(a\\(b)"])
def test_read_string_literal(data):
    _same(_outcome(speedups.read_string_literal_bytes, data),
          _outcome(ORIGINAL["_read_string_literal_bytes"], data))


@pytest.mark.parametrize("name", [b"Type", b"F1+0", b"A#20B", b"caf\xc3\xa9", b"x\xe9", b"Name#23", b"a(b"])
def test_decode_name(name):
    def run(function: Callable[[bytes], Any]) -> Any:
        try:
            return function(name)
        except Exception as exc:
            return type(exc)

    assert run(speedups.decode_name) == run(ORIGINAL["_decode_name"])


@pytest.mark.parametrize("name", ["/Type", "/A B", "/café", "/x#y", "/Đ", "/F1+0"])
def test_write_name(name):
    ours, theirs = io.BytesIO(), io.BytesIO()
    speedups.write_name(generic.NameObject(name), ours)
    ORIGINAL["write_name"](generic.NameObject(name), theirs)
    assert ours.getvalue() == theirs.getvalue()


@pytest.mark.parametrize("data", [b"[1 2 3]", b"[ 0 0 595.28 841.89 ] rest", b"[]", b"[-1 +2 .5 -.5 3.]",
                                  b"[1 0 R]", b"[/Name 1]", b"[1 [2]]", b"[1,2]", b"[1 2", b"[1\x002]",
                                  b"[" + b" 777.832" * 300 + b"]"])
def test_read_array(data):
    def ours(stream: io.BytesIO) -> Any:
        return speedups.read_array(stream, None)

    def theirs(stream: io.BytesIO) -> Any:
        return ORIGINAL["read_array"](stream, None)

    _same(_outcome(ours, data), _outcome(theirs, data))


@pytest.fixture(scope="module")
def certificates():
    chain = make_pki("rsa")
    return [chain.person.certificate, chain.unit.certificate, *chain.person.chain]


def test_name_comparisons_and_issuer_matching(certificates):
    from asn1crypto import cms

    for a in certificates:
        for b in certificates:
            assert speedups.name_equal(a.subject, b.subject) == ORIGINAL["name_eq"](a.subject, b.subject)
            assert speedups.name_equal(a.issuer, b.subject) == ORIGINAL["name_eq"](a.issuer, b.subject)
            expected = cms.IssuerAndSerialNumber({"issuer": a.issuer, "serial_number": a.serial_number})
            assert speedups.match_issuer_serial(expected, b) == ORIGINAL["match_issuer_serial"](expected, b)
        assert a.subject.hashable == ORIGINAL["name_hashable"].fget(a.subject)


def test_interned_certificates_are_equal_to_the_originals(certificates):
    for cert in certificates:
        interned = speedups.intern_certificate(cert)
        assert interned.dump() == cert.dump()
        assert speedups.intern_certificate(cert) is interned


def _walk_equal(a: Any, b: Any, path: str = "") -> None:
    assert type(a) is type(b), (path, type(a), type(b))
    if isinstance(a, generic.StreamObject):
        assert a.encoded_data == b.encoded_data, path
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), path
        for key in a:
            _walk_equal(a.raw_get(key), b.raw_get(key), f"{path}{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk_equal(x, y, f"{path}[{index}]")
    elif isinstance(a, generic.IndirectObject):
        assert (a.idnum, a.generation) == (b.idnum, b.generation), path
    else:
        assert a == b, (path, a, b)
    ref_a, ref_b = getattr(a, "container_ref", None), getattr(b, "container_ref", None)
    assert (ref_a is None) == (ref_b is None), path
    if ref_a is not None and not isinstance(ref_a, generic.TrailerReference):
        assert (ref_a.idnum, ref_a.generation) == (ref_b.idnum, ref_b.generation), path


def _objects(pdf: bytes) -> list[Any]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    found: list[Any] = [reader.trailer.flatten()]
    for idnum in range(1, int(reader.trailer["/Size"])):
        try:
            found.append(reader.get_object(generic.Reference(idnum, 0, reader)))
        except Exception as exc:  # compare failures too
            found.append(type(exc))
    for revision in range(reader.total_revisions):
        found.append(reader.get_historical_root(revision))
    return found


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    from tests.signing.pdf_checks import DATE, NUMBER, SON_BLOCK
    from vanthu.demo.pdfs import sample_draft
    from vanthu.signing import bench, pades, pades_engine

    chain = make_pki("rsa")
    draft = sample_draft()
    found = pades_engine.Services(level="B-B")
    personal = pades.sign_personal_with(draft, credential=chain.person, block=SON_BLOCK, found_services=found)
    issued = pades.seal_issued_with(personal, credential=chain.unit, number_text=NUMBER, date_text=DATE,
                                    found_services=found, trust_roots=[chain.root])
    with speedups.suspended():
        plain = bench.plain_issue(draft, chain, "B-T")
    return [draft, sample_draft(pages=3), personal, issued, plain]


def test_dictionaries_and_streams_parse_exactly_as_pyhanko_parses_them(corpus):
    for pdf in corpus:
        ours = _objects(pdf)
        with speedups.suspended():
            theirs = _objects(pdf)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            _walk_equal(a, b)


@pytest.mark.parametrize("data", [b"<< /A 1 /B [1 2 3] /C << /D (x) >> >>", b"<</A 1 0 R/B true/C null>>",
                                  b"<< /A 1 %comment\n /B 2 >>", b"<< /A (a\\)b) >>", b"<< /A 1 /A 2 >>",
                                  b"<< /A 12 0  R >>", b"<< /A <48656C6C6F> /B /N#20x >>", b"<< /A -.5 >>",
                                  b"<< /A 1 >>stream\nabc\nendstream", b"<< /Length 3 >>\nstream\nabc\nendstream",
                                  b"<< /A 0 0 R >>", b"<< /A 1.5.5 >>", b"<< /A >>", b"<< /A 1",
                                  b"<< /T (vanthu\\137so) /V (\\376\\377\\000S) >>", b"<< /A (\\18) >>",
                                  b"<< /A (x\\\ny) >>", b"<< /A (\\477) /B 1 >>",
                                  b"<< /Contents <" + b"AB" * 10000 + b"> /B [1 2] >>",
                                  b"<< /Contents <" + b"AB" * 10000 + b"> /B (a\\q) >>",
                                  b"<< /A <" + b"00" * 600000 + b"> >>",
                                  b"<< /W [1 2.5 -3 +4 5.] /B [ ] /C [1\x002] /D [1 2 0 R] /E [.5] >>",
                                  b"<< /W [1,2] >>", b"<< /W [1 2]/X 1 >>", b"<< /W [1\n2\r3\t4\x0c5 ] >>",
                                  b"<< /W [1 [2 3] 4] >>", b"<< /W [1 2 >>", b"<< /W [1-2] >>",
                                  b"<< /W [" + b" 777" * 400 + b"] >>"])
def test_read_dictionary_corner_cases(data):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from vanthu.demo.pdfs import sample_draft

    reader = PdfFileReader(io.BytesIO(sample_draft()), strict=False)
    ref = generic.Reference(1, 0, reader)

    def ours(stream: io.BytesIO) -> Any:
        return speedups.read_dictionary(stream, ref)

    def theirs(stream: io.BytesIO) -> Any:
        return ORIGINAL["read_dictionary"](stream, ref)

    a, b = _outcome(ours, data), _outcome(theirs, data)
    assert a[1] == b[1], (a, b)
    if isinstance(a[0], type):
        assert a[0] is b[0]
    else:
        _walk_equal(a[0], b[0])


def test_literal_strings_with_escapes_read_exactly_as_pyhanko_reads_them():
    """Random strings over the characters that matter (backslashes, parentheses, digits, escape letters, line
    breaks), alone and inside a dictionary."""
    import random

    from pyhanko.pdf_utils.reader import PdfFileReader

    from vanthu.demo.pdfs import sample_draft

    alphabet = [b"\\", b"\\", b"(", b")", b"0", b"1", b"3", b"4", b"7", b"8", b"9", b"n", b"r", b"t", b"b", b"f",
                b"q", b"a", b" ", b"\n", b"\r", b"_", b"/", b"\xfe"]
    rng = random.Random(78)
    reader = PdfFileReader(io.BytesIO(sample_draft()), strict=False)
    ref = generic.Reference(1, 0, reader)
    for _ in range(3000):
        body = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        data = b"(" + body + b") >>"
        _same(_outcome(speedups.read_string_literal_bytes, data),
              _outcome(ORIGINAL["_read_string_literal_bytes"], data))
        entry = b"<< /A (" + body + b") /B 1 >>"
        a = _outcome(lambda s: speedups.read_dictionary(s, ref), entry)
        b = _outcome(lambda s: ORIGINAL["read_dictionary"](s, ref), entry)
        assert a[1] == b[1], entry
        if isinstance(a[0], type):
            assert a[0] is b[0], entry
        else:
            _walk_equal(a[0], b[0])


def test_arrays_in_dictionaries_read_exactly_as_pyhanko_reads_them():
    """Random arrays of numbers and what may break them (signs, dots, commas, nested arrays, references, odd
    whitespace) inside a dictionary."""
    import random

    from pyhanko.pdf_utils.reader import PdfFileReader

    from vanthu.demo.pdfs import sample_draft

    pieces = [b"1", b"23", b"2.5", b"-3", b"+4", b".5", b"5.", b" ", b" ", b"\n", b"\x00", b"\r", b"[", b"]",
              b" 0 R", b",", b"-", b"/N", b"(s)"]
    rng = random.Random(7878)
    reader = PdfFileReader(io.BytesIO(sample_draft()), strict=False)
    ref = generic.Reference(1, 0, reader)
    for _ in range(3000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        entry = b"<< /A [" + body + b"] /B 1 >>"
        a = _outcome(lambda s: speedups.read_dictionary(s, ref), entry)
        b = _outcome(lambda s: ORIGINAL["read_dictionary"](s, ref), entry)
        assert a[1] == b[1], entry
        if isinstance(a[0], type):
            assert a[0] is b[0], entry
        else:
            _walk_equal(a[0], b[0])
