"""The seal's re-check of the personal signature takes the verdict stored for the very same bytes only while it
is fresh, judged under the same trust store, and the signer is not revoked since; else it checks in full. The
trust store is parsed once per version of it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.signing import pdf_checks
from tests.signing.pdf_checks import DATE, NUMBER, SON_BLOCK
from vanthu.core import files
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import actions, backends, pki, service, trust, validation, verdicts
from vanthu.signing.models import FileValidation
from vanthu.signing.testing import SIGNING_SECRET

equipped_cast = pdf_checks.lean_equipped_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(equipped_cast, draft_pdf) -> bytes:
    return service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)


@pytest.fixture
def stored(signed) -> files.StoredFile:
    stored = files.store_bytes(signed, content_type="application/pdf")
    validation.validate_and_store(stored)  # what the job does after signing
    return stored


@pytest.fixture
def full_checks(monkeypatch) -> list[bytes]:
    """Every full check of a personal signature the seal makes (they still run: the list only counts them)."""
    made: list[bytes] = []
    real = validation.has_valid_personal_signature

    def counted(pdf, **kwargs):
        made.append(pdf)
        return real(pdf, **kwargs)

    monkeypatch.setattr(validation, "has_valid_personal_signature", counted)
    return made


def seal(pdf: bytes, cast) -> bytes:
    return service.seal_issued(pdf=pdf, unit=cast.staff, number_text=NUMBER, date_text=DATE, secret=SIGNING_SECRET)


def test_a_fresh_stored_verdict_stands_for_the_seals_check(stored, signed, equipped_cast, full_checks):
    assert verdicts.fresh_personal(stored.sha256)
    sealed = seal(signed, equipped_cast)
    assert full_checks == []
    assert validation.validate_pdf(sealed).valid


def test_the_verdict_keeps_the_trust_store_version_and_the_signers_certificate(stored, equipped_cast):
    report = FileValidation.objects.get(file=stored).report
    assert report["trust"] == trust.version()
    son = backends.credential_of(equipped_cast.son).certificate
    assert verdicts.personal_fingerprints(report) == [son.fingerprint]


def test_without_a_stored_verdict_the_seal_checks_in_full(signed, equipped_cast, full_checks):
    seal(signed, equipped_cast)
    assert full_checks == [signed]


def test_a_verdict_older_than_the_bound_is_not_used(stored, signed, equipped_cast, full_checks):
    FileValidation.objects.filter(file=stored).update(validated_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11))
    assert not verdicts.fresh_personal(stored.sha256)
    seal(signed, equipped_cast)
    assert full_checks == [signed]


def test_a_bound_of_zero_turns_the_stored_verdict_off(stored, signed, equipped_cast, full_checks, settings):
    settings.SIGNATURE_VERDICT_SECONDS = 0
    seal(signed, equipped_cast)
    assert full_checks == [signed]


def test_a_signer_revoked_since_the_verdict_is_refused_at_the_seal(stored, signed, equipped_cast, full_checks):
    certificate = backends.credential_of(equipped_cast.son).certificate
    actions.revoke_certificate(certificate=certificate, reason="keyCompromise", acting=TEST_FIXTURES)
    assert not verdicts.fresh_personal(stored.sha256)
    with pytest.raises(service.SigningRefused):
        seal(signed, equipped_cast)
    assert full_checks == [signed]


def test_a_trust_store_changed_since_the_verdict_is_checked_again(stored, signed, equipped_cast, full_checks):
    key = pki.generate_key("rsa")
    root = pki.build_ca(subject=pki.ca_subject("CA gốc khác (thử nghiệm)", "Ban Cơ yếu (thử nghiệm)"), key=key,
                        issuer=None, path_length=1)
    before = trust.version()
    [anchor] = actions.import_trust_anchor(data=pki.der(root), acting=TEST_FIXTURES)
    assert trust.version() != before
    assert not verdicts.fresh_personal(stored.sha256)
    seal(signed, equipped_cast)
    assert full_checks == [signed]
    actions.set_trust_anchor_enabled(anchor=anchor, enabled=False, acting=TEST_FIXTURES)
    assert trust.version() == before  # the same store again: the same version


def test_the_verdict_of_other_bytes_does_not_count(stored, signed, equipped_cast, full_checks):
    sealed = seal(signed, equipped_cast)  # the stored verdict is the signed file's, not the sealed one's
    assert not verdicts.fresh_personal(files.store_bytes(sealed, content_type="application/pdf").sha256)


def test_the_trust_store_is_read_in_one_query_once_parsed(equipped_cast, django_assert_num_queries):
    roots, middle = trust.store()
    with django_assert_num_queries(1):
        again = trust.store()
    assert [c.sha256 for c in again[0]] == [c.sha256 for c in roots]
    assert [c.sha256 for c in again[1]] == [c.sha256 for c in middle]
