"""The certificate that signed an envelope is checked for revocation before anything reaches a register: this
deployment's own records on the local transport; for a peer, the CRL its certificates declare, kept by the
hourly job (fetched from a real HTTP server on 127.0.0.1 here) — never fetched inside the request. A revoked
signer is refused with status 02; a CRL not fetched yet leaves "unknown" in the evidence and queues its fetch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import threading

import pytest
from cryptography import x509

from tests.exchange.test_receiving import arrived, envelope, issued, own_ca_pem, peer, post  # noqa: F401
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents.models import OutboxMessage
from vanthu.exchange import actions as exchange
from vanthu.exchange import edxml, jobs, outgoing, receiving, revocation, sealing
from vanthu.exchange.models import PeerCrl, ReceivedEnvelope
from vanthu.signing import actions as signing_actions
from vanthu.signing import pki
from vanthu.signing.models import Certificate, CertStatus

pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


def staff_seal(cast) -> Certificate:
    return Certificate.objects.get(unit=cast.staff, status=CertStatus.ACTIVE)


def revoke(cast) -> Certificate:
    return signing_actions.revoke_certificate(certificate=staff_seal(cast), reason="keyCompromise",
                                              acting=TEST_FIXTURES)


def resigned(cast, document) -> bytes:
    """The same document in new envelope bytes (a later trace time), signed by the Staff's open seal."""
    message = OutboxMessage.objects.get(document=document, recipient__unit=cast.division)
    later = outgoing.envelope_of(document, to=outgoing.organization(cast.division))
    later = dataclasses.replace(later, trace=(edxml.TraceHeader(organ_id=cast.staff.code,
                                                                timestamp=dt.datetime(2027, 1, 4, 8, 0)),))
    return outgoing.sign_as(message.unit, edxml.build_document(later))


def test_local_envelope_signed_by_a_revoked_seal_is_refused(cast, issued, envelope):  # noqa: F811
    sealing.seal_for(cast.staff)  # opened before the revocation (the exchange keeps seals open)
    revoke(cast)
    receipt = receiving.receive(resigned(cast, issued), transport="local")
    assert not receipt.accepted
    assert receipt.code == "revoked"
    assert "thu hồi" in receipt.reason
    assert ReceivedEnvelope.objects.get(pk=receipt.envelope.pk).revocation == "revoked"
    assert arrived(cast) == 0


def test_local_envelope_of_a_good_seal_says_good(cast, envelope):  # noqa: F811
    receipt = receiving.receive(envelope, transport="local")
    assert receipt.accepted
    assert receipt.envelope.revocation == "good"


def test_peer_crl_unknown_then_fetched_then_revoked(client, cast, issued, envelope, peer,  # noqa: F811
                                                    django_capture_on_commit_callbacks):
    seal_der = bytes(staff_seal(cast).der)
    urls = revocation.crl_urls(x509.load_der_x509_certificate(seal_der))
    assert len(urls) == 1
    assert urls[0].endswith(".crl")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response, _headers = post(client, cast, envelope)
    assert response.status_code == 200, response.content
    row = ReceivedEnvelope.objects.get(sha256=response.json()["envelope"])
    assert row.revocation == "unknown"  # no CRL kept yet: soft-fail, noted
    crl_row = PeerCrl.objects.get(peer=peer)
    assert crl_row.url == urls[0]
    assert bytes(crl_row.der) == b""
    assert queued  # its fetch is queued after the commit, not done in the request

    ca = staff_seal(cast).issued_by
    revoke(cast)
    exchange.store_crl(row=crl_row, der=pki.crl_der(ca), next_update=None)
    response, _headers = post(client, cast, resigned(cast, issued))
    assert response.status_code == 422
    assert "thu hồi" in edxml.parse(response.content).status.description  # the signed 02's reason
    refused = ReceivedEnvelope.objects.filter(state="refused").get()
    assert (refused.reason_code, refused.revocation) == ("revoked", "revoked")
    assert arrived(cast) == 1  # only the first, before the revocation


class _Serve(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def crl_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Serve)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_job_fetches_verifies_and_keeps_the_last_good_crl(cast, issued, peer, crl_server):  # noqa: F811
    ca = staff_seal(cast).issued_by
    url = f"http://127.0.0.1:{crl_server.server_address[1]}/pki/crl/{ca.slug}.crl"
    [row] = exchange.note_crl_urls(peer=peer, urls=[url])

    _Serve.body = pki.crl_der(ca)
    assert jobs.refresh([row]) == {"fetched": 1, "failed": 0}
    row.refresh_from_db()
    good = bytes(row.der)
    assert good == _Serve.body
    assert row.problem == ""
    assert row.next_update is not None

    _Serve.body = b"not a CRL"
    assert jobs.refresh([row]) == {"fetched": 0, "failed": 1}
    row.refresh_from_db()
    assert bytes(row.der) == good  # the last good CRL is kept
    assert row.problem

    _Serve.body = forged_crl(ca)
    assert jobs.refresh([row]) == {"fetched": 0, "failed": 1}
    row.refresh_from_db()
    assert bytes(row.der) == good


def forged_crl(ca) -> bytes:
    """A CRL naming our CA as its issuer but signed by another key: not kept."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    subject = x509.load_der_x509_certificate(bytes(ca.certificate_der)).subject
    now = dt.datetime.now(dt.UTC)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(subject).last_update(now)
           .next_update(now + dt.timedelta(days=1)).sign(pki.generate_key("rsa"), hashes.SHA256()))
    return crl.public_bytes(Encoding.DER)


def test_a_crl_url_already_noted_is_not_noted_again(client, cast, issued, envelope, peer,  # noqa: F811
                                                    django_capture_on_commit_callbacks, monkeypatch):
    """The second envelope of a signer whose CRL is not fetched yet says "unknown" as the first did, without
    running the noting action again (its URL has a row: nothing to note, nothing to queue)."""
    with django_capture_on_commit_callbacks(execute=False):
        response, _headers = post(client, cast, envelope)
    assert response.status_code == 200, response.content
    assert PeerCrl.objects.filter(peer=peer).count() == 1
    noted: list[list[str]] = []
    original = exchange.note_crl_urls

    def counting(**kwargs):
        noted.append(kwargs["urls"])
        return original(**kwargs)

    monkeypatch.setattr(exchange, "note_crl_urls", counting)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response, _headers = post(client, cast, resigned(cast, issued))
    assert response.status_code == 200, response.content
    assert ReceivedEnvelope.objects.get(sha256=response.json()["envelope"]).revocation == "unknown"
    assert noted == []
    assert not [c for c in queued if "fetch_crl" in repr(getattr(c, "__closure__", ""))]
    PeerCrl.objects.filter(peer=peer).delete()  # a URL not noted (its row gone): noted again, as before
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    later = outgoing.envelope_of(issued, to=outgoing.organization(cast.division))
    later = dataclasses.replace(later, trace=(edxml.TraceHeader(organ_id=cast.staff.code,
                                                                timestamp=dt.datetime(2027, 1, 5, 8, 0)),))
    with django_capture_on_commit_callbacks(execute=False):
        response, _headers = post(client, cast, outgoing.sign_as(message.unit, edxml.build_document(later)))
    assert response.status_code == 200, response.content
    assert len(noted) == 1
    assert PeerCrl.objects.filter(peer=peer).count() == 1
