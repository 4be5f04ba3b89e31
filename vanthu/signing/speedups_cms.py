"""CMS checks of pyHanko 0.38 remembered where their outcome is a function of DER bytes already seen.

Every signature of a received document, and every time-stamp token in it, goes through pyHanko's CMS checks
(`generic_cms.cms_basic_validation`): find the signer's certificate among the certificates the CMS carries
(`general._partition_certs`: the signer identifier's issuer and serial number matched against each one) and
check the signed signing-certificate attribute against it (`general.check_ess_certid`: the certificate's hash
and issuer and serial number). The same commander's, seal's and time-stamp authority's certificates come in
every document, with the same signer identifiers and ESS certificate ids; asn1crypto parses those afresh from
each CMS and pyHanko compares them again, ten ESS checks and six partitions per B-T document with two
signatures. And for each signature pyHanko extracts the certificates twice from the same parsed CMS object:
once when vanthu asks for the signer's certificate (`EmbeddedPdfSignature.signer_cert`) and once more in
`cms_basic_validation`.

What is remembered, each a pure function of what the key holds:

- `check_ess_certid(cert, certid)` by (the certid's class, its DER, the certificate's DER): both outcomes,
  True and False, since neither depends on anything else; an exception is not remembered (the original runs
  again and raises again). A certid with an indefinite length (BER) is not remembered: its encoding would be
  rewritten to make a key.
- `_partition_certs(certs, signer_info)`, when the signer is identified by issuer and serial number (the
  other form logs a warning on every call: left to pyHanko), by (the identifier's DER, every certificate's DER
  in order) → which position is the signer (the last that matches, as pyHanko's loop keeps) and which are
  the others; the objects returned are this call's. A CMS without its signer's certificate is not remembered.
- `extract_certs_for_validation(signed_data)` per parsed SignedData object: the second call on the same object
  (the one `cms_basic_validation` makes after `signer_cert`) gives the first call's result. The object is the
  one pyHanko parsed from the signature's /Contents and nothing writes to it; the last few are kept (with a
  strong reference, so no other object can take the same identity while it is kept).

`VANTHU_SIGNING_SPEEDUPS=false` (decision 0005) switches these off with the others. The entries live in the
process, at most CACHED each, emptied when full. tests/signing/test_speedups_cms.py pins pyHanko's functions
and compares whole reports with and without, on genuine and tampered documents sharing certificates.
"""

from __future__ import annotations

from typing import Any

from vanthu.signing.speedups_certs import der_of

ORIGINAL: dict[str, Any] = {}  # pyHanko's functions, filled by speedups.install()
CACHED = 1024
RECENT = 8  # parsed SignedData objects whose extracted certificates are kept (a document has a handful)

_ESS: dict[tuple[type, bytes, bytes], bool] = {}
_PARTITIONS: dict[tuple[bytes, tuple[bytes, ...]], tuple[int, tuple[int, ...]]] = {}
_EXTRACTED: list[tuple[Any, Any]] = []  # (signed_data, result), newest last


def _definite(value: Any) -> bool:
    header = value._header
    return header is not None and header[-1:] != b"\x80"


def check_ess_certid(cert: Any, certid: Any) -> bool:
    """general.check_ess_certid, remembered by the DER of the certid and of the certificate."""
    if not _definite(certid) or not _definite(cert):
        return ORIGINAL["check_ess_certid"](cert, certid)
    key = (type(certid), certid.dump(), der_of(cert))
    found = _ESS.get(key)
    if found is None:
        found = ORIGINAL["check_ess_certid"](cert, certid)
        if type(found) is not bool:
            return found
        if len(_ESS) >= CACHED:
            _ESS.clear()
        _ESS[key] = found
    return found


def partition_certs(certs: list[Any], signer_info: Any) -> tuple[Any, list[Any]]:
    """general._partition_certs, remembered by the signer identifier's DER and the certificates' DER."""
    sid = signer_info["sid"]
    if sid.name != "issuer_and_serial_number" or not _definite(sid.chosen) or not all(_definite(c) for c in certs):
        return ORIGINAL["_partition_certs"](certs, signer_info)
    key = (sid.chosen.dump(), tuple(der_of(c) for c in certs))
    found = _PARTITIONS.get(key)
    if found is None:
        signer, others = ORIGINAL["_partition_certs"](certs, signer_info)
        positions = [i for i, c in enumerate(certs) if c is signer]
        other_positions = tuple(i for i, c in enumerate(certs) if any(c is o for o in others))
        if len(positions) != 1 or len(other_positions) != len(others):  # the same object twice: not remembered
            return signer, others
        found = (positions[0], other_positions)
        if len(_PARTITIONS) >= CACHED:
            _PARTITIONS.clear()
        _PARTITIONS[key] = found
    signer_at, other_at = found
    return certs[signer_at], [certs[i] for i in other_at]


def extract_certs_for_validation(signed_data: Any) -> Any:
    """generic_cms.extract_certs_for_validation, once per parsed SignedData object."""
    for seen, result in _EXTRACTED:
        if seen is signed_data:
            return result
    result = ORIGINAL["extract_certs_for_validation"](signed_data)
    if len(_EXTRACTED) >= RECENT:
        del _EXTRACTED[0]
    _EXTRACTED.append((signed_data, result))
    return result


def forget() -> None:
    """Empty what is remembered (tests)."""
    _ESS.clear()
    _PARTITIONS.clear()
    _EXTRACTED.clear()


def patches() -> list[tuple[str, Any, str, Any]]:
    """(key, owner, attribute, replacement) for speedups.install()."""
    from pyhanko.sign import general
    from pyhanko.sign.validation import generic_cms

    return [
        ("check_ess_certid", general, "check_ess_certid", check_ess_certid),
        ("check_ess_certid:generic_cms", generic_cms, "check_ess_certid", check_ess_certid),
        ("_partition_certs", general, "_partition_certs", partition_certs),
        ("extract_certs_for_validation", generic_cms, "extract_certs_for_validation", extract_certs_for_validation),
    ]
