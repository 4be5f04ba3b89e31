"""Issuance checks the personal signature before the number and again at the seal, but the same bytes are
checked in full at most once: the verdict made (and stored) before the number, or the one the validation job
stored after signing while it is fresh, stands for the seal's re-check. One outbox row per recipient, written
in one statement."""

from __future__ import annotations

import pytest

from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.models import OutboxMessage, Recipient, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import validation
from vanthu.signing.models import FileValidation
from vanthu.signing.testing import SIGNING_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_checks(monkeypatch) -> list[bytes]:
    """The PDFs whose signatures are checked in full (the checks still run: the list only counts them)."""
    made: list[bytes] = []
    real = validation.validate_pdf

    def counted(pdf, **kwargs):
        made.append(pdf)
        return real(pdf, **kwargs)

    monkeypatch.setattr(validation, "validate_pdf", counted)
    return made


def issue(document, cast):
    return actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))


def test_without_a_stored_verdict_the_signed_file_is_checked_once_and_the_verdict_kept(signed, cast, full_checks):
    signed_bytes = signed.current_file.read_bytes()
    assert not FileValidation.objects.filter(file=signed.current_file).exists()
    issue(signed, cast)
    assert full_checks == [signed_bytes]  # before the number; the seal's re-check finds that verdict fresh
    assert FileValidation.objects.get(file_id=signed.current_file_id).valid
    signed.refresh_from_db()
    assert signed.status == Status.ISSUED


def test_with_the_jobs_fresh_verdict_nothing_is_checked_again(signed, cast, full_checks):
    validation.validate_and_store(signed.current_file)  # the job after signing
    full_checks.clear()
    issue(signed, cast)
    assert full_checks == []
    signed.refresh_from_db()
    assert signed.status == Status.ISSUED
    assert validation.validate_pdf(signed.current_file.read_bytes()).valid  # personal + organisation


def test_a_stale_verdict_is_made_again_before_the_number(signed, cast, full_checks, settings):
    validation.validate_and_store(signed.current_file)
    full_checks.clear()
    settings.SIGNATURE_VERDICT_SECONDS = 0  # no stored verdict stands: both checks are made in full, as before
    issue(signed, cast)
    assert len(full_checks) == 2  # before the number, and the seal's
    signed.refresh_from_db()
    assert signed.status == Status.ISSUED


def test_a_verdict_that_the_signature_is_invalid_refuses_before_any_number(signed, cast, monkeypatch):
    def invalid(pdf, **kwargs):
        return validation.ValidationResult(valid=False, signatures=[], readable=True, problem="no")

    monkeypatch.setattr(validation, "validate_pdf", invalid)
    with pytest.raises(ActionRefused) as refused:
        issue(signed, cast)
    assert refused.value.code == "unsigned"
    signed.refresh_from_db()
    assert signed.number is None


def test_one_message_per_unit_recipient_and_the_named_body_waits_for_paper(signed, cast):
    issue(signed, cast)
    messages = OutboxMessage.objects.filter(document=signed).order_by("pk")
    assert sorted(m.address for m in messages) == sorted([str(cast.division.pk), str(cast.province.pk)])
    assert all(m.pk is not None and m.state == OutboxMessage.State.WAITING for m in messages)
    states = dict(Recipient.objects.filter(document=signed).values_list("external_name", "state"))
    assert states["Quân khu 7"] == Recipient.State.PAPER_PENDING
    assert sorted(Recipient.objects.filter(document=signed, unit__isnull=False).values_list("state", flat=True)) == [
        Recipient.State.SENT, Recipient.State.SENT]
    assert Recipient.objects.filter(document=signed, unit__isnull=False, sent_at__isnull=True).count() == 0
