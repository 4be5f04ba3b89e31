"""The sending unit's XMLDSig signature: build → sign → parse → verify, tampering, SHA-1, key inputs."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner
from signxml.algorithms import CanonicalizationMethod

from tests.exchange.conftest import TODAY, document, status
from vanthu.exchange.edxml import SignatureRefused, build_document, build_status, parse, sign, verify
from vanthu.exchange.edxml.model import NS_DSIG, NS_QCVN
from vanthu.exchange.edxml.parse import load_xml


@pytest.mark.parametrize("prefix", ["ds", None])
def test_round_trip_build_sign_parse_verify(staff_key, prefix):
    """Checklist point 42."""
    envelope = document()
    signed = sign(build_document(envelope, today=TODAY), key=staff_key.key, certificate=staff_key.certificate,
                  prefix=prefix)
    parsed = parse(signed, today=TODAY)
    assert parsed.envelope == envelope
    assert parsed.signature_present
    check = verify(signed)
    assert check.present
    assert check.valid, check.reason
    assert check.certificate == staff_key.certificate
    assert check.algorithm == SignatureMethod.RSA_SHA256.value
    assert check.digest_algorithm == DigestAlgorithm.SHA256.value
    assert not check.sha1
    assert check.warning == ""
    assert (b"<ds:Signature" in signed) == (prefix == "ds")


def test_signature_sits_in_the_header_and_covers_the_whole_message(staff_key):
    signed = sign(build_document(document(), today=TODAY), key=staff_key.key, certificate=staff_key.certificate)
    root = etree.fromstring(signed)
    signature = root.find(f".//{{{NS_DSIG}}}Signature")
    assert signature is not None
    assert signature.getparent().tag == f"{{{NS_QCVN}}}edXMLHeader"
    reference = signature.find(f"{{{NS_DSIG}}}SignedInfo/{{{NS_DSIG}}}Reference")
    assert reference.get("URI") == ""
    transforms = [t.get("Algorithm") for t in reference.iter(f"{{{NS_DSIG}}}Transform")]
    assert transforms == ["http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                          "http://www.w3.org/2001/10/xml-exc-c14n#"]


def _signed(staff_key) -> bytes:
    return sign(build_document(document(), today=TODAY), key=staff_key.key, certificate=staff_key.certificate)


@pytest.mark.parametrize(("old", "new"), [
    ("Kế hoạch huấn luyện dự bị động viên năm 2027</edXML:Subject>",
     "Kế hoạch huấn luyện dự bị động viên năm 2028</edXML:Subject>"),  # the subject
    ("<edXML:Priority>1<", "<edXML:Priority>3<"),  # the urgency
    ("<edXML:OrganId>000.00.11.Q10<", "<edXML:OrganId>000.00.12.Q10<"),  # a recipient
])
def test_tampered_envelope_fails_verification(staff_key, old, new):
    signed = _signed(staff_key)
    assert old.encode() in signed
    tampered = signed.replace(old.encode(), new.encode(), 1)
    check = verify(tampered)
    assert check.present
    assert not check.valid
    assert "đã bị sửa sau khi ký" in check.reason


def test_tampered_attachment_fails_verification(staff_key):
    root = etree.fromstring(_signed(staff_key))
    content = root.find(f".//{{{NS_QCVN}}}ContentTransferEncoded")
    content.text = base64.b64encode(b"%PDF-1.7 another file").decode()
    tampered = etree.tostring(root)
    parse(tampered, today=TODAY)  # still a well-formed envelope …
    assert not verify(tampered).valid  # … whose signature no longer matches


def test_signature_value_swapped_fails(staff_key):
    signed = _signed(staff_key)
    other = sign(build_document(document(subject="Kế hoạch khác"), today=TODAY), key=staff_key.key,
                 certificate=staff_key.certificate)
    value = etree.fromstring(other).findtext(f".//{{{NS_DSIG}}}SignatureValue")
    root = etree.fromstring(signed)
    root.find(f".//{{{NS_DSIG}}}SignatureValue").text = value
    check = verify(etree.tostring(root))
    assert not check.valid


def test_signature_wrapping_with_a_partial_reference_is_refused(staff_key):
    root = etree.fromstring(_signed(staff_key))
    root.find(f".//{{{NS_DSIG}}}Reference").set("URI", "#header")
    check = verify(etree.tostring(root))
    assert not check.valid
    assert "toàn bộ gói tin" in check.reason


class _Sha1Signer(XMLSigner):
    """Another system's SDK, which still signs with rsa-sha1 (signxml refuses to, on purpose)."""

    def check_deprecated_methods(self) -> None:
        return None


def test_sha1_signature_is_accepted_on_receipt_with_a_warning(staff_key):
    root = etree.fromstring(build_document(document(), today=TODAY))
    signer = _Sha1Signer(signature_algorithm=SignatureMethod.RSA_SHA1, digest_algorithm=DigestAlgorithm.SHA1,
                         c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signed = etree.tostring(signer.sign(root, key=staff_key.key, cert=[staff_key.certificate]), encoding="UTF-8")
    check = verify(signed)
    assert check.valid, check.reason
    assert check.sha1
    assert check.algorithm_name == "rsa-sha1"
    assert "SHA-1" in check.warning
    tampered = signed.replace("dự bị".encode(), "thường trực".encode(), 1)
    assert tampered != signed
    assert not verify(tampered).valid


@pytest.mark.parametrize("algorithm", ["rsa-sha1", "RSA-SHA1", "sha1"])
def test_signing_with_sha1_is_refused(staff_key, algorithm):
    with pytest.raises(SignatureRefused) as refused:
        sign(build_document(document(), today=TODAY), key=staff_key.key, certificate=staff_key.certificate,
             algorithm=algorithm)
    assert refused.value.code == "sha1"
    assert "SHA-1" in refused.value.message


def test_key_and_certificate_as_pem_or_der_bytes(staff_key):
    data = build_document(document(), today=TODAY)
    pem_key = staff_key.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
    der_key = staff_key.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
    for key, cert in ((pem_key, staff_key.certificate.public_bytes(serialization.Encoding.PEM)),
                      (der_key, staff_key.certificate.public_bytes(serialization.Encoding.DER))):
        check = verify(sign(data, key=key, certificate=cert))
        assert check.valid
        assert check.certificate == staff_key.certificate


def test_unreadable_key_is_refused(staff_key):
    with pytest.raises(SignatureRefused) as refused:
        sign(build_document(document(), today=TODAY), key=b"not a key", certificate=staff_key.certificate)
    assert refused.value.code == "key"


def test_a_callable_that_signs_bytes_is_a_key(staff_key):
    """What a PKCS#11 token or a remote signer offers: bytes in, PKCS#1 v1.5 SHA-256 signature out."""
    calls: list[int] = []

    def token_signs(data: bytes) -> bytes:
        calls.append(len(data))
        return staff_key.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    check = verify(sign(build_document(document(), today=TODAY), key=token_signs, certificate=staff_key.certificate))
    assert check.valid
    assert len(calls) == 1  # one signature over the canonical SignedInfo


def test_ecdsa_unit_key(staff_ec_key):
    signed = sign(build_document(document(), today=TODAY), key=staff_ec_key.key,
                  certificate=staff_ec_key.certificate)  # the algorithm follows the certificate's key
    check = verify(signed)
    assert check.valid, check.reason
    assert check.algorithm_name == "ecdsa-sha256"


def test_ecdsa_unit_key_through_a_callable(staff_ec_key):
    signed = sign(build_document(document(), today=TODAY),
                  key=lambda data: staff_ec_key.key.sign(data, ec.ECDSA(hashes.SHA256())),
                  certificate=staff_ec_key.certificate)
    assert verify(signed).valid


def test_status_message_is_signed_by_the_receiving_unit(staff_key):
    signed = sign(build_status(status()), key=staff_key.key, certificate=staff_key.certificate)
    assert parse(signed).status == status()
    assert verify(signed).valid


def test_signing_twice_is_refused(staff_key):
    with pytest.raises(SignatureRefused) as refused:
        sign(_signed(staff_key), key=staff_key.key, certificate=staff_key.certificate)
    assert refused.value.code == "already_signed"


def test_unsigned_message_has_no_signature():
    check = verify(build_document(document(), today=TODAY))
    assert not check.present
    assert not check.valid


def test_certificate_expired_at_verification_time_is_said(staff_key):
    signed = _signed(staff_key)
    check = verify(signed, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=400))
    assert check.present
    assert not check.valid
    assert check.certificate == staff_key.certificate
    assert "Chứng thư số" in check.reason


def test_certificate_outside_its_validity_is_described_as_signxml_says(staff_key):
    """The certificate's description (subject, serial) is written out only for a certificate outside its validity
    (signature._Verifier): the messages are still signxml's, word for word."""
    signed = _signed(staff_key)
    cert = staff_key.certificate
    described = f"provided x509_cert (subject={cert.subject.rfc4514_string()}, serial={cert.serial_number})"
    late = verify(signed, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=400))
    early = verify(signed, at=cert.not_valid_before_utc - dt.timedelta(days=1))
    assert f"{described}: certificate has expired at validation time" in late.reason
    assert f"{described}: certificate is not yet valid at validation time" in early.reason
    assert not late.valid
    assert not early.valid
    assert verify(signed, at=cert.not_valid_before_utc).valid  # its first moment and its last are within
    assert verify(signed, at=cert.not_valid_after_utc).valid


# -- the unit's real credentials, as the exchange action will use them -------------------------------------------

def test_unit_seal_key_from_vanthu_signing(cast):
    """The Staff's seal credential (server-held key) signs through `credential.signer.sign_raw`."""
    from vanthu.signing import backends
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    equip_cast(cast, people=[], units=["staff"])
    credential = backends.open_credential(cast.staff, secret=SIGNING_SECRET)
    try:
        signed = sign(build_document(document(), today=TODAY),
                      key=lambda data: credential.signer.sign_raw(data, "sha256"),
                      certificate=credential.certificate.dump(), chain=[c.dump() for c in credential.chain])
    finally:
        credential.close()
    check = verify(signed)
    assert check.valid, check.reason
    assert "Bộ Tham mưu" in check.signer


def test_unit_key_on_a_pkcs11_token(cast, tmp_path_factory):
    """A key that never leaves its SoftHSM2 token signs the envelope through the callable."""
    from vanthu.signing import backends
    from vanthu.signing.testing import ensure_ca, put_on_token, softhsm_token

    token = softhsm_token(tmp_path_factory.getbasetemp())
    ensure_ca()
    put_on_token(token, owner=cast.staff, label="staff")
    credential = backends.open_credential(cast.staff, secret=token.pin)
    try:
        assert credential.kind == "pkcs11"
        signed = sign(build_document(document(), today=TODAY),
                      key=lambda data: asyncio.run(credential.signer.async_sign_raw(data, "sha256")),
                      certificate=credential.certificate.dump())
    finally:
        credential.close()
    check = verify(signed)
    assert check.valid, check.reason


def _signxml_verdict(data: bytes, given: str) -> str:
    """signxml's own verdict on `data`, handed the parsed element (the way before) or the bytes; "ours": the bytes
    to verify()'s verifier (signxml's, the digest of an enveloped reference taken without its copies)."""
    from signxml import XMLVerifier
    from signxml.verifier import SignatureConfiguration

    from vanthu.exchange.edxml.parse import load_xml, safe_parser
    from vanthu.exchange.edxml.signature import (
        ACCEPTED_DIGESTS,
        ACCEPTED_METHODS,
        _certificate,
        _signature_elements,
        _Verifier,
    )

    root = load_xml(data)
    certificate = _certificate(_signature_elements(root)[0])
    config = SignatureConfiguration(location=".//", expect_references=1, signature_methods=ACCEPTED_METHODS,
                                    digest_algorithms=ACCEPTED_DIGESTS)
    try:
        # "consumed": verify(consume=True)'s verifier, handed the tree parsed from the bytes instead of parsing them
        verifier = (_Verifier() if given == "ours" else _Verifier(load_xml(data)) if given == "consumed"
                    else XMLVerifier())
        verifier.verify(root if given == "element" else data, x509_cert=certificate, expect_config=config,
                        parser=safe_parser())
    except Exception as exc:  # the exception's class and message are the verdict
        return f"{type(exc).__name__}: {exc}"
    return "valid"


def test_signxml_given_the_bytes_gives_the_verdicts_it_gives_the_element(staff_key):
    """verify() hands signxml the envelope's bytes (one parse) instead of the parsed tree (which signxml
    serialises and parses again): the same verdict, valid or not and why, on good, tampered and oddly laid out
    envelopes."""
    signed = _signed(staff_key)
    unprefixed = sign(build_document(document(), today=TODAY), key=staff_key.key,
                      certificate=staff_key.certificate, prefix=None)
    root = etree.fromstring(signed)
    content = root.find(f".//{{{NS_QCVN}}}ContentTransferEncoded")
    content.text = base64.b64encode(b"%PDF-1.7 another file").decode()
    other_attachment = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    root = etree.fromstring(signed)
    root.find(f".//{{{NS_DSIG}}}SignatureValue").text = base64.b64encode(b"\0" * 256).decode()
    zero_value = etree.tostring(root)
    root = etree.fromstring(signed)
    digest = root.find(f".//{{{NS_DSIG}}}DigestValue")
    digest.text = base64.b64encode(b"\1" * 32).decode()
    wrong_digest = etree.tostring(root)
    body = signed.split(b"?>", 1)[1]
    inputs = {
        "signed": signed,
        "unprefixed": unprefixed,
        "no declaration": body,
        "comment and PI around the root": b"<!-- before -->\n<?keep me?>" + body + b"\n<!-- after -->",
        "standalone declaration": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + body,
        "Latin-1 with character references": etree.tostring(etree.fromstring(signed), encoding="ISO-8859-1",
                                                            xml_declaration=True),
        "subject changed": signed.replace("năm 2027</edXML:Subject>".encode(), "năm 2028</edXML:Subject>".encode()),
        "priority changed": signed.replace(b"<edXML:Priority>1<", b"<edXML:Priority>3<"),
        "attachment changed": other_attachment,
        "signature value zeroed": zero_value,
        "digest changed": wrong_digest,
        "whitespace added in the header": signed.replace(b"<edXML:Priority>", b"\n  <edXML:Priority>", 1),
        "comment added in the body": signed.replace(b"<edXML:Priority>", b"<!-- x --><edXML:Priority>", 1),
        "text after the signature": signed.replace(b"</ds:Signature>", b"</ds:Signature>\n  tail text", 1),
        "text changed after the signature": signed.replace(b"</ds:Signature>", b"</ds:Signature>x", 1),
        "namespace declared again inside": signed.replace(
            b"<edXML:Priority>", b'<edXML:Priority xmlns:edXML="' + NS_QCVN.encode() + b'">', 1),
        "unused namespace on the root": signed.replace(b"<edXML:edXMLEnvelope ",
                                                       b'<edXML:edXMLEnvelope xmlns:z="urn:z" ', 1),
    }
    verdicts = {}
    for name, data in inputs.items():
        verdicts[name] = _signxml_verdict(data, "element")
        assert _signxml_verdict(data, "bytes") == verdicts[name], name
        assert _signxml_verdict(data, "ours") == verdicts[name], name  # the same verdict, the same reason
        assert _signxml_verdict(data, "consumed") == verdicts[name], name
        assert verify(data).valid == (verdicts[name] == "valid"), name
        assert verify(data, root=load_xml(data), consume=True) == verify(data), name
    assert {name for name, verdict in verdicts.items() if verdict == "valid"} == {
        "signed", "unprefixed", "no declaration", "comment and PI around the root", "standalone declaration",
        "Latin-1 with character references", "comment added in the body", "namespace declared again inside",
        "unused namespace on the root"}  # exclusive c14n: a namespace declared again, or not used, is not rendered


def _signxml_signed(data: bytes, *, key, certificates, prefix, method=SignatureMethod.RSA_SHA256) -> bytes:
    """What sign() gave when it handed the envelope to signxml's XMLSigner (a placeholder in edXMLHeader)."""
    root = etree.fromstring(data)
    header = next(e for e in root.iter(etree.Element) if etree.QName(e).localname == "edXMLHeader")
    placeholder = etree.SubElement(header, f"{{{NS_DSIG}}}Signature", nsmap={prefix: NS_DSIG})
    placeholder.set("Id", "placeholder")
    signer = XMLSigner(signature_algorithm=method, digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signer.namespaces = {prefix: NS_DSIG}
    return etree.tostring(signer.sign(root, key=key, cert=certificates), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("prefix", ["ds", None])
def test_sign_gives_the_bytes_signxml_gave(staff_key, staff_ec_key, prefix):
    """sign() builds the enveloped signature itself (no copies of the whole envelope): byte for byte what
    signxml's XMLSigner made (RSA PKCS#1 v1.5 is deterministic), for documents with attachments, statuses, a
    chain, a key as a callable, and odd but valid inputs; an ECDSA signature (random) verifies with signxml."""
    chain_key = staff_key.certificate  # any second certificate: X509Data carries the chain in order
    big = document()
    big = dataclasses.replace(big, attachments=(dataclasses.replace(big.attachments[0],
                                                                    data=bytes(range(256)) * 700),))
    inputs = {
        "document": build_document(document(), today=TODAY),
        "document with a large attachment": build_document(big, today=TODAY),
        "status": build_status(status()),
        "comment and whitespace": build_document(document(), today=TODAY).replace(
            b"<edXML:Priority>", b"\n  <!-- x --><edXML:Priority>", 1),
        "Latin-1 with character references": etree.tostring(
            etree.fromstring(build_document(document(), today=TODAY)), encoding="ISO-8859-1", xml_declaration=True),
    }
    for name, data in inputs.items():
        for certificates in ([staff_key.certificate], [staff_key.certificate, chain_key]):
            expected = _signxml_signed(data, key=staff_key.key, certificates=certificates, prefix=prefix)
            assert sign(data, key=staff_key.key, certificate=certificates[0], chain=certificates[1:],
                        prefix=prefix) == expected, name
        def by_callable(d):
            return staff_key.key.sign(d, padding.PKCS1v15(), hashes.SHA256())

        assert sign(data, key=by_callable, certificate=staff_key.certificate, prefix=prefix) == _signxml_signed(
            data, key=staff_key.key, certificates=[staff_key.certificate], prefix=prefix), name
        ec_signed = sign(data, key=staff_ec_key.key, certificate=staff_ec_key.certificate, prefix=prefix)
        assert _signxml_verdict(ec_signed, "bytes") == "valid", name
        assert verify(ec_signed).valid, name
