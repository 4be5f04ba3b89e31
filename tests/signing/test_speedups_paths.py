"""Certificate path validation remembered per chain (vanthu/signing/speedups_paths.py): the same verdicts as
pyhanko-certvalidator validating every path in full, with a warm cache, for valid documents and for every way a
chain can stop being acceptable — another root with the same names, a forged chain, an expired or not yet valid
certificate, revocation data given or found in vanthu's records, a failed validation tried again."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
from importlib.metadata import version

import pyhanko_certvalidator
import pytest
import time_machine
from pyhanko_certvalidator import validate as certvalidator_validate

from tests.signing.pdf_checks import SON_BLOCK
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import pades, pades_engine, speedups, speedups_paths, validation
from vanthu.signing.bench import BLOCK, make_pki, vanthu_issue

speedups.install()

PINNED_VERSION = "0.33.0"
# sha256 of the pyhanko-certvalidator functions whose time and revocation dependencies speedups_paths.py relies
# on: an upgrade that changes one fails here, and what is remembered must be re-checked against the new code.
PINNED_SOURCES = {
    "async_validate_path": "c8b577116cadfed848e249ed11a53bb32d29e3904b88e2d875c34e6fada9cece",
    "intl_validate_path": "f189540aacab1e5c06aa1901561a5a885c33620b40a2ec56a5f7aff593a82291",
    "_check_validity": "85b2663699b60a1d50997981ecc2c34ca3f5598057f6bdc78046c55f8c41e830",
    "_check_revocation": "f2ac194e2d743f79f680b6c18b6c24deba8b9bf6d5d8bf1e520a4ff6de1b7762",
    "find_valid_path": "dd8ab42c610bc09d6601d5092cbafd85811e95ce3af06936e3af1094271c7143",
}


def _source_hashes() -> dict[str, str]:
    functions = {
        "async_validate_path": speedups.ORIGINAL["async_validate_path"],
        "intl_validate_path": certvalidator_validate.intl_validate_path,
        "_check_validity": certvalidator_validate._check_validity,
        "_check_revocation": certvalidator_validate._check_revocation,
        "find_valid_path": pyhanko_certvalidator.find_valid_path,
    }
    return {name: hashlib.sha256(inspect.getsource(f).encode()).hexdigest() for name, f in functions.items()}


@pytest.fixture(scope="module")
def bench():
    return make_pki("rsa")


@pytest.fixture(scope="module")
def issued(bench) -> dict[str, bytes]:
    from vanthu.demo.pdfs import sample_draft

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    return {level: vanthu_issue(draft, bench, level) for level in ("B-B", "B-T")}


@pytest.fixture(autouse=True)
def _empty_cache():
    speedups_paths.forget()
    yield
    speedups_paths.forget()


def _uncached(pdf: bytes, **kwargs) -> dict:
    """vanthu's report with every path validated in full by pyhanko-certvalidator."""
    remembering = pyhanko_certvalidator.async_validate_path
    pyhanko_certvalidator.async_validate_path = speedups.ORIGINAL["async_validate_path"]
    try:
        return validation.report_dict(validation.validate_pdf(pdf, **kwargs))
    finally:
        pyhanko_certvalidator.async_validate_path = remembering


def _cached(pdf: bytes, **kwargs) -> dict:
    return validation.report_dict(validation.validate_pdf(pdf, **kwargs))


class _Counting:
    """Counts the full path validations pyhanko-certvalidator makes."""

    def __init__(self, monkeypatch):
        self.calls = 0
        original = speedups.ORIGINAL["async_validate_path"]

        async def counted(*args, **kwargs):
            self.calls += 1
            return await original(*args, **kwargs)

        monkeypatch.setitem(speedups_paths.ORIGINAL, "async_validate_path", counted)


def test_pinned_to_the_certvalidator_it_was_written_against():
    assert version("pyhanko-certvalidator") == PINNED_VERSION
    assert _source_hashes() == PINNED_SOURCES


def test_installed():
    assert pyhanko_certvalidator.async_validate_path is speedups_paths.validate_path


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_a_valid_document_validated_again_uses_the_remembered_paths_with_the_same_report(
        bench, issued, level, monkeypatch):
    counting = _Counting(monkeypatch)
    first = _cached(issued[level], trust_roots=[bench.root])
    assert first["valid"]
    full = counting.calls
    assert full >= 2  # the person's and the unit's chains (and the TSA's at B-T)
    again = _cached(issued[level], trust_roots=[bench.root])
    assert counting.calls == full, "no path validated again"
    assert again == first == _uncached(issued[level], trust_roots=[bench.root])


def test_another_root_with_the_same_names_is_not_trusted_with_a_warm_cache(bench, issued):
    """make_pki builds the same names every time: the other chain differs only in its keys."""
    assert _cached(issued["B-T"], trust_roots=[bench.root])["valid"]
    other = make_pki("rsa")
    for pdf, roots in ((issued["B-T"], [other.root]), (vanthu_issue(_draft(), other, "B-T"), [bench.root])):
        report = _cached(pdf, trust_roots=roots)
        assert not report["valid"]
        assert not any(s["trusted"] for s in report["signatures"])
        assert report == _uncached(pdf, trust_roots=roots)


def test_a_failed_validation_is_not_remembered(bench, issued):
    other = make_pki("rsa")  # same names, other keys: the paths are built and fail on the signatures
    for _ in range(2):
        assert not _cached(issued["B-B"], trust_roots=[other.root])["valid"]
    assert not speedups_paths._REMEMBERED


def _draft() -> bytes:
    from vanthu.demo.pdfs import sample_draft

    return sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)


@pytest.mark.parametrize("when", ["after_expiry", "before_validity"])
def test_an_expired_or_not_yet_valid_certificate_is_refused_with_a_warm_cache(bench, issued, when):
    report = _cached(issued["B-B"], trust_roots=[bench.root])
    assert report["valid"]
    assert speedups_paths._REMEMBERED
    person = bench.person.certificate["tbs_certificate"]["validity"]
    moment = (person["not_after"].native + dt.timedelta(days=2) if when == "after_expiry"
              else person["not_before"].native - dt.timedelta(days=2))
    remembered = dict(speedups_paths._REMEMBERED)
    with time_machine.travel(moment, tick=False):
        late = _cached(issued["B-B"], trust_roots=[bench.root])
        assert not late["valid"]
        assert not late["signatures"][0]["valid"]
        assert late == _uncached(issued["B-B"], trust_roots=[bench.root])
        assert remembered == speedups_paths._REMEMBERED, "the failed validations are not remembered"


@pytest.mark.django_db
def test_a_crl_given_after_a_warm_cache_still_revokes(equipped_cast, draft_pdf, monkeypatch):
    """Revocation data in the context: nothing is remembered or used from memory, the CRL decides."""
    from vanthu.signing import backends, pki, service, trust
    from vanthu.signing.actions import revoke_certificate
    from vanthu.signing.models import CertificateAuthority
    from vanthu.signing.testing import SIGNING_SECRET

    signed = service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    roots = list(trust.trust_roots())
    assert _cached(signed, trust_roots=roots)["valid"]
    assert speedups_paths._REMEMBERED
    revoke_certificate(certificate=backends.credential_of(equipped_cast.son).certificate, reason="keyCompromise",
                       acting=TEST_FIXTURES)
    crls = [pki.crl_der(CertificateAuthority.objects.get(slug=slug)) for slug in ("issuing", "root")]
    counting = _Counting(monkeypatch)
    remembered = dict(speedups_paths._REMEMBERED)
    report = _cached(signed, trust_roots=roots, crls=crls)
    assert counting.calls >= 1, "validated in full"
    assert remembered == speedups_paths._REMEMBERED, "nothing remembered from a context with a CRL"
    assert not report["valid"]
    assert report["signatures"][0]["revoked"]
    assert report == _uncached(signed, trust_roots=roots, crls=crls)


@pytest.mark.django_db
def test_a_certificate_revoked_in_vanthu_is_refused_with_a_warm_cache(equipped_cast, draft_pdf):
    from vanthu.signing import backends, service
    from vanthu.signing.actions import revoke_certificate
    from vanthu.signing.testing import SIGNING_SECRET

    signed = service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    assert _cached(signed)["valid"]
    assert speedups_paths._REMEMBERED, "the trust store's context, offline, is remembered"
    revoke_certificate(certificate=backends.credential_of(equipped_cast.son).certificate, reason="keyCompromise",
                       acting=TEST_FIXTURES)
    report = _cached(signed)
    assert not report["valid"]
    assert report["signatures"][0]["revoked"]
    assert report == _uncached(signed)


def test_a_document_signed_by_a_chain_not_in_the_trust_roots_stays_untrusted(bench, issued):
    foreign = make_pki("rsa")
    signed = pades.sign_personal_with(_draft(), credential=foreign.person, block=SON_BLOCK,
                                      found_services=pades_engine.Services(level="B-B"))
    assert _cached(issued["B-B"], trust_roots=[bench.root])["valid"]
    assert _cached(signed, trust_roots=[foreign.root])["valid"]
    report = _cached(signed, trust_roots=[bench.root])
    assert not report["valid"]
    assert report == _uncached(signed, trust_roots=[bench.root])


def test_the_switch_turns_it_off(bench, issued):
    with speedups.suspended():
        assert pyhanko_certvalidator.async_validate_path is speedups.ORIGINAL["async_validate_path"]
        assert _cached(issued["B-B"], trust_roots=[bench.root])["valid"]
    assert not speedups_paths._REMEMBERED


def _name(**values) -> object:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Name.build(values, use_printable="printable" in values.pop("_how", ""))


@pytest.mark.parametrize(("left", "right"), [
    ({"common_name": "Bộ Tham mưu", "country_name": "VN"}, {"common_name": "Bộ Tham mưu", "country_name": "VN"}),
    ({"common_name": "Bench Root CA", "_how": "printable"}, {"common_name": "Bench Root CA"}),
    ({"common_name": "bench  root ca"}, {"common_name": "Bench Root CA"}),
    ({"common_name": "Bench Root CA"}, {"common_name": "Bench Issuing CA"}),
    ({"common_name": "A", "organization_name": "B"}, {"common_name": "A"}),
    ({"common_name": "A", "organization_name": "B"}, {"common_name": "B", "organization_name": "A"}),
])
def test_names_compare_as_asn1crypto_compares_them(left, right):
    """speedups.name_equal (equal `hashable` strings: equal names) against asn1crypto's RFC 5280 comparison,
    both ways, for equal names, names encoded differently, names differing in case and spaces only
    (equal after RFC 4518 preparation) and names that differ."""
    a, b = _name(**left), _name(**right)
    for x, y in ((a, b), (b, a)):
        assert speedups.name_equal(x, y) == speedups.ORIGINAL["name_eq"](x, y)
