"""The statuses 01 carried in a batch's answer (decision 0046): a sender that asks gets, with each document the peer
accepted, the 01 its receiving unit signed, verified and recorded in its trail; the receiver's 01 message is then
delivered (no request of its deliverer carries it). A lost answer: the same delivery again gets the same bytes
(one trail row). A sender that does not ask gets the 01s as messages, as before. A 01 that does not verify is
refused as evidence; the documents stay delivered. The peer is this deployment's own Q10 units over HTTP (the
test client stands in for the network), so one database holds both sides."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.exchange.test_batch import incoming, kept_folder, outside  # noqa: F401 (fixtures)
from vanthu.documents.delivering import deliver_message
from vanthu.documents.models import MessageKind, MessageStatus, OutboxMessage, Recipient
from vanthu.exchange import answering, edxml, kept, outgoing, receiving, sealing, sending
from vanthu.exchange.models import AnsweredArrival, BatchClaim, ReceivedEnvelope
from vanthu.exchange.transports import http

pytestmark = pytest.mark.usefixtures("seals")


def arrivals() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=MessageKind.STATUS, status=MessageStatus.ARRIVED).order_by("pk"))


def trail(document, cast) -> dict[str, list[tuple[str, bool]]]:
    return {organ: list(Recipient.objects.get(document=document, organ_id=organ).trail
                        .values_list("status", "verified"))
            for organ in (cast.division.code, cast.province.code)}


@pytest.fixture
def answers(client, monkeypatch):
    """The network, keeping each answer's body; `lose` answers the first N requests 503 after they were applied."""
    seen: list[dict] = []
    lose = [0]
    tamper: list = []

    def post(*, base_url, body, headers, timeout=30.0, path=http.PATH):
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(path, data=body, content_type=headers.get("Content-Type", "application/xml"), **meta)
        content = response.content
        if path == http.BATCH_PATH and response.status_code == 200:
            envelopes, asked = http.decode_batch_request(body)
            seen.append({"asked": asked, "envelopes": envelopes, **json.loads(content)})
            if tamper:
                content = json.dumps(tamper[0](json.loads(content))).encode()
        if lose[0] > 0:
            lose[0] -= 1
            return http.Answer(503, b'{"reason": "answer lost"}')
        return http.Answer(response.status_code, content)

    monkeypatch.setattr(http, "post", post)
    return seen, lose, tamper


def test_the_statuses_01_come_in_the_answer_verified_and_on_the_trail(cast, outside, answers, enqueued):  # noqa: F811
    document, messages = outside
    seen, _lose, _tamper = answers
    deliver_message(messages[0].pk)
    assert len(seen) == 1
    assert seen[0]["asked"]
    results = seen[0]["results"]
    accepted = [r for r in results if r["state"] == "accepted"]
    assert len(accepted) == 2
    assert all(len(r["statuses"]) == 1 for r in accepted)
    for result in accepted:
        status = base64.b64decode(result["statuses"][0])
        parsed = edxml.parse(status)
        assert parsed.status is not None
        assert parsed.status.code == edxml.StatusCode.ARRIVED
        assert edxml.verify(status).valid
    # the receiver's 01s: delivered in the answer, their bytes kept, no job, no claim left
    statuses = arrivals()
    assert [m.state for m in statuses] == ["delivered", "delivered"]
    assert set(AnsweredArrival.objects.values_list("message_id", flat=True)) == {m.pk for m in statuses}
    assert not set(enqueued) & {m.pk for m in statuses}
    assert not BatchClaim.objects.exists()
    # the sender's trail: each 01 verified, its evidence the signed status received
    assert trail(document, cast) == {cast.division.code: [("arrived", True)], cast.province.code: [("arrived", True)]}
    assert ReceivedEnvelope.objects.filter(kind="status", state="accepted", status_code="01").count() == 2
    states = {m.address: m.state for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])}
    assert states[cast.division.code] == states[cast.province.code] == "delivered"
    # their jobs, if any ran, send nothing more
    for message in statuses:
        deliver_message(message.pk)
    assert len(seen) == 1


def test_a_lost_answer_gets_the_same_statuses_again_recorded_once(cast, outside, answers):  # noqa: F811
    document, messages = outside
    seen, lose, _tamper = answers
    lose[0] = 1  # applied there; the answer lost on the way back
    with pytest.raises(RuntimeError):
        deliver_message(messages[0].pk)
    assert trail(document, cast) == {cast.division.code: [], cast.province.code: []}
    assert [m.state for m in arrivals()] == ["delivered", "delivered"]  # in the answer that was lost
    deliver_message(messages[0].pk)
    assert len(seen) == 2
    first, again = ([r.get("statuses") for r in answer["results"] if r["state"] == "accepted"] for answer in seen)
    assert [r.get("duplicate") for r in seen[1]["results"] if r["state"] == "accepted"] == [True, True]
    assert again == first  # the same signed bytes
    assert all(first)
    assert trail(document, cast) == {cast.division.code: [("arrived", True)], cast.province.code: [("arrived", True)]}
    assert AnsweredArrival.objects.count() == 2


def test_a_delivery_of_the_same_document_in_other_bytes_gets_the_01_answered_before(
        cast, outside, answers, monkeypatch):  # noqa: F811
    document, messages = outside
    seen, lose, _tamper = answers
    lose[0] = 1
    with pytest.raises(RuntimeError):
        deliver_message(messages[0].pk)
    import datetime as dt

    from vanthu.exchange import kept, outgoing

    kept.clear()  # the sender builds and signs its envelopes again: other bytes, the same documents
    later = outgoing.vn_now() + dt.timedelta(minutes=1)  # a later second in the trace (a build within the same
    monkeypatch.setattr(outgoing, "vn_now", lambda: later)  # second gives the same bytes: envelopes are deterministic)
    deliver_message(messages[0].pk)
    first, again = ([r.get("statuses") for r in answer["results"] if r["state"] == "accepted"] for answer in seen)
    assert [r.get("duplicate") for r in seen[1]["results"] if r["state"] == "accepted"] == [False, False]
    assert again == first
    assert all(first)
    assert trail(document, cast) == {cast.division.code: [("arrived", True)], cast.province.code: [("arrived", True)]}


@override_settings(EXCHANGE_ANSWER_ARRIVALS=False)
def test_a_sender_that_does_not_ask_gets_its_statuses_as_messages(cast, outside, answers, enqueued):  # noqa: F811
    document, messages = outside
    seen, _lose, _tamper = answers
    deliver_message(messages[0].pk)
    assert not seen[0]["asked"]
    assert all("statuses" not in r for r in seen[0]["results"])
    statuses = arrivals()
    assert [m.state for m in statuses] == ["waiting", "waiting"]
    assert {m.pk for m in statuses} <= set(enqueued)  # each with its delivery job, as before
    assert not AnsweredArrival.objects.exists()
    assert trail(document, cast) == {cast.division.code: [], cast.province.code: []}
    deliver_message(statuses[0].pk)  # the receiver's deliverer carries them
    assert [m.state for m in arrivals()] == ["delivered", "delivered"]
    assert trail(document, cast) == {cast.division.code: [("arrived", True)], cast.province.code: [("arrived", True)]}


def test_a_status_that_cannot_be_signed_for_the_answer_goes_as_a_message(
        cast, outside, answers, enqueued, monkeypatch):  # noqa: F811
    document, messages = outside
    seen, _lose, _tamper = answers
    signed_for = sending.signed_for

    def refusing(message, **kwargs):
        if message.kind == MessageKind.STATUS:
            raise RuntimeError("the seal's store is down")
        return signed_for(message, **kwargs)

    monkeypatch.setattr(sending, "signed_for", refusing)
    deliver_message(messages[0].pk)
    assert all(r.get("statuses") == [] for r in seen[0]["results"] if r["state"] == "accepted")
    statuses = arrivals()
    assert [m.state for m in statuses] == ["waiting", "waiting"]
    assert {m.pk for m in statuses} <= set(enqueued)  # their jobs enqueued after the answer
    assert not BatchClaim.objects.exists()
    assert not AnsweredArrival.objects.exists()
    monkeypatch.setattr(sending, "signed_for", signed_for)
    deliver_message(statuses[0].pk)
    assert trail(document, cast) == {cast.division.code: [("arrived", True)], cast.province.code: [("arrived", True)]}


def test_the_statuses_01_are_claimed_from_their_writing_to_the_answer(cast, outside, answers,  # noqa: F811
                                                                    monkeypatch):
    _document, messages = outside
    arrivals_for = answering.arrivals_for
    claimed_at_commit: list[set[int]] = []

    def watched(receipts, **kwargs):  # the batch's transaction is over; nothing of the answer done yet
        claimed_at_commit.append(set(BatchClaim.objects.values_list("message_id", flat=True)))
        return arrivals_for(receipts, **kwargs)

    monkeypatch.setattr(answering, "arrivals_for", watched)
    deliver_message(messages[0].pk)
    statuses = {m.pk for m in arrivals()}
    assert [m.state for m in arrivals()] == ["delivered", "delivered"]
    assert len(claimed_at_commit) == 1
    assert statuses <= claimed_at_commit[0]  # a deliverer's batch leaves them to the answer
    assert not BatchClaim.objects.exists()


def test_a_status_held_by_a_deliverers_batch_is_left_to_it(cast, outside, answers, enqueued, client):  # noqa: F811
    _document, messages = outside
    seen, lose, _tamper = answers
    lose[0] = 1
    with override_settings(EXCHANGE_ANSWER_ARRIVALS=False), pytest.raises(RuntimeError):
        deliver_message(messages[0].pk)  # applied there, the 01s written as messages; the answer lost
    first, second = arrivals()
    BatchClaim.objects.create(message_id=first.pk, claimed_at=timezone.now())  # a deliverer's batch
    enqueued.clear()
    # the same envelopes again, asking: answered from the evidence, with the 01s still waiting there
    body = http.encode_batch(seen[0]["envelopes"], answer_arrivals=True)
    seal = sealing.seal_for(cast.staff)
    headers = http.signed_headers(organ_id=cast.staff.code, body=body, sign=seal.sign,
                                  certificate_der=seal.certificate_der, path=http.BATCH_PATH)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    results = client.post(http.BATCH_PATH, data=body, content_type="application/json", **meta).json()["results"]
    accepted = [r["statuses"] for r in results if r["state"] == "accepted"]
    assert sorted(len(s) for s in accepted) == [0, 1]
    states = {m.pk: m.state for m in arrivals()}
    assert states == {first.pk: "waiting", second.pk: "delivered"}
    assert first.pk in enqueued
    assert list(BatchClaim.objects.values_list("message_id", flat=True)) == [first.pk]  # the batch's own
    assert AnsweredArrival.objects.get().message_id == second.pk


def test_a_status_01_that_does_not_verify_is_refused_and_the_documents_stay_delivered(cast, outside, answers):  # noqa: F811
    document, messages = outside
    _seen, _lose, tamper = answers

    def altered(answer):
        for result in answer["results"]:
            for index, status in enumerate(result.get("statuses", [])):
                data = base64.b64decode(status)
                signed_value = data.index(b"SignatureValue>") + len(b"SignatureValue>")
                flipped = b"A" if data[signed_value:signed_value + 1] != b"A" else b"B"
                data = data[:signed_value] + flipped + data[signed_value + 1:]  # another signature
                result["statuses"][index] = base64.b64encode(data).decode()
        return answer

    tamper.append(altered)
    deliver_message(messages[0].pk)
    states = {m.address: (m.state, m.failure) for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])}
    assert states[cast.division.code] == states[cast.province.code] == ("delivered", "")
    refused = list(ReceivedEnvelope.objects.filter(kind="status", state="refused").values_list("reason_code",
                                                                                              flat=True))
    assert refused == ["bad_signature", "bad_signature"]
    assert trail(document, cast) == {cast.division.code: [], cast.province.code: []}
    for organ in (cast.division.code, cast.province.code):  # delivered: received, whatever the 01 said
        assert Recipient.objects.get(document=document, organ_id=organ).state == Recipient.State.RECEIVED
    assert incoming(cast.division) == incoming(cast.province) == 1


def test_a_batch_that_asks_for_the_statuses_reads_as_the_json_parser_reads_it():
    envelopes = [b"<a/>", b"<b>\xc4\x91</b>"]
    for asks in (False, True):
        body = http.encode_batch(envelopes, answer_arrivals=asks)
        expected = {"format": http.BATCH_FORMAT, "envelopes": [base64.b64encode(e).decode() for e in envelopes]}
        if asks:
            expected["answer"] = "01"
        assert json.loads(body) == expected
        assert http._decode_as_written(body) == envelopes  # the fast path
        assert http.decode_batch_request(body) == (envelopes, asks)
        assert http.decode_batch_request(json.dumps(expected).encode()) == (envelopes, asks)  # the parser's path


def test_the_statuses_01_signed_for_the_answer_are_not_written_to_the_kept_folder(
        cast, outside, answers, monkeypatch):  # noqa: F811
    """Their bytes leave only once `record_answered` has kept them with the delivery: no file written (and removed)
    for each between attempts, as the deliverer writes one for what it sends before its outcome is known."""
    _document, messages = outside
    seen, _lose, _tamper = answers
    written: list[int] = []
    write = kept._write

    def watched(message_id, **kwargs):
        written.append(message_id)
        return write(message_id, **kwargs)

    monkeypatch.setattr(kept, "_write", watched)
    deliver_message(messages[0].pk)
    statuses = arrivals()
    assert [m.state for m in statuses] == ["delivered", "delivered"]
    assert {m.pk for m in messages} <= set(written)  # the sender's envelopes, kept until their outcome
    assert not {m.pk for m in statuses} & set(written)
    assert not kept.filed()
    assert not {m.pk for m in statuses} & kept.held()
    answered = [r["statuses"][0] for r in seen[0]["results"] if r["state"] == "accepted"]
    assert sorted(base64.b64decode(a) for a in answered) == sorted(
        bytes(b) for b in AnsweredArrival.objects.values_list("body", flat=True))


@override_settings(EXCHANGE_ANSWER_ARRIVALS=False)
def test_a_01_signed_for_the_answer_is_the_one_a_deliverers_attempt_kept(cast, outside, answers):  # noqa: F811
    """`signed_for(keep=False)` (the answer's): an envelope kept from an attempt whose outcome is open is used as it
    is (the same bytes, recorded once by the sender); one built now is not kept."""
    _document, messages = outside
    deliver_message(messages[0].pk)  # the documents there; their 01s wait here as messages
    first, second = arrivals()
    alone = sending.signed_for(first, keep=False)
    assert edxml.verify(alone).valid
    assert first.pk not in kept.held()
    assert first.pk not in kept.filed()
    sent = sending.signed_for(second)  # its deliverer's attempt: kept until its outcome is known
    assert second.pk in kept.held()
    assert second.pk in kept.filed()
    assert sending.signed_for(second, keep=False) == sent
    kept.forget_memory()  # another process: the file
    assert sending.signed_for(second, keep=False) == sent


def _companions_in_one_read(message, peer):
    """The companions as one read chose them before (the rows with all they join, in one statement): the
    reference the narrow read and the whole rows after it must give."""
    from vanthu.documents.actions import long_term

    rows = (OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING, transport=message.transport)
            .exclude(pk=message.pk).exclude(pk__in=BatchClaim.objects.values("message_id")).order_by("pk"))
    active = list(receiving.Peer.objects.filter(is_active=True))
    return [row.pk for row in rows[:24] if receiving.peer_for(row.address, among=active) == peer
            and not (row.kind == MessageKind.DOCUMENT and (row.document.secrecy > peer.max_secrecy
                                                           or long_term.holds_delivery(row.document_id)))]


@override_settings(EXCHANGE_ANSWER_ARRIVALS=False)
def test_the_companions_are_chosen_narrow_then_read_whole(cast, outside, answers):  # noqa: F811
    """The same companions as one read of the whole rows chose, in the same order; a document's attachments read
    with it, a status's not (it has none to read)."""
    _document, messages = outside
    peer = receiving.peer_for(messages[0].address)
    assert peer is not None
    found = sending._companions(messages[0], peer)
    assert [m.pk for m in found] == _companions_in_one_read(messages[0], peer) == [m.pk for m in messages[1:]]
    assert all(hasattr(m.document, outgoing.ATTACHMENTS) for m in found)
    assert found[0].unit.parent_id is None or found[0].unit.parent is not None  # read with it
    BatchClaim.objects.create(message_id=messages[2].pk, claimed_at=timezone.now())  # another batch holds it
    assert [m.pk for m in sending._companions(messages[0], peer)] == [messages[1].pk]
    BatchClaim.objects.all().delete()
    deliver_message(messages[0].pk)  # the documents there; their 01s wait here as messages, to this peer
    statuses = arrivals()
    assert [m.state for m in statuses] == ["waiting", "waiting"]
    found = sending._companions(statuses[0], peer)
    assert [m.pk for m in found] == _companions_in_one_read(statuses[0], peer) == [statuses[1].pk]
    assert not hasattr(found[0].document, outgoing.ATTACHMENTS)
    assert found[0].recipient_id is None or found[0].recipient is not None
