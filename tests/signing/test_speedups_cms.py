"""pyHanko's CMS checks remembered by DER (vanthu/signing/speedups_cms.py): the same reports as pyHanko checking
every CMS afresh, with the memory warm from a genuine document that shares the certificates of the one checked
next — tampered signatures, a signing-certificate attribute naming another certificate, a signer identifier
naming no certificate of the CMS, another chain with the same names — and the odd inputs of the remembered
functions themselves (the signer's certificate twice, missing, another order)."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import io
from collections.abc import Iterator
from importlib.metadata import version

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import general
from pyhanko.sign.general import CMSExtractionError
from pyhanko.sign.validation import generic_cms

from vanthu.signing import speedups, speedups_cms, validation
from vanthu.signing.bench import BLOCK, make_pki, vanthu_issue

speedups.install()

# sha256 of the pyHanko functions speedups_cms.py remembers or relies on: an upgrade that changes one fails here,
# and what is remembered must be re-checked against the new code.
PINNED_SOURCES = {
    "check_ess_certid": "2aaefa7c8528b33b8196e33cfe3e86b159e7befefe152fc8820fdb65227741eb",
    "_partition_certs": "0d7008fe3f3a6e2b41ea45fd0ab9273baad64966828539cd55b7ffff3a2ec94f",
    "_get_signer_predicate": "9b09243d06fec8855048fbf942380fbc5874ce6e85b5de0095b438b0d5410725",
    "match_issuer_serial": "4d729b369bc28106b7cb3d7de21f19a2087fb6b80c0dc786a1a59c2d461c90f9",
    "extract_certs_for_validation": "5d3207f7a0b9b3d28064900b730d4b20777e37fd6243c25bff7593ec02f5161b",
    "_check_signing_certificate": "206b8ce32013249f8a4cbfaf5eb1f5cfb64e2da78fa93f4bc553cabc7cae5fe5",
}


def _source_hashes() -> dict[str, str]:
    functions = {
        "check_ess_certid": speedups_cms.ORIGINAL["check_ess_certid"],
        "_partition_certs": speedups_cms.ORIGINAL["_partition_certs"],
        "_get_signer_predicate": general._get_signer_predicate,
        "match_issuer_serial": speedups.ORIGINAL["match_issuer_serial"],
        "extract_certs_for_validation": speedups_cms.ORIGINAL["extract_certs_for_validation"],
        "_check_signing_certificate": generic_cms._check_signing_certificate,
    }
    return {name: hashlib.sha256(inspect.getsource(f).encode()).hexdigest() for name, f in functions.items()}


@pytest.fixture(scope="module")
def bench():
    return make_pki("rsa")


def _draft() -> bytes:
    from vanthu.demo.pdfs import sample_draft

    return sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)


@pytest.fixture(scope="module")
def issued(bench) -> dict[str, bytes]:
    """Two documents of each level from the same certificates (different drafts' bytes: another title)."""
    from vanthu.demo.pdfs import sample_draft

    other = sample_draft(competence=BLOCK.competence, title="PHÓ CHÍNH ỦY", name_line=BLOCK.name_line)
    return {**{level: vanthu_issue(_draft(), bench, level) for level in ("B-B", "B-T")},
            **{f"{level} bis": vanthu_issue(other, bench, level) for level in ("B-B", "B-T")}}


@pytest.fixture(autouse=True)
def _empty_memory():
    speedups_cms.forget()
    yield
    speedups_cms.forget()


@contextlib.contextmanager
def _afresh() -> Iterator[None]:
    """pyHanko's own CMS functions (the other speed-ups stay on)."""
    saved = []
    for key, (owner, attribute, replacement) in speedups._PATCHED.items():
        if replacement in (speedups_cms.check_ess_certid, speedups_cms.partition_certs,
                           speedups_cms.extract_certs_for_validation):
            saved.append((owner, attribute, replacement))
            setattr(owner, attribute, speedups.ORIGINAL[key])
    try:
        yield
    finally:
        for owner, attribute, replacement in saved:
            setattr(owner, attribute, replacement)


def _report(pdf: bytes, **kwargs) -> dict:
    return validation.report_dict(validation.validate_pdf(pdf, **kwargs))


def _report_afresh(pdf: bytes, **kwargs) -> dict:
    with _afresh():
        return _report(pdf, **kwargs)


def _cms_changed(pdf: bytes, index: int, old: bytes, new: bytes) -> bytes:
    """`pdf` with `old` replaced by `new` (the same length) inside the CMS of its `index`-th signature."""
    assert len(old) == len(new)
    assert old != new
    der = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[index].pkcs7_content
    assert der.count(old) == 1
    changed = der.replace(old, new)
    for text, replacement in ((der.hex().upper(), changed.hex().upper()), (der.hex(), changed.hex())):
        if pdf.count(text.encode("ascii")) == 1:
            return pdf.replace(text.encode("ascii"), replacement.encode("ascii"))
    raise AssertionError("the CMS is not found in the file as hex")


def _signature(pdf: bytes, index: int):
    return PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[index]


def _flipped_last_byte(value: bytes) -> bytes:
    return value[:-1] + bytes([value[-1] ^ 0x01])


def test_pinned_to_the_pyhanko_it_was_written_against():
    assert version("pyhanko") == "0.38.0"
    assert _source_hashes() == PINNED_SOURCES


def test_installed():
    assert general.check_ess_certid is speedups_cms.check_ess_certid
    assert generic_cms.check_ess_certid is speedups_cms.check_ess_certid
    assert general._partition_certs is speedups_cms.partition_certs
    assert generic_cms.extract_certs_for_validation is speedups_cms.extract_certs_for_validation


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_a_second_document_with_the_same_certificates_uses_the_memory_with_the_same_report(
        bench, issued, level, monkeypatch):
    calls = {"check_ess_certid": 0, "_partition_certs": 0}
    for name in calls:
        original = speedups_cms.ORIGINAL[name]

        def counted(*args, _name=name, _original=original):
            calls[_name] += 1
            return _original(*args)

        monkeypatch.setitem(speedups_cms.ORIGINAL, name, counted)
    first = _report(issued[level], trust_roots=[bench.root])
    assert first["valid"]
    assert calls["check_ess_certid"] >= 2
    assert calls["_partition_certs"] >= 2
    warm = dict(calls)
    second = _report(issued[f"{level} bis"], trust_roots=[bench.root])
    assert calls == warm, "nothing compared again"
    assert second["valid"]
    assert first == _report_afresh(issued[level], trust_roots=[bench.root])
    assert second == _report_afresh(issued[f"{level} bis"], trust_roots=[bench.root])


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_the_certificates_are_extracted_once_per_parsed_cms(bench, issued, level, monkeypatch):
    calls = []
    original = speedups_cms.ORIGINAL["extract_certs_for_validation"]
    monkeypatch.setitem(speedups_cms.ORIGINAL, "extract_certs_for_validation",
                        lambda signed_data: calls.append(signed_data) or original(signed_data))
    assert _report(issued[level], trust_roots=[bench.root])["valid"]
    assert len(calls) == len({id(c) for c in calls}), "no parsed CMS extracted twice"
    assert len(calls) == (2 if level == "B-B" else 4)  # each signature, and each signature's time-stamp token
    _report(issued[level], trust_roots=[bench.root])
    assert len(calls) == (4 if level == "B-B" else 8), "a new reading of the same bytes is extracted afresh"


def _refused_alike(tampered: bytes, bench, *, plain: bool = False) -> None:
    """Not valid, and the same report with the memory of earlier checks as read afresh (and, `plain`, as pyHanko
    as shipped reads it)."""
    report = _report(tampered, trust_roots=[bench.root])
    assert not report["valid"]
    assert report == _report_afresh(tampered, trust_roots=[bench.root])
    if plain:
        with speedups.suspended():
            assert validation.report_dict(validation.validate_pdf(tampered, trust_roots=[bench.root])) == report


@pytest.mark.parametrize("index", [0, 1])
def test_a_tampered_signature_after_a_genuine_one_with_the_same_certificates_is_not_valid(bench, issued, index):
    assert _report(issued["B-T"], trust_roots=[bench.root])["valid"]
    signature = _signature(issued["B-T bis"], index)
    value = signature.signer_info["signature"].native
    tampered = _cms_changed(issued["B-T bis"], index, value, _flipped_last_byte(value))
    _refused_alike(tampered, bench, plain=True)


@pytest.mark.parametrize("index", [0, 1])
def test_a_signing_certificate_attribute_naming_another_certificate_is_refused_with_a_warm_memory(
        bench, issued, index):
    assert _report(issued["B-B"], trust_roots=[bench.root])["valid"]
    own, other = (bench.person, bench.unit) if index == 0 else (bench.unit, bench.person)
    tampered = _cms_changed(issued["B-B bis"], index, hashlib.sha256(own.certificate.dump()).digest(),
                            hashlib.sha256(other.certificate.dump()).digest())
    _refused_alike(tampered, bench, plain=True)


@pytest.mark.parametrize("index", [0, 1])
def test_a_signer_identifier_naming_no_certificate_of_the_cms_is_refused_with_a_warm_memory(bench, issued, index):
    assert _report(issued["B-B"], trust_roots=[bench.root])["valid"]
    sid = _signature(issued["B-B bis"], index).signer_info["sid"].dump()
    tampered = _cms_changed(issued["B-B bis"], index, sid, _flipped_last_byte(sid))
    _refused_alike(tampered, bench)
    assert all(key[0] != _flipped_last_byte(sid) for key in speedups_cms._PARTITIONS), "a failure is not remembered"


def test_another_chain_with_the_same_names_after_a_warm_memory(bench, issued):
    other = make_pki("rsa")  # the same names, other keys and serial numbers
    assert _report(issued["B-T"], trust_roots=[bench.root])["valid"]
    foreign = vanthu_issue(_draft(), other, "B-T")
    for pdf, roots in ((foreign, [bench.root]), (issued["B-T"], [other.root]), (foreign, [other.root])):
        report = _report(pdf, trust_roots=roots)
        assert report["valid"] == (roots[0] is other.root and pdf is foreign)
        assert report == _report_afresh(pdf, trust_roots=roots)


def _certificates_and_signer(pdf: bytes, index: int):
    signature = _signature(pdf, index)
    certs = [c.chosen.untag() for c in signature.signed_data["certificates"] if c.name == "certificate"]
    return certs, signature.signer_info


def _partitioned(found) -> tuple[bytes, list[bytes]]:
    signer, others = found
    return signer.dump(), [c.dump() for c in others]


def test_partition_the_same_as_pyhanko_in_any_order_twice_and_missing(issued):
    certs, signer_info = _certificates_and_signer(issued["B-B"], 0)
    original = speedups_cms.ORIGINAL["_partition_certs"]
    orders = [certs, certs[::-1], [certs[0], certs[0], *certs[1:]], [*certs, certs[0].copy()]]
    for _ in range(2):  # cold, then warm
        for order in orders:
            found = speedups_cms.partition_certs(order, signer_info)
            assert _partitioned(found) == _partitioned(original(order, signer_info))
            assert found[0] in order
            assert all(any(o is c for c in order) for o in found[1])
    without_signer = [c for c in certs if c.dump() != _signature(issued["B-B"], 0).signer_cert.dump()]
    for _ in range(2):
        with pytest.raises(CMSExtractionError):
            speedups_cms.partition_certs(without_signer, signer_info)
    other_certs, other_signer = _certificates_and_signer(issued["B-B"], 1)
    assert _partitioned(speedups_cms.partition_certs(certs + other_certs, other_signer)) == _partitioned(
        original(certs + other_certs, other_signer))


def test_ess_check_the_same_as_pyhanko_for_the_right_and_the_wrong_certificate(bench, issued):
    from pyhanko.sign.validation.generic_cms import get_signing_cert_attr

    original = speedups_cms.ORIGINAL["check_ess_certid"]
    person = _signature(issued["B-B"], 0)
    unit = _signature(issued["B-B"], 1)
    for signature in (person, unit):
        certid = get_signing_cert_attr(signature.signer_info["signed_attrs"])["certs"][0]
        for cert in (person.signer_cert, unit.signer_cert, bench.root):
            for _ in range(2):
                assert speedups_cms.check_ess_certid(cert, certid) is original(cert, certid)
        assert speedups_cms.check_ess_certid(signature.signer_cert, certid) is True
    assert len(speedups_cms._ESS) == 6


def test_the_switch_turns_it_off(bench, issued):
    with speedups.suspended():
        assert general.check_ess_certid is speedups_cms.ORIGINAL["check_ess_certid"]
        assert generic_cms.extract_certs_for_validation is speedups_cms.ORIGINAL["extract_certs_for_validation"]
        assert _report(issued["B-B"], trust_roots=[bench.root])["valid"]
    assert not speedups_cms._ESS
    assert not speedups_cms._PARTITIONS
    assert not speedups_cms._EXTRACTED
