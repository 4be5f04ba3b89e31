"""The receive pipeline refuses what it cannot verify — a tampered envelope, a tampered PDF, an unknown sender,
a sender outside the peer that sent it, a secrecy mark above the peer's, an oversize envelope — keeping the
evidence with a readable reason, and no document reaches the division's queue; the same envelope twice (or the
same document signed twice) gives one document. The HTTP endpoint checks the request's signature, freshness
and nonce before the pipeline runs, and answers a refusal with the division's signed status 02."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.test import override_settings

from tests.outbox_helpers import signed_plan
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents import actions
from vanthu.documents.models import Direction, Document, OutboxMessage
from vanthu.exchange import actions as exchange
from vanthu.exchange import edxml, outgoing, receiving, sealing
from vanthu.exchange.models import ReceivedEnvelope
from vanthu.exchange.transports import http
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    """The Staff's plan, issued; its messages wait (no job ran)."""
    document = signed_plan(cast, doc_types, draft_pdf)
    equip_cast(cast, people=(), units=("division",))
    with django_capture_on_commit_callbacks(execute=False):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    document.refresh_from_db()
    return document


@pytest.fixture
def envelope(cast, issued) -> bytes:
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    return outgoing.signed_bytes(message, to=outgoing.organization(cast.division))


@pytest.fixture
def own_ca_pem() -> str:
    """This deployment's CA certificates, as `vanthu peers self` prints them for another deployment."""
    roots, intermediates = signing.trust_store_der()
    return "".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode()
                   for d in [*roots, *intermediates])


def arrived(cast) -> int:
    return Document.objects.filter(unit=cast.division, direction=Direction.INCOMING).count()


def refused(receipt: receiving.Receipt, code: str) -> ReceivedEnvelope:
    assert not receipt.accepted
    assert receipt.code == code, receipt.reason
    row = ReceivedEnvelope.objects.get(pk=receipt.envelope.pk)
    assert row.state == "refused"
    assert row.reason
    return row


def test_a_valid_envelope_is_accepted_once_even_signed_twice(cast, issued, envelope):
    first = receiving.receive(envelope, transport="local")
    assert first.accepted
    again = receiving.receive(envelope, transport="local")
    assert again.duplicate
    assert again.incoming == first.incoming
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    later = outgoing.envelope_of(issued, to=outgoing.organization(cast.division))
    later = dataclasses.replace(later, trace=(edxml.TraceHeader(organ_id=cast.staff.code,
                                                                timestamp=dt.datetime(2027, 1, 2, 8, 0)),))
    resigned = outgoing.sign_as(message.unit, edxml.build_document(later))  # new bytes, the same document
    assert resigned != envelope
    assert receiving.receive(resigned, transport="local").accepted
    assert arrived(cast) == 1
    assert ReceivedEnvelope.objects.count() == 2


def test_a_tampered_envelope_is_refused_and_kept_as_evidence(cast, envelope):
    """Checklist point 24."""
    tampered = envelope.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode())
    row = refused(receiving.receive(tampered, transport="local"), "bad_signature")
    assert "sửa sau khi ký" in row.reason
    assert row.raw.read_bytes() == tampered
    assert (row.from_organ, row.unit) == ("000.00.02.Q10", cast.division)
    assert arrived(cast) == 0


def test_a_tampered_pdf_signed_into_a_good_envelope_is_refused(cast, issued):
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    good = outgoing.envelope_of(issued, to=outgoing.organization(cast.division))
    pdf = good.attachments[0].data
    position = pdf.index(b"/Contents", len(pdf) // 3)
    bad_pdf = pdf[:position - 40] + bytes([pdf[position - 40] ^ 0x01]) + pdf[position - 39:]
    bad = dataclasses.replace(good, attachments=(dataclasses.replace(good.attachments[0], data=bad_pdf),))
    data = outgoing.sign_as(message.unit, edxml.build_document(bad))
    row = refused(receiving.receive(data, transport="local"), "bad_pdf_signature")
    assert "không hợp lệ" in row.reason
    assert arrived(cast) == 0


def test_an_unknown_sender_is_refused(cast, envelope):
    refused(receiving.receive(envelope, transport="http"), "unknown_sender")  # no peer covers *.Q10
    assert arrived(cast) == 0


def test_a_sender_outside_the_peer_that_sent_it_is_refused(cast, envelope, own_ca_pem):
    other = exchange.add_peer(acting=TEST_FIXTURES, name="Quân khu 11", organ_ids="*.Q11",
                              base_url="http://127.0.0.1:9", trust_roots=own_ca_pem)
    refused(receiving.receive(envelope, transport="http", peer=other), "unknown_sender")
    assert arrived(cast) == 0


def test_a_peer_whose_roots_do_not_certify_the_seal_is_refused(cast, envelope, staff_key):
    foreign = staff_key.certificate  # a self-signed certificate: some other CA
    exchange.add_peer(acting=TEST_FIXTURES, name="Giả mạo", organ_ids="*.Q10", base_url="http://127.0.0.1:9",
                      trust_roots=foreign.public_bytes(Encoding.PEM).decode())
    refused(receiving.receive(envelope, transport="http"), "untrusted")
    assert arrived(cast) == 0


def test_secrecy_above_the_peers_level_is_refused(cast, issued, own_ca_pem):
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    good = outgoing.envelope_of(issued, to=outgoing.organization(cast.division))
    marked = dataclasses.replace(good, header=dataclasses.replace(
        good.header, other=dataclasses.replace(good.header.other, security_level=1)))
    data = outgoing.sign_as(message.unit, edxml.build_document(marked))
    exchange.add_peer(acting=TEST_FIXTURES, name="Quân khu 10 (qua HTTP)", organ_ids="*.Q10",
                      base_url="http://127.0.0.1:9", trust_roots=own_ca_pem, max_secrecy=0)
    refused(receiving.receive(data, transport="http"), "secrecy")
    assert arrived(cast) == 0


def test_an_oversize_envelope_is_refused_keeping_its_head(cast, envelope):
    with override_settings(EXCHANGE_MAX_BYTES=4096):
        row = refused(receiving.receive(envelope, transport="local"), "oversize")
    assert row.raw.size <= 64 * 1024
    assert arrived(cast) == 0


# --- the HTTP endpoint --------------------------------------------------------------------------------------


@pytest.fixture
def peer(own_ca_pem):
    """This deployment's own Q10 units, seen as a peer over HTTP (its own CA as the trust root)."""
    return exchange.add_peer(acting=TEST_FIXTURES, name="Quân khu 10 (qua HTTP)", organ_ids="*.Q10",
                             base_url="http://127.0.0.1:9", trust_roots=own_ca_pem)


def post(client, cast, body: bytes, **overrides: str):
    seal = sealing.seal_for(cast.staff)
    headers = http.signed_headers(organ_id=cast.staff.code, body=body, sign=seal.sign,
                                  certificate_der=seal.certificate_der)
    headers.update(overrides)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    return client.post(http.PATH, data=body, content_type="application/xml", **meta), headers


def test_http_accepts_a_signed_request_and_answers_a_duplicate_the_same(client, cast, envelope, peer):
    response, _headers = post(client, cast, envelope)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    again, _headers = post(client, cast, envelope)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert arrived(cast) == 1


def test_http_refuses_a_reused_nonce_a_stale_timestamp_and_a_bad_request_signature(client, cast, envelope, peer):
    first, headers = post(client, cast, envelope)
    assert first.status_code == 200
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    replay = client.post(http.PATH, data=envelope, content_type="application/xml", **meta)
    assert (replay.status_code, replay.json()["code"]) == (401, "replayed_request")
    stale, _ = post(client, cast, envelope, **{http.H_TIME: "1000000000"})
    assert (stale.status_code, stale.json()["code"]) == (401, "stale")
    forged, _ = post(client, cast, envelope + b" ", **{})
    assert forged.status_code == 200  # a new body, signed anew, is a new request: the same document, once
    assert arrived(cast) == 1
    seal = sealing.seal_for(cast.staff)
    headers = http.signed_headers(organ_id=cast.staff.code, body=b"other", sign=seal.sign,
                                  certificate_der=seal.certificate_der)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    mismatched = client.post(http.PATH, data=envelope, content_type="application/xml", **meta)
    assert (mismatched.status_code, mismatched.json()["code"]) == (401, "bad_signature")


def test_http_refusal_answers_with_a_signed_status_02(client, cast, envelope, peer):
    tampered = envelope.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode())
    response, _headers = post(client, cast, tampered)
    assert response.status_code == 422
    parsed = edxml.parse(response.content)
    assert parsed.status is not None
    assert parsed.status.code == edxml.StatusCode.REFUSED
    assert "sửa sau khi ký" in parsed.status.description
    assert parsed.status.from_.organ_id == cast.division.code
    assert edxml.verify(response.content).valid
    assert re.search(r"000\.00\.02\.Q10", parsed.status.response_for.document_id)
