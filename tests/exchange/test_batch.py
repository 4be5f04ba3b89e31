"""Batches (decision 0029): several envelopes in one signed request, each checked on its own and answered on its
own — accepted, refused with the receiving unit's signed 02, a twin answered as a duplicate — in one transaction
for the lot, an envelope that fails unexpectedly rolled back alone. The sender takes the messages waiting for
the same peer into its delivery and records each one's outcome: delivered, or failed with the peer's 02 kept as
evidence; one request carries them all. The receiving peer here is this deployment's own Q10 units reached over
HTTP (the test client stands in for the network)."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.test import override_settings
from django.utils import timezone

from tests.outbox_helpers import signed_plan
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents import actions
from vanthu.documents.delivering import deliver_message
from vanthu.documents.models import Direction, Document, MessageKind, OutboxMessage, Recipient
from vanthu.exchange import actions as exchange
from vanthu.exchange import edxml, kept, outgoing, receiving, sealing
from vanthu.exchange.models import BatchClaim, ReceivedEnvelope
from vanthu.exchange.transports import http
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture(autouse=True)
def kept_folder(tmp_path):
    """The kept envelopes' folder of this test alone (exchange/kept.py)."""
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path / "exchange-kept"


pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


def make_peer():
    """This deployment's own Q10 units, seen as a peer over HTTP (its own CA as the trust root)."""
    roots, intermediates = signing.trust_store_der()
    pem = "".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode()
                  for d in [*roots, *intermediates])
    return exchange.add_peer(acting=TEST_FIXTURES, name="Quân khu 10 (qua HTTP)", organ_ids="*.Q10",
                             base_url="http://127.0.0.1:9", trust_roots=pem)


@pytest.fixture
def peer(issued):
    return make_peer()


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    equip_cast(cast, people=(), units=("division",))
    with django_capture_on_commit_callbacks(execute=False):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    document.refresh_from_db()
    return document


def envelope_for(issued, unit) -> bytes:
    message = OutboxMessage.objects.get(document=issued, recipient__unit=unit)
    return outgoing.signed_bytes(message, to=outgoing.organization(unit))


def post_batch(client, cast, envelopes: list[bytes]):
    body = http.encode_batch(envelopes)
    seal = sealing.seal_for(cast.staff)
    headers = http.signed_headers(organ_id=cast.staff.code, body=body, sign=seal.sign,
                                  certificate_der=seal.certificate_der, path=http.BATCH_PATH)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    return client.post(http.BATCH_PATH, data=body, content_type="application/json", **meta)


def incoming(unit) -> int:
    return Document.objects.filter(unit=unit, direction=Direction.INCOMING).count()


def test_a_batch_answers_each_envelope_on_its_own(client, cast, issued, peer):
    good = envelope_for(issued, cast.division)
    other = envelope_for(issued, cast.province)
    tampered = good.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode())
    response = post_batch(client, cast, [good, tampered, other, good])
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["state"] for r in results] == ["accepted", "refused", "accepted", "accepted"]
    assert [r.get("duplicate") for r in results] == [False, None, False, True]
    assert results[1]["code"] == "bad_signature"
    reply = base64.b64decode(results[1]["status"])
    parsed = edxml.parse(reply)
    assert parsed.status is not None
    assert parsed.status.code == edxml.StatusCode.REFUSED
    assert parsed.status.from_.organ_id == cast.division.code
    assert edxml.verify(reply).valid
    assert (incoming(cast.division), incoming(cast.province)) == (1, 1)
    assert sorted(ReceivedEnvelope.objects.values_list("state", flat=True)) == ["accepted", "accepted", "refused"]


def test_a_batch_request_is_authenticated_like_one_envelope(client, cast, issued, peer):
    good = envelope_for(issued, cast.division)
    unsigned = client.post(http.BATCH_PATH, data=http.encode_batch([good]), content_type="application/json")
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "unsigned")
    seal = sealing.seal_for(cast.staff)
    body = http.encode_batch([good])
    headers = http.signed_headers(organ_id=cast.staff.code, body=body, sign=seal.sign,
                                  certificate_der=seal.certificate_der, path=http.BATCH_PATH)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    first = client.post(http.BATCH_PATH, data=body, content_type="application/json", **meta)
    assert first.status_code == 200
    replay = client.post(http.BATCH_PATH, data=body, content_type="application/json", **meta)
    assert (replay.status_code, replay.json()["code"]) == (401, "replayed_request")
    # the single endpoint's signature does not open the batch endpoint (the path is signed)
    single = http.signed_headers(organ_id=cast.staff.code, body=body, sign=seal.sign,
                                 certificate_der=seal.certificate_der)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in single.items() if k != "Content-Type"}
    wrong_path = client.post(http.BATCH_PATH, data=body, content_type="application/json", **meta)
    assert (wrong_path.status_code, wrong_path.json()["code"]) == (401, "bad_signature")
    assert incoming(cast.division) == 1


def test_a_body_that_is_not_a_batch_is_refused(client, cast, issued, peer):
    seal = sealing.seal_for(cast.staff)
    for body in (b"<not-json/>", json.dumps({"format": "other", "envelopes": ["AA=="]}).encode(),
                 json.dumps({"format": http.BATCH_FORMAT, "envelopes": []}).encode()):
        headers = http.signed_headers(organ_id=cast.staff.code, body=body, sign=seal.sign,
                                      certificate_der=seal.certificate_der, path=http.BATCH_PATH)
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(http.BATCH_PATH, data=body, content_type="application/json", **meta)
        assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_an_envelope_that_fails_unexpectedly_is_rolled_back_alone(cast, issued, peer, monkeypatch):
    good = envelope_for(issued, cast.division)
    other = envelope_for(issued, cast.province)
    arrival = receiving._arrival  # what a document brings, together (decision 0043) or alone

    def failing(envelope, *, transport, checked, reads):
        if checked.units[0][1] == cast.province:
            Document.objects.filter(unit=cast.division).update(subject="half-written")  # undone with it
            raise RuntimeError("disk full")
        return arrival(envelope, transport=transport, checked=checked, reads=reads)

    monkeypatch.setattr(receiving, "_arrival", failing)
    receipts = receiving.receive_many([good, other], transport="http", peer=peer)
    assert receipts[0] is not None
    assert receipts[0].accepted
    assert receipts[1] is None  # not applied: its sender tries it again
    assert (incoming(cast.division), incoming(cast.province)) == (1, 0)
    assert not Document.objects.filter(subject="half-written").exists()
    assert ReceivedEnvelope.objects.count() == 1
    monkeypatch.setattr(receiving, "_arrival", arrival)
    again = receiving.receive(other, transport="http", peer=peer)
    assert again.accepted
    assert not again.duplicate
    assert incoming(cast.province) == 1


@pytest.fixture
def outside(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    """The Staff's plan issued to three organ ids the HTTP peer covers: the division's, the province's, and
    one that none of the peer's units has. Three messages wait on the http transport."""
    equip_cast(cast, people=("son",), units=("staff", "division", "province"))
    make_peer()
    from vanthu.org import actions as org

    org.grant_role(person=cast.minh, unit=cast.division, role="clerk", acting=TEST_FIXTURES)
    org.grant_role(person=cast.tam, unit=cast.province, role="clerk", acting=TEST_FIXTURES)
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch liên thông",
                             recipient_organs=[(cast.division.code, "Sư đoàn 301"),
                                               (cast.province.code, "Bộ CHQS tỉnh A"),
                                               ("000.00.99.Q10", "Không có ở đây")])
    from tests.outbox_helpers import checked
    from vanthu.org.models import SigningAuthority

    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(draft_pdf))
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    with django_capture_on_commit_callbacks(execute=False):
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    messages = list(OutboxMessage.objects.filter(document=doc, transport="http").order_by("pk"))
    assert len(messages) == 3
    return doc, messages


@pytest.fixture
def wire(client, monkeypatch):
    """The network: each POST to the peer goes to this deployment's own endpoints through the test client."""
    calls: list[str] = []

    def post(*, base_url, body, headers, timeout=30.0, path=http.PATH):
        calls.append(path)
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(path, data=body, content_type=headers.get("Content-Type", "application/xml"), **meta)
        return http.Answer(response.status_code, response.content)

    monkeypatch.setattr(http, "post", post)
    return calls


@override_settings(EXCHANGE_ANSWER_ARRIVALS=False)  # its statuses 01 as messages (decision 0046)
def test_the_sender_carries_every_message_for_the_peer_in_one_request(cast, outside, wire):
    document, messages = outside
    deliver_message(messages[0].pk)
    assert wire == [http.BATCH_PATH]
    states = {m.address: (m.state, m.failure) for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])}
    assert states == {cast.division.code: ("delivered", ""), cast.province.code: ("delivered", ""),
                      "000.00.99.Q10": ("failed", "refused")}
    assert (incoming(cast.division), incoming(cast.province)) == (1, 1)
    # the peer's signed 02 for the organ id it does not have: verified and kept in the recipient's trail
    nowhere = Recipient.objects.get(document=document, organ_id="000.00.99.Q10")
    assert nowhere.state == Recipient.State.RETURNED
    assert nowhere.trail.filter(verified=True).exists()
    assert not BatchClaim.objects.exists()
    # the other messages' own jobs find them done
    deliver_message(messages[1].pk)
    deliver_message(messages[2].pk)
    assert wire == [http.BATCH_PATH]
    # the statuses 01 the division and the province send back travel together too
    statuses = list(OutboxMessage.objects.filter(kind=MessageKind.STATUS, state=OutboxMessage.State.WAITING)
                    .order_by("pk"))
    assert len(statuses) == 2
    deliver_message(statuses[0].pk)
    assert wire == [http.BATCH_PATH, http.BATCH_PATH]
    assert set(Recipient.objects.filter(document=document).exclude(organ_id="000.00.99.Q10")
               .values_list("state", flat=True)) == {Recipient.State.RECEIVED}


def test_a_message_claimed_by_another_batch_is_left_to_it(cast, outside, wire):
    _document, messages = outside
    BatchClaim.objects.create(message_id=messages[1].pk, claimed_at=timezone.now())
    deliver_message(messages[0].pk)
    assert wire == [http.BATCH_PATH]
    states = dict(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "state"))
    assert states[messages[1].pk] == "waiting"  # the other batch's
    assert states[messages[0].pk] == "delivered"
    assert states[messages[2].pk] == "failed"


@override_settings(EXCHANGE_BATCH=1)
def test_with_batches_off_each_message_is_its_own_request(cast, outside, wire):
    _document, messages = outside
    for message in messages:
        deliver_message(message.pk)
    assert wire == [http.PATH, http.PATH, http.PATH]
    states = sorted(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list("state", flat=True))
    assert states == ["delivered", "delivered", "failed"]


@override_settings(EXCHANGE_ANSWER_ARRIVALS=False)  # its statuses 01 as messages (decision 0046)
def test_a_delivery_tried_again_sends_the_envelopes_it_signed_before(cast, outside, client, monkeypatch):
    """The peer applied the batch but its answer was lost (the sender saw a 503), twice: each next attempt sends
    the same signed envelopes, not built and signed again; the peer answers them from its evidence (one row
    each) and they are no longer kept once answered. Here the peer is this deployment, so its statuses 01 join
    the second batch: lost too, sent again as the same bytes, they are recorded once in the trail."""
    document, messages = outside
    kept.clear()
    bodies: list[bytes] = []

    def post(*, base_url, body, headers, timeout=30.0, path=http.PATH):
        bodies.append(body)
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(path, data=body, content_type=headers.get("Content-Type", "application/xml"), **meta)
        if len(bodies) <= 2:  # applied there, the answer lost on the way back
            return http.Answer(503, b'{"reason": "answer lost"}')
        return http.Answer(response.status_code, response.content)

    monkeypatch.setattr(http, "post", post)
    built: list[int] = []
    signed_bytes, signed_document = outgoing.signed_bytes, outgoing.signed_document

    def counted(message, *, to):
        built.append(message.pk)
        return signed_bytes(message, to=to)

    def counted_document(message, *, to):
        built.append(message.pk)
        return signed_document(message, to=to)

    monkeypatch.setattr(outgoing, "signed_bytes", counted)
    monkeypatch.setattr(outgoing, "signed_document", counted_document)
    ids = {m.pk for m in messages}
    with pytest.raises(RuntimeError):
        deliver_message(messages[0].pk)
    assert sorted(built) == sorted(ids)
    assert kept.held() == kept.filed() == ids
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"waiting"}
    statuses = {m.pk for m in OutboxMessage.objects.filter(kind=MessageKind.STATUS)}
    assert len(statuses) == 2  # the 01s of the division and the province, waiting for this same peer
    kept.forget_memory()  # the delivering worker restarted: the envelopes come from the folder
    with pytest.raises(RuntimeError):
        deliver_message(messages[0].pk)
    assert sorted(built) == sorted(ids | statuses)  # the three documents not built or signed again
    assert http.decode_batch(bodies[1])[:3] == http.decode_batch(bodies[0])
    kept.forget_memory()  # restarted again: the statuses 01 too are sent as the same bytes
    deliver_message(messages[0].pk)
    assert sorted(built) == sorted(ids | statuses)
    assert bodies[2] == bodies[1]
    states = {m.address: (m.state, m.failure) for m in OutboxMessage.objects.filter(pk__in=ids)}
    assert states == {cast.division.code: ("delivered", ""), cast.province.code: ("delivered", ""),
                      "000.00.99.Q10": ("failed", "refused")}
    assert set(OutboxMessage.objects.filter(pk__in=statuses).values_list("state", flat=True)) == {"delivered"}
    assert ReceivedEnvelope.objects.filter(kind="document").count() == 3
    assert (incoming(cast.division), incoming(cast.province)) == (1, 1)
    for organ in (cast.division.code, cast.province.code):
        recipient = Recipient.objects.get(document=document, organ_id=organ)
        assert recipient.state == Recipient.State.RECEIVED
        assert list(recipient.trail.values_list("status", "verified")) == [("arrived", True)]
    assert not (kept.held() | kept.filed()) & (ids | statuses)  # accepted or refused: no longer kept, anywhere


def test_a_kept_envelope_serves_only_what_it_was_made_of(monkeypatch):
    kept.clear()
    kept.keep(7, made_of=kept.mark("key", "seal A"), body=b"<signed/>")
    assert kept.get(7, made_of=kept.mark("key", "seal A")) == b"<signed/>"
    assert kept.get(7, made_of=kept.mark("key", "seal B")) is None  # a renewed seal: built again
    assert kept.get(7, made_of=kept.mark("key", "seal A")) is None  # and the old one dropped
    kept.keep(8, made_of=kept.mark("k"), body=b"x")
    monkeypatch.setattr(kept, "KEEP_SECONDS", -1.0)
    assert kept.get(8, made_of=kept.mark("k")) is None  # too old
    monkeypatch.setattr(kept, "KEEP_SECONDS", 1800.0)
    monkeypatch.setattr(kept, "KEEP_BYTES", 12)
    kept.clear()
    for message_id in (1, 2, 3, 4):
        kept.keep(message_id, made_of=b"m", body=b"abc")
    assert kept.held() == {1, 2, 3, 4}
    kept.keep(5, made_of=b"m", body=b"def")
    assert kept.held() == {2, 3, 4, 5}  # over the room: the oldest goes first
    kept.keep(6, made_of=b"m", body=b"too long")
    assert 6 not in kept.held()  # one envelope may take a quarter of the room at most
    kept.forget([2, 3])
    assert kept.held() == {4, 5}
    kept.clear()


def test_a_kept_envelope_outlives_the_process(kept_folder, monkeypatch):
    """A restarted worker (its memory gone) finds the envelope in the folder, under the same mark only; an old
    file is not used, and is swept."""
    kept.clear()
    kept.keep(7, made_of=kept.mark("key", "seal A"), body=b"<signed/>")
    assert (kept_folder / "7.env").exists()
    kept.forget_memory()
    assert kept.get(7, made_of=kept.mark("key", "seal A")) == b"<signed/>"
    kept.forget_memory()
    assert kept.get(7, made_of=kept.mark("key", "seal B")) is None  # another mark: built again
    assert not (kept_folder / "7.env").exists()  # and the file removed
    kept.keep(8, made_of=b"m", body=b"x")
    kept.forget([8])
    assert not (kept_folder / "8.env").exists()  # an outcome known: gone from the folder too
    kept.keep(9, made_of=b"m", body=b"y")
    kept.forget_memory()
    monkeypatch.setattr(kept, "KEEP_SECONDS", -1.0)
    assert kept.get(9, made_of=b"m") is None  # too old
    kept.forget_memory()
    monkeypatch.setattr(kept, "KEEP_SECONDS", 1800.0)
    kept.keep(10, made_of=b"m", body=b"z")
    monkeypatch.setattr(kept, "KEEP_SECONDS", -1.0)
    monkeypatch.setattr(kept, "_swept", [0.0])
    kept.keep(11, made_of=b"m", body=b"w")  # sweeps the folder: every file is too old now
    assert not list(kept_folder.glob("*.env"))
    kept.clear()


@override_settings(EXCHANGE_BATCH=2)
def test_a_second_worker_fills_its_batch_with_messages_no_batch_in_flight_holds(cast, outside, wire):
    """Pipelining (decision 0041): while one worker's batch is in flight, another worker's batch takes the
    messages after it, not the claimed ones (which it could not send, leaving its own message alone)."""
    _document, messages = outside
    BatchClaim.objects.create(message_id=messages[1].pk, claimed_at=timezone.now())
    deliver_message(messages[0].pk)
    assert wire == [http.BATCH_PATH]  # messages 0 and 2 together, not message 0 alone
    states = dict(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "state"))
    assert states == {messages[0].pk: "delivered", messages[1].pk: "waiting", messages[2].pk: "failed"}


def test_a_job_whose_message_is_in_a_batch_in_flight_carries_the_next_batch_meanwhile(cast, outside, wire,
                                                                                      monkeypatch):
    """Pipelining (decision 0041): the job of a message another worker's batch holds does not wait idle: it
    carries the messages no batch holds, then waits for its own message's outcome."""
    from vanthu.exchange import sending

    _document, messages = outside
    BatchClaim.objects.create(message_id=messages[0].pk, claimed_at=timezone.now())  # in flight elsewhere
    monkeypatch.setattr(sending, "WAIT_SECONDS", 0.3)  # that batch does not end during the test
    with pytest.raises(RuntimeError, match="another worker's batch"):
        deliver_message(messages[0].pk)
    assert wire == [http.BATCH_PATH]  # messages 1 and 2, carried meanwhile
    states = dict(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "state"))
    assert states == {messages[0].pk: "waiting", messages[1].pk: "delivered", messages[2].pk: "failed"}
    assert incoming(cast.province) == 1
    assert list(BatchClaim.objects.values_list("message_id", flat=True)) == [messages[0].pk]  # only the other's


def test_a_companion_whose_document_waits_for_its_long_term_signature_is_left_to_its_own_job(cast, outside):
    """The batch leaves out what `long_term.holds_delivery` holds, read with the companions themselves: the
    statements do not grow with them (the narrow rows chosen from, the active peers, the chosen rows read whole,
    their attachments)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanthu.documents.models import LongTermSignature, LongTermState
    from vanthu.exchange import sending
    from vanthu.exchange.models import Peer

    document, messages = outside
    peer = Peer.objects.get()
    with CaptureQueriesContext(connection) as queries:
        companions = sending._companions(messages[0], peer)
    assert [c.pk for c in companions] == [m.pk for m in messages[1:]]
    assert len(queries) == 4
    record = LongTermSignature.objects.create(document=document, target="B-LT", level="B-T",
                                              sealed_file_id=document.current_file_id)
    assert sending._companions(messages[0], peer) == []
    record.state = LongTermState.FAILED  # a failed enrichment releases the deliveries, as `holds_delivery` says
    record.save()
    assert [c.pk for c in sending._companions(messages[0], peer)] == [m.pk for m in messages[1:]]
