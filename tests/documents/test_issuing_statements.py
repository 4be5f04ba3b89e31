"""Issuance's finalising step marks the document issued in one statement that also locks the row and checks the
lease (issue 7, fourth pass); a delivery creates its arrival row by an insert that ignores a duplicate key; a
signing key without failures on record skips clearing them. Same outcomes as before, fewer statements."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from tests.outbox_helpers import issue_as_clerk
from vanthu.audit.models import AuditEvent
from vanthu.core import lockout
from vanthu.core.errors import ActionRefused
from vanthu.documents.actions import issuance
from vanthu.documents.actions.delivery_status import arrival_row
from vanthu.documents.models import Arrival, Document, DocumentFile, OutboxMessage, Status

pytestmark = pytest.mark.django_db


issue = issue_as_clerk


def test_the_issued_document_returned_is_the_row_as_stored(signed, cast):
    issued = issue(signed, cast)
    stored = Document.objects.get(pk=signed.pk)
    assert stored.status == issued.status == Status.ISSUED
    assert stored.version == issued.version
    assert stored.current_file_id == issued.current_file_id != signed.current_file_id
    assert stored.issued_by_id == issued.issued_by_id == cast.lan.pk
    assert stored.issued_at == issued.issued_at
    assert stored.issuing_since is None
    assert issued.issuing_since is None
    assert (stored.number, stored.register_id, stored.code_notation) == (issued.number, issued.register_id,
                                                                        issued.code_notation)
    assert stored.subject == signed.subject  # the columns issuance does not change are left as they were
    main = DocumentFile.objects.get(document=signed, kind=DocumentFile.Kind.MAIN)
    assert main.file_id == stored.current_file_id


def test_a_lost_lease_is_refused_at_the_finalising_step_and_nothing_is_marked(signed, cast, monkeypatch):
    real_seal = issuance._seal

    def seal_then_lose_the_lease(reservation, seal):
        sealed = real_seal(reservation, seal)
        # another attempt took the document over while this one sealed (its lease ran out)
        Document.objects.filter(pk=signed.pk).update(issuing_since=timezone.now())
        return sealed

    monkeypatch.setattr(issuance, "_seal", seal_then_lose_the_lease)
    with pytest.raises(ActionRefused) as refused:
        issue(signed, cast)
    assert refused.value.code == "issuing_lost"
    stored = Document.objects.get(pk=signed.pk)
    assert stored.status == Status.SIGNED
    assert stored.number is not None  # the number stays with the document (no gap)
    assert stored.current_file_id == signed.current_file_id
    assert stored.issued_at is None
    assert stored.issued_by_id is None
    assert not OutboxMessage.objects.filter(document=signed).exists()
    assert AuditEvent.objects.filter(verb="documents.outgoing.issued.refused", target_id=str(signed.pk)).exists()


def test_the_same_arrival_twice_is_one_row(cast):
    key = uuid.uuid4()
    with transaction.atomic():
        first = arrival_row(key=key, unit=cast.division, transport="local", reply_to="1")
        again = arrival_row(key=key, unit=cast.division, transport="local", reply_to="other")
    assert first.pk == again.pk
    assert again.reply_to == "1"  # the row as first written
    assert Arrival.objects.filter(key=key).count() == 1


def test_a_key_without_failures_has_nothing_to_clear_and_one_with_failures_has(settings):
    key = "key:test-i7"
    assert lockout.check(key) is False
    lockout.failed(key)
    assert lockout.check(key) is True  # one failure: not locked, and a success would clear it
    lockout.succeeded(key)
    assert lockout.check(key) is False
    for _ in range(settings.LOCKOUT_FAILURES):
        lockout.failed(key)
    with pytest.raises(lockout.Locked):
        lockout.check(key)
