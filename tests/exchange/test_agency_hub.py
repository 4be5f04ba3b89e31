"""Checklist points 47 and 48 (decision 0034), the exchange's side. A deployment acting as the hub answers
`GET /exchange/v1/agencies` to a request signed by a configured peer's unit (its units with both organ ids and its
directory of outside agencies), and refuses an unsigned one (401) or one from a sender no peer covers (403), as
the envelope endpoints do. A member reads that list with a signed request (`agency_hub.rows_from_peer`, here
through Django's test client instead of the network) and applies it; the daily job does the same for
`VANTHU_AGENCY_HUB`. An envelope whose `From` carries the QĐ 20 form of a known unit is recognised as that unit;
`vanthu edxml inspect` shows both forms. A peer's transport is any carrier the outbox has registered."""

from __future__ import annotations

import dataclasses
import io
import json
import urllib.error
from contextlib import redirect_stdout

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command
from django.test import override_settings

from tests.outbox_helpers import signed_plan
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, outbox
from vanthu.documents.models import Direction, Document, OutboxMessage
from vanthu.exchange import actions as exchange
from vanthu.exchange import agency_hub, edxml, outgoing, receiving, sealing
from vanthu.exchange.forms import PeerForm
from vanthu.exchange.transports import http, hub
from vanthu.org import agencies
from vanthu.org.agency_actions import import_agencies
from vanthu.org.models import Agency, Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

DIRECTORY = "Bộ Quốc phòng,BQP,000.00.00.G01,G01\nỦy ban nhân dân tỉnh Nghệ An,UBND,000.00.00.H41,H41\n"


pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


@pytest.fixture
def own_ca_pem(cast) -> str:
    """This deployment's CA certificates (its units equipped with seal keys first)."""
    equip_cast(cast, people=(), units=("staff", "command", "division"))
    roots, intermediates = signing.trust_store_der()
    return "".join(
        x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode() for d in [*roots, *intermediates]
    )


@pytest.fixture
def peer(cast, own_ca_pem):
    """This deployment's own Q10 units, seen as a peer over HTTP (its own CA as the trust root): the hub."""
    return exchange.add_peer(
        acting=TEST_FIXTURES,
        name="Trục quân sự",
        organ_ids="*.Q10",
        base_url="http://hub.invalid",
        trust_roots=own_ca_pem,
    )


def signed_get(client, unit: Unit, *, method: str = "GET", organ: str = ""):
    seal = sealing.seal_for(unit)
    headers = http.signed_headers(
        organ_id=organ or unit.code or "",
        body=b"",
        sign=seal.sign,
        certificate_der=seal.certificate_der,
        path=hub.AGENCIES_PATH,
        method=method,
    )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    return client.get(hub.AGENCIES_PATH, **meta)


def test_the_hub_serves_its_list_to_a_signed_request_of_a_peer(client, cast, peer):
    """Checklist point 47: the hub serves its units (both codes) and its directory to a signed peer request."""
    import_agencies(rows=agencies.parse(DIRECTORY.encode(), filename="d.csv"), acting=TEST_FIXTURES)
    cast.staff.code_qd20 = "Q10.02"
    cast.staff.save(update_fields=["code_qd20"])
    response = signed_get(client, cast.staff)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["format"] == "vanthu-agencies/1"
    listed = {item["name"]: item for item in data["agencies"]}
    assert listed["Bộ Tham mưu"] == {
        "code": "Q10.02",
        "code102": cast.staff.code,
        "name": "Bộ Tham mưu",
        "pcode": cast.command.code,
        "status": 1,
    }
    assert listed["Bộ Quốc phòng"]["code"] == "G01"
    assert listed["Bộ Quốc phòng"]["code102"] == "000.00.00.G01"


def test_the_hub_refuses_unsigned_unknown_and_misused_requests(client, cast, peer):
    """Checklist point 47: 401 unsigned or signed for another method, 403 a sender no peer covers."""
    unsigned = client.get(hub.AGENCIES_PATH)
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "unsigned")
    client.force_login(cast.admin.user)  # a session is no key
    assert client.get(hub.AGENCIES_PATH).status_code == 401
    client.logout()
    signed_for_post = signed_get(client, cast.staff, method="POST")  # a signature over another method
    assert (signed_for_post.status_code, signed_for_post.json()["code"]) == (401, "bad_signature")
    exchange.deactivate_peer(acting=TEST_FIXTURES, peer=peer)
    unknown = signed_get(client, cast.staff)
    assert (unknown.status_code, unknown.json()["code"]) == (403, "unknown_sender")
    assert client.post(hub.AGENCIES_PATH).status_code == 405


@pytest.fixture
def loopback(client, monkeypatch):
    """The member's network: the request `hub.fetch_agencies` makes, answered by this deployment's hub endpoint."""

    class Answer:
        def __init__(self, status: int, body: bytes) -> None:
            self.status, self.body = status, body

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def read(self, limit: int = -1) -> bytes:
            return self.body

    seen = []

    def urlopen(request, timeout):
        assert request.full_url == "http://hub.invalid" + hub.AGENCIES_PATH
        assert request.get_method() == "GET"
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in request.header_items()}
        response = client.get(hub.AGENCIES_PATH, **meta)
        seen.append(response.status_code)
        if response.status_code != 200:
            raise urllib.error.HTTPError(
                request.full_url,
                response.status_code,
                "refused",
                {},  # type: ignore[arg-type]
                io.BytesIO(response.content),
            )
        return Answer(response.status_code, response.content)

    monkeypatch.setattr(hub.urllib.request, "urlopen", urlopen)
    return seen


def test_a_member_synchronises_from_the_hub_by_the_command_and_the_job(cast, peer, loopback, capsys):
    """Checklist point 47: `vanthu agencies sync --peer` and the daily job read the hub with a signed GET."""
    import_agencies(rows=agencies.parse(DIRECTORY.encode(), filename="d.csv"), acting=TEST_FIXTURES)
    with pytest.raises(SystemExit) as done:
        call_command("agencies", "sync", "--peer", "Trục quân sự", "--json")
    assert done.value.code == 0, capsys.readouterr().err
    counts = json.loads(capsys.readouterr().out)
    units = Unit.objects.exclude(code=None).exclude(code="").filter(is_active=True).count()
    # the hub and the member are one database here: its units are the member's own, its agencies adopted
    assert counts == {"added": 0, "updated": 2, "deactivated": 0, "unchanged": 0, "own_units": units}
    assert set(Agency.objects.filter(from_hub=True).values_list("code", "code_qd20")) == {
        ("000.00.00.G01", "G01"),
        ("000.00.00.H41", "H41"),
    }
    assert loopback == [200]
    with override_settings(AGENCY_HUB="Trục quân sự"):
        assert agency_hub.sync_from_hub.call() == {**counts, "updated": 0, "unchanged": 2}
    with override_settings(AGENCY_HUB=""):
        assert agency_hub.sync_from_hub.call() == {"skipped": 1}
    assert loopback == [200, 200]


def test_a_hub_that_refuses_or_is_unknown_is_reported(cast, peer, loopback, capsys):
    """Checklist point 47: an unknown hub, or one that refuses, is reported (exit 1)."""
    with pytest.raises(ActionRefused) as refused:
        agency_hub.rows_from_peer("Không có")
    assert refused.value.code == "unknown_peer"
    exchange.change_peer(
        acting=TEST_FIXTURES,
        peer=peer,
        name=peer.name,
        organ_ids="*.Q11",
        base_url=peer.base_url,
        trust_roots=peer.trust_roots,
        max_secrecy=peer.max_secrecy,
        transport=peer.transport,
        is_active=True,
    )
    with pytest.raises(SystemExit) as done:  # the hub no longer knows our organ ids: it answers 403
        call_command("agencies", "sync", "--peer", "Trục quân sự")
    assert done.value.code == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "HTTP 403" in out.err
    assert loopback == [403]


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    equip_cast(cast, people=(), units=("division",))
    with django_capture_on_commit_callbacks(execute=False):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    document.refresh_from_db()
    return document


def envelope_from(cast, issued, organ_id: str) -> bytes:
    """The Staff's plan to the division, its `From` (and the document id it starts) in the given form."""
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    good = outgoing.envelope_of(issued, to=outgoing.organization(cast.division))
    header = good.header
    header = dataclasses.replace(
        header,
        from_=dataclasses.replace(header.from_, organ_id=organ_id),
        document_id=header.document_id.replace(cast.staff.code, organ_id, 1),
    )
    return outgoing.sign_as(message.unit, edxml.build_document(dataclasses.replace(good, header=header)))


def test_an_envelope_from_the_qd20_form_of_a_known_unit_is_recognised(cast, issued, own_ca_pem):
    """Checklist point 47: a `From` in the QĐ 20 form of a known unit is that unit."""
    exchange.add_peer(
        acting=TEST_FIXTURES,
        name="Quân khu 10 (qua HTTP)",
        organ_ids="*.Q10",
        base_url="http://127.0.0.1:9",
        trust_roots=own_ca_pem,
    )
    data = envelope_from(cast, issued, "Q10.02")
    unknown = receiving.receive(data, transport="http")
    assert (unknown.accepted, unknown.code) == (False, "unknown_sender")  # nobody holds Q10.02 yet
    cast.staff.code_qd20 = "Q10.02"
    cast.staff.save(update_fields=["code_qd20"])
    again = envelope_from(cast, issued, "Q10.02") + b"\n"  # new bytes: not the refused evidence's answer
    receipt = receiving.receive(again, transport="http")
    assert receipt.accepted, receipt.reason
    assert Document.objects.filter(unit=cast.division, direction=Direction.INCOMING).count() == 1
    assert receiving.peer_for("Q10.02").name == "Quân khu 10 (qua HTTP)"


def test_inspect_shows_both_forms_of_a_known_organ(cast, issued, tmp_path):
    """Checklist point 47: `vanthu edxml inspect` shows both forms of the organ ids it knows."""
    cast.staff.code_qd20 = "Q10.02"
    cast.staff.save(update_fields=["code_qd20"])
    path = tmp_path / "plan.xml"
    path.write_bytes(envelope_from(cast, issued, "Q10.02"))
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        call_command("edxml", "inspect", str(path), "--json", stdout=out)
    known = json.loads(out.getvalue())["known_organs"]
    assert known["Q10.02"] == {"code": cast.staff.code, "code_qd20": "Q10.02", "name": "Bộ Tham mưu", "where": "unit"}
    assert known[cast.division.code]["where"] == "unit"
    text = io.StringIO()
    with redirect_stdout(text), pytest.raises(SystemExit):
        call_command("edxml", "inspect", str(path), stdout=text)
    assert f"Mã định danh của Bộ Tham mưu (Q10.02): QCVN 102 {cast.staff.code}; QĐ 20/2020 Q10.02" in text.getvalue()


def test_a_peer_transport_is_any_registered_carrier(cast, own_ca_pem, monkeypatch):
    """Checklist point 48: a new kind of link is a carrier registered with its name; the directory then accepts it."""

    class XRoad:
        name = "xroad"
        label = "X-Road"

        def address_of(self, recipient):
            return None

        def deliver(self, message):
            return None

    with pytest.raises(ActionRefused) as refused:
        exchange.add_peer(
            acting=TEST_FIXTURES, name="X", organ_ids="*.X01", base_url="", trust_roots=own_ca_pem, transport="xroad"
        )
    assert refused.value.code == "bad_transport"
    monkeypatch.setitem(outbox._TRANSPORTS, "xroad", XRoad())
    peer = exchange.add_peer(
        acting=TEST_FIXTURES, name="X", organ_ids="*.X01", base_url="", trust_roots=own_ca_pem, transport="xroad"
    )
    assert peer.transport == "xroad"
    assert ("xroad", "X-Road") in PeerForm().fields["transport"].choices
    assert "local" not in dict(PeerForm().fields["transport"].choices)
    with pytest.raises(ActionRefused):
        exchange.add_peer(
            acting=TEST_FIXTURES, name="Y", organ_ids="*.X02", base_url="", trust_roots=own_ca_pem, transport="local"
        )
