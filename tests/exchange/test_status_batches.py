"""A batch's statuses applied together (decision 0038): the statuses 01 and 03 a peer sends back about the
documents this deployment sent are verified each on its own, then applied to the senders' trail together
(`receiving_statuses`, `delivery_batch.apply_statuses` with what the pipeline proved) and their evidence kept
together. Whatever the mix — statuses out of order, the same envelope twice in a batch or received before, a
status refused (another document, another file's hash, an organ the document did not go to), a recall — the
rows, receipts and audit events are those of concluding each status alone, in the batch's order; in a number
of statements that does not grow with the batch.

The peer is this deployment's own Q10 units reached over HTTP (test_batch.py's `outside`): the Staff's plan
went to the division and the province, whose 01s and 03s come back signed by them."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.exchange.test_batch import make_peer
from tests.outbox_helpers import checked
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents import actions
from vanthu.documents.actions import delivery_batch
from vanthu.documents.delivering import deliver_message
from vanthu.documents.models import Direction, Document, MessageKind, OutboxMessage, Recipient, RecipientStatus
from vanthu.exchange import edxml, outgoing, receiving, receiving_statuses, sealing
from vanthu.exchange.models import Peer, ReceivedEnvelope
from vanthu.exchange.transports import http
from vanthu.org.models import SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture(autouse=True)
def seals(tmp_path):
    sealing.forget()
    with override_settings(EXCHANGE_SEAL_SECRET=SIGNING_SECRET, DATA_DIR=tmp_path):
        yield
    sealing.forget()


@pytest.fixture
def wire(client, monkeypatch):
    """Each POST to the peer goes to this deployment's own endpoints through the test client."""

    def post(*, base_url, body, headers, timeout=30.0, path=http.PATH):
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(path, data=body, content_type=headers.get("Content-Type", "application/xml"), **meta)
        return http.Answer(response.status_code, response.content)

    monkeypatch.setattr(http, "post", post)


@dataclasses.dataclass
class Sent:
    document: Document
    peer: Peer
    statuses: dict[tuple[str, str], OutboxMessage]  # (organ id, edXML code) → the status message waiting


@pytest.fixture
def sent(cast, doc_types, draft_pdf, wire, django_capture_on_commit_callbacks):
    """The Staff's plan issued to the division's and the province's organ ids (over HTTP), delivered and
    registered by both: their 01s and 03s wait to go back, none sent yet."""
    equip_cast(cast, people=("son",), units=("staff", "division", "province"))
    peer = make_peer()
    from vanthu.org import actions as org

    org.grant_role(person=cast.minh, unit=cast.division, role="clerk", acting=TEST_FIXTURES)
    org.grant_role(person=cast.tam, unit=cast.province, role="clerk", acting=TEST_FIXTURES)
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch liên thông",
                             recipient_organs=[(cast.division.code, "Sư đoàn 301"),
                                               (cast.province.code, "Bộ CHQS tỉnh A")])
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(draft_pdf))
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    with django_capture_on_commit_callbacks(execute=False):
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    messages = list(OutboxMessage.objects.filter(document=doc, transport="http").order_by("pk"))
    with override_settings(EXCHANGE_ANSWER_ARRIVALS=False):  # the 01s as messages (decision 0046)
        deliver_message(messages[0].pk)  # both in one batch
    with django_capture_on_commit_callbacks(execute=False):
        for unit, clerk in ((cast.division, cast.minh), (cast.province, cast.tam)):
            copy = Document.objects.get(unit=unit, direction=Direction.INCOMING)
            actions.register_received(document=copy, acting=clerk)
    statuses = {(m.unit.code, edxml_code(m)): m
                for m in OutboxMessage.objects.filter(kind=MessageKind.STATUS).select_related("unit")}
    assert len(statuses) == 4
    doc.refresh_from_db()
    return Sent(document=doc, peer=peer, statuses=statuses)


def edxml_code(message: OutboxMessage) -> str:
    from vanthu.documents.models import MessageStatus

    return MessageStatus(message.status).edxml_code


def signed(message: OutboxMessage, **changes: object) -> bytes:
    """The message's signed status as its unit sends it, with `changes` made to what it says."""
    to = edxml.Organization(organ_id=message.address, organ_name="Bộ Tham mưu")
    status = dataclasses.replace(outgoing.status_of(message, to=to), **changes)
    return outgoing.sign_as(message.unit, edxml.build_status(status))


def outcome(receipts: list[receiving.Receipt | None], since: int) -> dict[str, object]:
    """What a batch left: the receipts, the evidence rows, the trail, the recipients, the audit events (all but
    the times the database takes, and the evidence rows' ids: a batch inserts its statuses' rows together,
    before those concluded alone — each is named by its envelope's SHA-256, the audit events' targets too)."""
    evidence = dict(ReceivedEnvelope.objects.values_list("pk", "sha256"))
    return {
        "receipts": [None if r is None else (r.accepted, r.duplicate, r.code, r.reason, r.envelope.sha256)
                     for r in receipts],
        "evidence": list(ReceivedEnvelope.objects.filter(kind="status").order_by("sha256").values_list(
            "sha256", "raw_id", "transport", "peer_id", "kind", "from_organ", "from_name", "to_organ", "unit_id",
            "document_id", "subject", "status_code", "signer", "document_sha256", "secrecy", "state", "reason_code",
            "reason", "incoming_id", "revocation")),
        "trail": list(RecipientStatus.objects.order_by("pk").values_list(
            "key", "recipient_id", "document_id", "status", "reason", "at", "transport", "signer", "verified",
            "document_sha256", "evidence_id")),
        "recipients": list(Recipient.objects.order_by("pk").values_list("pk", "state", "reason")),
        "audit": [(chain, seq, verb, target_type,
                   evidence[int(target_id)] if target_type == "exchange.receivedenvelope" else target_id, unit_id, data)
                  for chain, seq, verb, target_type, target_id, unit_id, data in AuditEvent.objects.filter(
                      pk__gt=since).order_by("chain", "seq").values_list(
                      "chain", "seq", "verb", "target_type", "target_id", "unit_id", "data")],
    }


class _Undo(Exception):
    pass


def both_ways(items: list[bytes], peer: Peer, monkeypatch, *, before: list[bytes] = ()) -> tuple[dict, dict]:
    """The outcome of receiving `items` as one batch, and of receiving them one by one the way it was before the
    statuses went together (each concluded alone): each from the same start, undone after."""
    results = []
    at = timezone.now()  # one moment for both (the trail keeps it)
    for together in (True, False):
        with monkeypatch.context() as patch:
            if not together:
                patch.setattr(receiving_statuses, "takes", lambda outcome: False)
            try:
                with transaction.atomic():
                    for data in before:
                        receiving.receive(data, transport="http", peer=peer, at=at)
                    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                    if together:
                        receipts = receiving.receive_many(items, transport="http", peer=peer, at=at)
                    else:
                        receipts = [receiving.receive(data, transport="http", peer=peer, at=at) for data in items]
                    results.append(outcome(receipts, since))
                    raise _Undo
            except _Undo:
                pass
    return results[0], results[1]


def test_statuses_applied_together_leave_what_one_by_one_leaves(cast, sent, monkeypatch):
    s = sent.statuses
    division, province = cast.division.code, cast.province.code
    items = [signed(s[division, "01"]), signed(s[province, "01"]), signed(s[division, "03"]),
             signed(s[province, "03"])]
    together, alone = both_ways(items, sent.peer, monkeypatch)
    assert together == alone
    assert [r[:4] for r in together["receipts"]] == [(True, False, "", "")] * 4
    trail = together["trail"]
    assert [(row[3], row[8], row[9]) for row in trail] == [
        (status, True, sent.document.current_file_id)
        for status in ("arrived", "arrived", "registered", "registered")]
    evidence = {row[0]: row[1] for row in together["evidence"]}
    assert [row[10] for row in trail] == [evidence[r[4]] for r in together["receipts"]]  # the signed envelope kept
    assert {state for _pk, state, _reason in together["recipients"]} == {Recipient.State.ACCEPTED}
    verbs = [row[2] for row in together["audit"]]
    assert verbs.count("documents.outgoing.status_received") == 4
    assert verbs.count("exchange.envelope.accepted") == 4


def test_out_of_order_twins_and_statuses_seen_before_give_the_same_outcome(cast, sent, monkeypatch):
    s = sent.statuses
    division, province = cast.division.code, cast.province.code
    arrived = signed(s[division, "01"])
    registered = signed(s[division, "03"])
    earlier = signed(s[province, "01"])
    items = [registered, arrived, registered, earlier, signed(s[province, "03"]), arrived]
    together, alone = both_ways(items, sent.peer, monkeypatch, before=[earlier])
    assert together == alone
    assert [r[:2] for r in together["receipts"]] == [(True, False), (True, False), (True, True), (True, True),
                                                     (True, False), (True, True)]
    # 03 before 01: the division's recipient stays registered, and both are in its trail once
    division_recipient = Recipient.objects.get(document=sent.document, organ_id=division)
    states = {pk: state for pk, state, _reason in together["recipients"]}
    assert states[division_recipient.pk] == Recipient.State.ACCEPTED
    assert sorted(row[3] for row in together["trail"] if row[1] == division_recipient.pk) == [
        "arrived", "registered"]


def test_a_refused_status_in_a_batch_is_refused_with_its_reason_as_alone(cast, sent, monkeypatch):
    s = sent.statuses
    division, province = cast.division.code, cast.province.code
    other = dataclasses.replace(_id(sent), number="9999")
    items = [
        signed(s[division, "01"]),
        signed(s[division, "03"], document_sha256="0" * 64),  # another file
        signed(s[province, "01"], response_for=dataclasses.replace(
            outgoing.status_of(s[province, "01"], to=edxml.Organization(organ_id="x")).response_for,
            document_id=str(other))),  # a document this deployment did not send
        signed(s[province, "03"], from_=edxml.Organization(organ_id="000.00.12.Q10", organ_name="Đơn vị khác")),
    ]
    together, alone = both_ways(items, sent.peer, monkeypatch)
    assert together == alone
    assert [(r[0], r[2]) for r in together["receipts"]] == [
        (True, ""), (False, "hash_mismatch"), (False, "unknown_document"), (False, "unknown_document")]
    assert "Văn bản này không gửi cho 000.00.12.Q10" in together["receipts"][3][3]
    assert [row[3] for row in together["trail"]] == ["arrived"]
    verbs = [row[2] for row in together["audit"]]
    assert (verbs.count("exchange.envelope.refused"), verbs.count("exchange.envelope.accepted")) == (3, 1)


def _id(sent: Sent) -> edxml.DocumentId:
    found = edxml.DocumentId.parse(outgoing.document_id_of(sent.document))
    assert found is not None
    return found


def test_a_recall_in_a_batch_is_concluded_alone_in_its_place(cast, sent, monkeypatch):
    s = sent.statuses
    division = cast.division.code
    recall = signed(s[division, "01"], code=edxml.StatusCode.RECALL_REQUESTED, description="Thu hồi")
    items = [signed(s[division, "01"]), recall, signed(s[division, "03"])]
    together, alone = both_ways(items, sent.peer, monkeypatch)
    assert together == alone


def test_a_batch_that_fails_is_undone_and_each_status_concluded_alone(cast, sent, monkeypatch):
    s = sent.statuses
    division, province = cast.division.code, cast.province.code
    items = [signed(s[division, "01"]), signed(s[province, "01"]), signed(s[division, "03"])]
    applied = delivery_batch.apply_statuses

    def failing(**kwargs):
        applied(**kwargs)  # its rows written, then undone with the batch's savepoint
        raise RuntimeError("disk full")

    monkeypatch.setattr(delivery_batch, "apply_statuses", failing)
    together, alone = both_ways(items, sent.peer, monkeypatch)
    assert together == alone
    assert len(together["trail"]) == 3


def test_a_batch_of_statuses_takes_the_same_statements_however_many_it_carries(cast, sent, monkeypatch):
    """Fails before decision 0038: each status took about seventeen statements of its own."""
    s = sent.statuses
    division, province = cast.division.code, cast.province.code
    # what the first envelope of a signer notes once (its CRL URLs): not counted
    assert not receiving.receive(signed(s[division, "01"], document_sha256="1" * 64), transport="http",
                                 peer=sent.peer).accepted
    counts = []
    for items in ([signed(s[division, "03"]), signed(s[province, "03"])],  # the same two signers, recipients moved
                  [signed(s[division, "01"]), signed(s[province, "01"]), signed(s[division, "03"]),
                   signed(s[province, "03"])]):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    receipts = receiving.receive_many(items, transport="http", peer=sent.peer, at=timezone.now())
                assert all(r is not None and r.accepted for r in receipts)
                counts.append(len(queries))
                raise _Undo
        except _Undo:
            pass
    assert counts[1] == counts[0]
    assert counts[0] <= 30
