"""PAdES CMS signature containers written straight as DER bytes.

pyHanko builds the CMS `SignedData` with asn1crypto objects, and about 80% of the time of a signature goes
into building and re-serialising them (reference/signing.md §0). A PAdES baseline container has a fixed
shape, so vanthu writes it from cached pieces instead: the certificates' DER, the signer identifier, the
`signing-certificate-v2` attribute and the algorithm identifiers are computed once per certificate; per
signature only the message digest, the signature value and the optional timestamp token change.

The result is the same structure pyHanko writes (RFC 5652 `SignedData`, ETSI EN 319 142-1 B-B signed
attributes: content-type, message-digest, signing-certificate-v2; no CMS signing-time; the RFC 3161 token in
the unsigned `signature-time-stamp-token` attribute for B-T and above), and pyHanko, pdfsig and vanthu's
validator read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import algos, cms, core, x509

# Object identifiers, DER-encoded (tag 06 + length + value).
OID_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.1").dump()
OID_SIGNED_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
OID_CONTENT_TYPE = core.ObjectIdentifier("1.2.840.113549.1.9.3").dump()
OID_MESSAGE_DIGEST = core.ObjectIdentifier("1.2.840.113549.1.9.4").dump()
OID_SIGNING_CERT_V2 = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.47").dump()
OID_SIGNATURE_TST = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.14").dump()
OID_TST_INFO = core.ObjectIdentifier("1.2.840.113549.1.9.16.1.4").dump()
OID_SIGNING_TIME = core.ObjectIdentifier("1.2.840.113549.1.9.5").dump()
SHA256_ALGORITHM = algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
INTEGER_1 = b"\x02\x01\x01"
INTEGER_3 = b"\x02\x01\x03"


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    return bytes([tag]) + _length(len(content)) + content


def sequence(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def der_set(*parts: bytes) -> bytes:
    """A DER SET OF: elements sorted by their encodings (X.690 §11.6)."""
    return tlv(0x31, b"".join(sorted(parts)))


def _attribute(oid: bytes, value: bytes) -> bytes:
    return sequence(oid, der_set(value))


@dataclass(frozen=True)
class SignerPieces:
    """Everything about a signer that does not change between signatures, already DER-encoded."""

    certificates: bytes  # content of the [0] IMPLICIT SET OF Certificate
    signer_identifier: bytes  # IssuerAndSerialNumber
    signing_certificate_attribute: bytes  # the signing-certificate-v2 Attribute
    signature_algorithm: bytes  # AlgorithmIdentifier


def signer_pieces(
    certificate: x509.Certificate, chain: list[x509.Certificate], signature_algorithm: algos.SignedDigestAlgorithm
) -> SignerPieces:
    return _signer_pieces(certificate.dump(), tuple(c.dump() for c in chain), signature_algorithm.dump())


@lru_cache(maxsize=256)
def _signer_pieces(certificate_der: bytes, chain_der: tuple[bytes, ...], algorithm_der: bytes) -> SignerPieces:
    certificate = x509.Certificate.load(certificate_der)
    unique = {certificate_der, *chain_der}
    signer_identifier = sequence(certificate["tbs_certificate"]["issuer"].dump(),
                                 certificate["tbs_certificate"]["serial_number"].dump())
    from pyhanko.sign.general import as_signing_certificate_v2  # pyhanko.sign: only a signing process pays

    signing_certificate = as_signing_certificate_v2(certificate).dump()
    return SignerPieces(
        certificates=b"".join(sorted(unique)),
        signer_identifier=signer_identifier,
        signing_certificate_attribute=_attribute(OID_SIGNING_CERT_V2, signing_certificate),
        signature_algorithm=algorithm_der,
    )


def signed_attributes(pieces: SignerPieces, document_digest: bytes) -> bytes:
    """The signed attributes as a DER SET (the bytes the signature is computed over)."""
    return der_set(
        _attribute(OID_CONTENT_TYPE, OID_DATA),
        _attribute(OID_MESSAGE_DIGEST, tlv(0x04, document_digest)),
        pieces.signing_certificate_attribute,
    )


def signature_timestamp_attributes(token: bytes) -> bytes:
    """Unsigned attributes holding an RFC 3161 token over the signature value (PAdES B-T)."""
    return der_set(_attribute(OID_SIGNATURE_TST, token))


def _signer_info(pieces: SignerPieces, signed_attrs: bytes, signature: bytes, unsigned_attrs: bytes | None) -> bytes:
    # [0] IMPLICIT for the signed attributes: the SET's tag 0x31 becomes 0xA0, content unchanged.
    return sequence(
        INTEGER_1,
        pieces.signer_identifier,
        SHA256_ALGORITHM,
        b"\xa0" + signed_attrs[1:],
        pieces.signature_algorithm,
        tlv(0x04, signature),
        (b"\xa1" + unsigned_attrs[1:]) if unsigned_attrs else b"",
    )


def content_info(
    pieces: SignerPieces, *, signed_attrs: bytes, signature: bytes, unsigned_attrs: bytes | None = None
) -> bytes:
    """The complete ContentInfo(SignedData) in DER: a detached signature over `data`."""
    signed_data = sequence(
        INTEGER_1,
        der_set(SHA256_ALGORITHM),
        sequence(OID_DATA),
        tlv(0xA0, pieces.certificates),
        der_set(_signer_info(pieces, signed_attrs, signature, unsigned_attrs)),
    )
    return sequence(OID_SIGNED_DATA, tlv(0xA0, signed_data))


def timestamp_token(pieces: SignerPieces, *, tst_info: bytes, gen_time: dt.datetime,
                    sign: Callable[[bytes], bytes], include_certificates: bool = True) -> bytes:
    """An RFC 3161 TimeStampToken (ContentInfo(SignedData) encapsulating the DER `tst_info`), signed by the TSA
    key through `sign(signed_attributes) -> signature value`. For vanthu's built-in TSA (tsa.py), which spends
    most of a B-T signature building this with asn1crypto objects."""
    signed_attrs = der_set(
        _attribute(OID_CONTENT_TYPE, OID_TST_INFO),
        _attribute(OID_SIGNING_TIME, core.GeneralizedTime(gen_time.astimezone(dt.UTC)).dump()),
        pieces.signing_certificate_attribute,
        _attribute(OID_MESSAGE_DIGEST, tlv(0x04, hashlib.sha256(tst_info).digest())),
    )
    signed_data = sequence(
        INTEGER_3,
        der_set(SHA256_ALGORITHM),
        sequence(OID_TST_INFO, tlv(0xA0, tlv(0x04, tst_info))),
        tlv(0xA0, pieces.certificates) if include_certificates else b"",
        der_set(_signer_info(pieces, signed_attrs, sign(signed_attrs), None)),
    )
    return sequence(OID_SIGNED_DATA, tlv(0xA0, signed_data))


def size_without_timestamp(pieces: SignerPieces, signature_length: int) -> int:
    """The DER size of the container for a signature value of the given length (an upper bound for ECDSA)."""
    fake = content_info(pieces, signed_attrs=signed_attributes(pieces, b"\0" * 32), signature=b"\0" * signature_length)
    return len(fake)


def parse(der: bytes) -> cms.ContentInfo:
    return cms.ContentInfo.load(der)


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
