"""An envelope's large texts (an attachment's base64) spliced into its canonical and written forms instead of being
copied by lxml (edxml/largetext.py): the same bytes signed, the same verdicts, whatever the texts hold; and the
cheaper screens of the parse (the DOCTYPE search, the base64 decoding) saying what they said."""

from __future__ import annotations

import base64
import binascii
import dataclasses

import pytest
from lxml import etree

from tests.exchange.conftest import TODAY, document
from tests.exchange.test_signature import _signxml_signed, _signxml_verdict
from vanthu.exchange.edxml import EnvelopeInvalid, build_document, parse, sign, sign_document, verify
from vanthu.exchange.edxml import largetext as largetext_module
from vanthu.exchange.edxml.largetext import LARGE, LargeTexts
from vanthu.exchange.edxml.model import NS_QCVN
from vanthu.exchange.edxml.parse import _declares, load_xml

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 700  # base64 well over LARGE characters


def _large():
    plain = document()
    return dataclasses.replace(plain, attachments=(dataclasses.replace(plain.attachments[0], data=PDF),))


def _content(root):
    return root.find(f".//{{{NS_QCVN}}}ContentTransferEncoded")


def _rewritten(signed: bytes, change) -> bytes:
    root = etree.fromstring(signed)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_attachment_is_large_enough_to_be_spliced():
    assert len(base64.b64encode(PDF)) > LARGE


def test_signed_bytes_are_signxml_s_with_large_texts(staff_key):
    data = build_document(_large(), today=TODAY)
    expected = _signxml_signed(data, key=staff_key.key, certificates=[staff_key.certificate], prefix="ds")
    assert sign(data, key=staff_key.key, certificate=staff_key.certificate) == expected
    assert sign_document(_large(), key=staff_key.key, certificate=staff_key.certificate, today=TODAY) == expected


@pytest.mark.parametrize("odd", ["&", "<", ">", "\r", "é", "]]>"])
def test_a_large_text_with_what_serialisations_escape_is_signed_as_signxml_signs_it(staff_key, odd):
    def change(root):
        text = _content(root).text
        _content(root).text = text[:100] + odd + text[100:]

    data = _rewritten(build_document(_large(), today=TODAY), change)
    expected = _signxml_signed(data, key=staff_key.key, certificates=[staff_key.certificate], prefix="ds")
    assert sign(data, key=staff_key.key, certificate=staff_key.certificate) == expected
    assert verify(expected).valid


def test_a_marker_found_elsewhere_in_the_envelope_falls_back_to_the_whole_tree(staff_key, monkeypatch):
    """The markers are random; were one written in the envelope already, the splice is not used: the same bytes,
    the same verdicts."""
    monkeypatch.setattr(largetext_module.secrets, "token_hex", lambda _n: "fixed")
    envelope = _large()
    marker = "vanthu-large-text-fixed-0-end"
    envelope = dataclasses.replace(envelope, header=dataclasses.replace(envelope.header, subject=f"Về {marker}"))
    data = build_document(envelope, today=TODAY)
    expected = _signxml_signed(data, key=staff_key.key, certificates=[staff_key.certificate], prefix="ds")
    assert sign(data, key=staff_key.key, certificate=staff_key.certificate) == expected
    assert sign_document(envelope, key=staff_key.key, certificate=staff_key.certificate, today=TODAY) == expected
    assert verify(expected).valid
    assert _signxml_verdict(expected, "element") == "valid"
    tampered = expected.replace(b"AAEC", b"AAED", 1)
    assert tampered != expected
    assert not verify(tampered).valid
    assert _signxml_verdict(tampered, "element") != "valid"


def test_verdicts_on_envelopes_with_large_texts_are_signxml_s(staff_key):
    signed = sign_document(_large(), key=staff_key.key, certificate=staff_key.certificate, today=TODAY)
    encoded = _content(etree.fromstring(signed)).text
    middle = len(encoded) // 2
    flipped = encoded[:middle] + ("B" if encoded[middle] != "B" else "C") + encoded[middle + 1:]

    def set_text(text):
        return lambda root: setattr(_content(root), "text", text)

    inputs = {
        "signed": signed,
        "one character of the attachment changed": _rewritten(signed, set_text(flipped)),
        "the attachment cut short": _rewritten(signed, set_text(encoded[:-4])),
        "the attachment in lines": _rewritten(signed, set_text("\n".join(
            encoded[i:i + 76] for i in range(0, len(encoded), 76)))),
        "the attachment with an escaped character": _rewritten(signed, set_text(encoded[:middle] + "&"
                                                                                + encoded[middle:])),
        "a large text elsewhere": _rewritten(signed, lambda root: setattr(
            root.find(f".//{{{NS_QCVN}}}Subject"), "text", "x" * (2 * LARGE))),
        "the attachment as character references": signed.replace(
            encoded[:8].encode(), b"".join(b"&#%d;" % c for c in encoded[:8].encode()), 1),
        "subject changed": signed.replace("năm 2027</edXML:Subject>".encode(), "năm 2028</edXML:Subject>".encode()),
    }
    verdicts = {}
    for name, data in inputs.items():
        verdicts[name] = _signxml_verdict(data, "element")
        assert _signxml_verdict(data, "ours") == verdicts[name], name
        assert _signxml_verdict(data, "consumed") == verdicts[name], name
        assert verify(data).valid == (verdicts[name] == "valid"), name
        assert verify(data, root=load_xml(data), consume=True) == verify(data), name
    assert {name for name, verdict in verdicts.items() if verdict == "valid"} == {
        "signed", "the attachment as character references"}


def test_the_tree_is_as_it_was_after_the_block_unless_given_up():
    root = etree.fromstring(build_document(_large(), today=TODAY))
    before = etree.tostring(root)
    with LargeTexts(root) as large:
        assert len(large.swapped) == 1
        assert len(_content(root).text) < 100
        pieces = large.serialise(lambda: etree.tostring(root))
    assert b"".join(pieces) == before == etree.tostring(root)
    with LargeTexts(root, keep=False) as large:
        pass
    assert _content(root).text.startswith("vanthu-large-text-")  # given up: left as a marker


@pytest.mark.parametrize("data", [
    b"", b"!", b"<!DOCTYPE x>", b"x<!ENTITY", b"<!DOCTYP", b"<!-- x --><a/>", b"!" * 100 + b"<!DOCTYPE",
    b"!" * 100, b"a!DOCTYPE", b"<!ENTITY" + b"!" * 100, b"<!<!DOCTYPE", b"<a>!</a><!ENTITY",
])
def test_the_doctype_screen_finds_what_a_string_search_finds(data):
    assert _declares(data) == (b"<!DOCTYPE" in data or b"<!ENTITY" in data)


def test_a_doctype_after_many_exclamation_marks_is_refused():
    data = b"<?xml version='1.0'?>" + b"<!-- ! -->" * 200 + b"<!DOCTYPE edXML []><edXML/>"
    with pytest.raises(EnvelopeInvalid) as caught:
        load_xml(data)
    assert caught.value.problems[0].code == "dtd"


@pytest.mark.parametrize(("text", "decoded"), [
    (base64.b64encode(PDF).decode(), PDF),  # one line: strictly decoded
    ("\n".join(base64.b64encode(PDF).decode()[i:i + 76] for i in range(0, 400, 76)), None),  # lines: as before
    (" QUJD ", b"ABC"),
    ("QUJD\r\nREVG", b"ABCDEF"),
    ("QUJ=D", None),  # padding inside: refused
    ("QUJD!", None),  # not the alphabet: refused
    ("QQ", None),  # padding missing: refused
    ("", b""),
])
def test_attachment_decoding_accepts_and_refuses_what_it_did(text, decoded):
    expected = _old_decode(text)
    root = etree.fromstring(build_document(document(), today=TODAY))
    _content(root).text = text
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if expected is None:
        with pytest.raises(EnvelopeInvalid) as caught:
            parse(data, today=TODAY)
        assert "bad_base64" in {p.code for p in caught.value.problems}
    else:
        parsed = parse(data, today=TODAY)
        assert parsed.envelope is not None
        assert parsed.envelope.attachments[0].data == expected
    if decoded is not None:
        assert expected == decoded


def _old_decode(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.strip().split()), validate=True)
    except (binascii.Error, ValueError):
        return None
