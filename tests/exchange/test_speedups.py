"""The exchange's cheaper paths (issue 8, decision 0029's follow-up) give what the plain ones give: the batch body
written as bytes is the JSON `json.dumps` writes; the receiver's one parse of an envelope, shared by reading and
verifying it, gives the same reading and the same verdict as two parses, on good and tampered envelopes."""

from __future__ import annotations

import base64
import json
import random

import pytest
from lxml import etree

from tests.exchange.conftest import TODAY, document, status
from vanthu.exchange.edxml import build_document, build_status, load_xml, parse, sign, verify
from vanthu.exchange.edxml.errors import EnvelopeInvalid
from vanthu.exchange.edxml.model import NS_QCVN
from vanthu.exchange.transports import http


def _json_batch(envelopes: list[bytes]) -> bytes:
    return json.dumps({"format": http.BATCH_FORMAT,
                       "envelopes": [base64.b64encode(e).decode("ascii") for e in envelopes]}).encode("ascii")


def test_the_batch_body_is_the_json_of_json_dumps():
    rng = random.Random(8)
    for count in (0, 1, 2, 3, 7, 25, 50):
        for size in (0, 1, 2, 3, 4, 5, 57, 1000):
            envelopes = [rng.randbytes(size + rng.randrange(4)) for _ in range(count)]
            body = http.encode_batch(envelopes)
            assert body == _json_batch(envelopes)
            if envelopes:
                assert http.decode_batch(body) == envelopes
    big = [rng.randbytes(300_000) for _ in range(3)]
    assert http.encode_batch(big) == _json_batch(big)


def _variants(signed: bytes) -> list[bytes]:
    """The signed envelope, and ways of breaking it: content changed, signature value changed, attachment
    changed, signature removed, not XML."""
    out = [signed]
    out.append(signed.replace(b"<edXML:Priority>1<", b"<edXML:Priority>3<", 1))
    root = etree.fromstring(signed)
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    value.text = base64.b64encode(b"\x00" * 256).decode()
    out.append(etree.tostring(root))
    root = etree.fromstring(signed)
    content = root.find(f".//{{{NS_QCVN}}}ContentTransferEncoded")
    if content is not None:
        content.text = base64.b64encode(b"%PDF-1.7 another file").decode()
        out.append(etree.tostring(root))
    root = etree.fromstring(signed)
    signature = root.find(".//{http://www.w3.org/2000/09/xmldsig#}Signature")
    signature.getparent().remove(signature)
    out.append(etree.tostring(root))
    out.append(signed.replace(b"<edXML:edXMLHeader>", b"<edXML:edXMLHeader><ds:X xmlns:ds='x'/>", 1))
    return out


def _reading(data: bytes, root: etree._Element | None):
    try:
        return parse(data, today=TODAY, root=root)
    except EnvelopeInvalid as exc:
        return ("invalid", exc.message)


@pytest.mark.parametrize("build", ["document", "status"])
def test_one_parse_for_reading_and_verifying_gives_the_same_verdicts(staff_key, build):
    data = build_document(document(), today=TODAY) if build == "document" else build_status(status())
    signed = sign(data, key=staff_key.key, certificate=staff_key.certificate)
    for variant in _variants(signed):
        root = load_xml(variant)
        assert _reading(variant, root) == _reading(variant, None)
        assert verify(variant, root=root) == verify(variant)
        assert parse(variant, today=TODAY, root=root) if variant is signed else True


def _json_decoded(body: bytes) -> list[bytes] | str:
    """What the JSON parser's path of `decode_batch` gives, or the error it raises."""
    saved = http._decode_as_written
    http._decode_as_written = lambda body: None
    try:
        return http.decode_batch(body)
    except ValueError as exc:
        return f"ValueError: {exc}"
    finally:
        http._decode_as_written = saved


def test_a_batch_read_without_the_json_parser_gives_what_the_parser_gives():
    rng = random.Random(25)
    head, tail = http._HEAD, http._TAIL
    bodies = [http.encode_batch([rng.randbytes(rng.randrange(400)) for _ in range(count)]) for count in (1, 2, 25, 50)]
    bodies += [
        head + tail, head[:-1] + b"]}", head + b"QQ==" + tail, head + b'QQ==", "' + tail,
        head + b'QQ==","QQ==' + tail, head + b'QQ==", "QUI=' + tail, head + b"QQ=" + tail, head + b"Q Q==" + tail,
        head + b"QQ\\u003d\\u003d" + tail, head + b'QQ==", "QQ==", "' + tail, head + b"QQ==" + tail + b" ",
        head + b'QQ==", 1, "QQ==' + tail, head + b'\\"' + tail, head + b"QQ==\\n" + tail,
        head.replace(b"vanthu-batch/1", b"vanthu-batch/2") + b"QQ==" + tail,
        head + b'", "'.join([b"QQ=="] * 51) + tail, head + b'", "'.join([b"QQ=="] * 50) + tail,
    ]
    for body in bodies:
        expected = _json_decoded(body)
        written = http._decode_as_written(body)
        if written is not None:
            assert written == expected, body[:80]
        try:
            got: list[bytes] | str = http.decode_batch(body)
        except ValueError as exc:
            got = f"ValueError: {exc}"
        assert got == expected, body[:80]
    assert all(http._decode_as_written(body) is not None for body in bodies[:4]), "our own bodies take the fast path"
