"""Between units of one deployment, with EXCHANGE_LOCAL_ENVELOPES: the Staff's plan travels to Division 301 and
the province as an edXML envelope signed with the Staff's seal, through the receive pipeline (signature, trust
store, PAdES of the PDF); the division's registration goes back as a status signed by the division, bound to
the PDF's SHA-256; every envelope is kept as evidence once."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.outbox_helpers import signed_plan
from vanthu.documents import actions
from vanthu.documents.models import Document, OutboxMessage, Recipient, RecipientStatus, Status
from vanthu.exchange import edxml, sealing
from vanthu.exchange.models import ReceivedEnvelope
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture(autouse=True)
def envelopes():
    sealing.forget()
    with override_settings(EXCHANGE_LOCAL_ENVELOPES=True, EXCHANGE_SEAL_SECRET=SIGNING_SECRET):
        yield
    sealing.forget()


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    equip_cast(cast, people=(), units=("division", "province"))
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    document.refresh_from_db()
    return document


def test_a_document_travels_as_a_signed_envelope_and_arrives_once(cast, issued):
    copy = Document.objects.get(unit=cast.division, source=issued)
    assert copy.status == Status.RECEIVED
    assert copy.current_file_id == issued.current_file_id  # the sealed PDF, byte for byte
    assert (copy.organ_id, copy.notation) == ("000.00.02.Q10", issued.notation)
    evidence = ReceivedEnvelope.objects.get(unit=cast.division, kind="document")
    assert evidence.state == "accepted"
    assert (evidence.from_organ, evidence.to_organ) == ("000.00.02.Q10", "000.00.10.Q10")
    assert "Bộ Tham mưu" in evidence.signer
    assert evidence.document_sha256 == issued.current_file_id
    parsed = edxml.parse(evidence.raw.read_bytes())
    assert parsed.envelope is not None
    assert parsed.envelope.header.subject == issued.subject
    assert edxml.verify(evidence.raw.read_bytes()).valid
    recipient = Recipient.objects.get(document=issued, unit=cast.division)
    assert recipient.state == Recipient.State.RECEIVED


def test_the_same_envelope_twice_gives_one_document(cast, issued):
    from vanthu.exchange import receiving

    evidence = ReceivedEnvelope.objects.get(unit=cast.division, kind="document")
    again = receiving.receive(evidence.raw.read_bytes(), transport="local")
    assert (again.accepted, again.duplicate) == (True, True)
    assert Document.objects.filter(unit=cast.division, source=issued).count() == 1


def test_registration_goes_back_as_a_signed_status_bound_to_the_pdf(cast, issued,
                                                                     django_capture_on_commit_callbacks):
    copy = Document.objects.get(unit=cast.division, source=issued)
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy, acting=cast.minh)
    statuses = ReceivedEnvelope.objects.filter(kind="status", from_organ="000.00.10.Q10")
    assert sorted((s.state, s.status_code) for s in statuses) == [("accepted", "01"), ("accepted", "03")]
    status = statuses.get(status_code="03")
    assert status.document_sha256 == issued.current_file_id
    assert "Sư đoàn 301" in status.signer
    recipient = Recipient.objects.get(document=issued, unit=cast.division)
    assert recipient.state == Recipient.State.ACCEPTED
    assert OutboxMessage.objects.filter(document=copy, state="delivered").count() == 2  # 01 on arrival, then 03
    # the sender's trail keeps each status with the signed envelope that proved it
    trail = RecipientStatus.objects.filter(recipient=recipient).order_by("pk")
    assert [(row.status, row.verified) for row in trail] == [("arrived", True), ("registered", True)]
    assert trail.get(status="registered").evidence_id == status.raw_id
    assert trail.get(status="registered").document_sha256 == issued.current_file_id


def test_a_status_envelope_is_stored_once_for_the_trail_and_the_evidence(cast, issued, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    import hashlib

    from vanthu.exchange import actions as exchange_actions
    from vanthu.exchange import receiving_reads

    stored: list[str] = []
    store = receiving_reads.store_bytes

    def counted(data, *, content_type):
        stored.append(hashlib.sha256(data).hexdigest())
        return store(data, content_type=content_type)

    put_many = receiving_reads.put_many

    def counted_many(items):  # a batch's files, put together before its transaction
        stored.extend(hashlib.sha256(data).hexdigest() for data, _content_type in items)
        return put_many(items)

    monkeypatch.setattr(receiving_reads, "store_bytes", counted)
    monkeypatch.setattr(receiving_reads, "put_many", counted_many)
    monkeypatch.setattr(exchange_actions, "store_bytes", counted)
    copy = Document.objects.get(unit=cast.division, source=issued)
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy, acting=cast.minh)
    status = ReceivedEnvelope.objects.get(kind="status", from_organ="000.00.10.Q10", status_code="03")
    assert stored.count(status.sha256) == 1
    assert status.raw_id == status.sha256
    row = RecipientStatus.objects.get(recipient__document=issued, recipient__unit=cast.division, status="registered")
    assert row.evidence_id == status.raw_id
    assert edxml.verify(row.evidence.read_bytes()).valid


def test_a_return_goes_back_as_status_02_with_its_reason(cast, issued, django_capture_on_commit_callbacks):
    """Checklist point 25."""
    copy = Document.objects.get(unit=cast.province, source=issued)
    with django_capture_on_commit_callbacks(execute=True):
        actions.return_received(document=copy, acting=cast.tam, reason="Không thuộc thẩm quyền")
    status = ReceivedEnvelope.objects.get(kind="status", from_organ="000.00.11.Q10", status_code="02")
    assert status.state == "accepted"
    returned = Recipient.objects.get(document=issued, unit=cast.province)
    assert (returned.state, returned.reason) == (Recipient.State.RETURNED, "Không thuộc thẩm quyền")


def test_a_recall_travels_as_status_13_and_cancels_the_copies(cast, issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.recall_outgoing(document=issued, acting=cast.lan, reason="Ban hành nhầm")
    assert set(Document.objects.filter(source=issued).values_list("status", flat=True)) == {Status.CANCELLED}
    assert set(ReceivedEnvelope.objects.filter(kind="status", status_code="13").values_list("state", flat=True)) \
        == {"accepted"}
