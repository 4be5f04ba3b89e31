"""The shortcuts of the document path (decision 0033) refuse what the long way refused: an envelope signed as
the tree it was built as is the same envelope; the XML signature checked on the tree the pipeline parsed still
catches a tampered envelope; the PDF inside a validly signed envelope is still checked; an envelope recorded by
another request while the batch was being checked is answered from that record, not applied twice."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.exchange.test_batch import envelope_for, incoming, issued, kept_folder, peer, post_batch  # noqa: F401
from vanthu.documents.models import OutboxMessage
from vanthu.exchange import edxml, outgoing, receiving, sealing
from vanthu.exchange.models import ReceivedEnvelope

pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


def _message(issued, unit) -> OutboxMessage:  # noqa: F811
    return OutboxMessage.objects.select_related("unit", "document").get(document=issued, recipient__unit=unit)


def test_a_document_signed_as_a_tree_is_the_envelope_signed_bytes_gave(cast, issued, peer, monkeypatch):  # noqa: F811
    monkeypatch.setattr(outgoing, "vn_now", lambda: dt.datetime(2026, 12, 6, 9, 30))
    message = _message(issued, cast.division)
    to = outgoing.organization(cast.division)
    assert outgoing.signed_document(message, to=to) == outgoing.signed_bytes(message, to=to)


def test_envelopes_signed_as_trees_are_checked_as_before(client, cast, issued, peer):  # noqa: F811
    message = _message(issued, cast.division)
    to = outgoing.organization(cast.division)
    good = outgoing.signed_document(message, to=to)
    tampered = good.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode())
    # a PDF changed after its PAdES signatures, in an envelope whose own XML signature is valid
    envelope = outgoing.envelope_of(message.document, to=to)
    pdf = envelope.attachments[0].data
    changed = pdf.replace(b"/Type /Page", b"/Type/Page ", 1) if b"/Type /Page" in pdf else pdf[:-40] + b"%" * 40
    assert changed != pdf
    assert len(changed) == len(pdf)
    seal = sealing.seal_for(message.unit)
    bad_pdf = edxml.sign_document(
        dataclasses.replace(envelope, attachments=(dataclasses.replace(envelope.attachments[0], data=changed),)),
        key=seal.sign, certificate=seal.certificate_der, chain=list(seal.chain_der))
    assert edxml.verify(bad_pdf).valid
    response = post_batch(client, cast, [good, tampered, bad_pdf, good])
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["state"] for r in results] == ["accepted", "refused", "refused", "accepted"]
    assert [r.get("code") for r in results[1:3]] == ["bad_signature", "bad_pdf_signature"]
    assert results[3]["duplicate"] is True
    assert incoming(cast.division) == 1
    assert sorted(ReceivedEnvelope.objects.values_list("state", flat=True)) == ["accepted", "refused", "refused"]


def test_an_envelope_recorded_meanwhile_is_answered_from_its_record(cast, issued, peer, monkeypatch):  # noqa: F811
    """Another request carried the same envelope and recorded it while this batch was checking its envelopes
    (after the batch looked for the envelopes it had seen): answered as a duplicate, one document, one row."""
    good = envelope_for(issued, cast.division)
    other = envelope_for(issued, cast.province)
    verify = receiving._verify
    raced: list[receiving.Receipt] = []
    started: list[bool] = []

    def verify_while_another_request_records(data, **kwargs):
        if not started:
            started.append(True)
            raced.append(receiving.receive(good, transport="http", peer=peer))
        return verify(data, **kwargs)

    monkeypatch.setattr(receiving, "_verify", verify_while_another_request_records)
    receipts = receiving.receive_many([good, other], transport="http", peer=peer)
    assert raced[0].accepted
    assert not raced[0].duplicate
    assert [r.accepted for r in receipts] == [True, True]
    assert [r.duplicate for r in receipts] == [True, False]
    assert receipts[0].envelope.pk == raced[0].envelope.pk
    assert (incoming(cast.division), incoming(cast.province)) == (1, 1)
    assert ReceivedEnvelope.objects.count() == 2
