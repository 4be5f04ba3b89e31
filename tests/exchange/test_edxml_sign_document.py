"""`sign_document`: the envelope signed as a tree, without writing it out and parsing it back — the same bytes
as `sign(build_document(...))`, and the same refusals."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.exchange.conftest import TODAY, document
from vanthu.exchange.edxml import (
    Attachment,
    EnvelopeInvalid,
    SignatureRefused,
    build_document,
    parse,
    sign,
    sign_document,
    verify,
)


def _envelopes():
    plain = document()
    big = dataclasses.replace(plain, attachments=(dataclasses.replace(plain.attachments[0],
                                                                      data=bytes(range(256)) * 700),))
    several = dataclasses.replace(plain, attachments=(
        *plain.attachments,
        Attachment(content_id="cid:2", name="Phụ lục.docx", content_type="application/octet-stream",
                   data=b"PK\x03\x04"),
        Attachment(content_id="cid:3", name="trống.txt", content_type="text/plain", data=b""),
    ))
    bare = dataclasses.replace(plain, business=None, trace=())
    return {"document": plain, "large attachment": big, "several attachments": several, "no business": bare}


@pytest.mark.parametrize("name", list(_envelopes()))
def test_sign_document_gives_the_bytes_of_sign_over_build_document(staff_key, name):
    envelope = _envelopes()[name]
    expected = sign(build_document(envelope, today=TODAY), key=staff_key.key, certificate=staff_key.certificate)
    got = sign_document(envelope, key=staff_key.key, certificate=staff_key.certificate, today=TODAY)
    assert got == expected  # RSA PKCS#1 v1.5 is deterministic: byte for byte
    assert verify(got).valid
    assert parse(got, today=TODAY).envelope == envelope


def test_sign_document_with_a_chain_and_a_callable_key(staff_key):
    def by_callable(data: bytes) -> bytes:
        return staff_key.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    chain = [staff_key.certificate]
    expected = sign(build_document(document(), today=TODAY), key=staff_key.key, certificate=staff_key.certificate,
                    chain=chain)
    assert sign_document(document(), key=by_callable, certificate=staff_key.certificate, chain=chain,
                         today=TODAY) == expected


def test_sign_document_refuses_what_build_and_sign_refuse(staff_key, staff_ec_key):
    too_long = document(subject="x" * 501)
    with pytest.raises(EnvelopeInvalid):
        build_document(too_long, today=TODAY)
    with pytest.raises(EnvelopeInvalid):
        sign_document(too_long, key=staff_key.key, certificate=staff_key.certificate, today=TODAY)
    with pytest.raises(SignatureRefused):
        sign_document(document(), key=staff_key.key, certificate=b"not a certificate", today=TODAY)
    ec_signed = sign_document(document(), key=staff_ec_key.key, certificate=staff_ec_key.certificate, today=TODAY)
    assert verify(ec_signed).valid
    assert verify(ec_signed).algorithm_name == "ecdsa-sha256"
