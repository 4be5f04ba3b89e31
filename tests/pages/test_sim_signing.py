"""Checklist point 19 (issue 14): SIM-PKI as a signing back-end of its own, interchangeable with the token and the
remote service — the signer's credential says which. The signing request is a job that asks a local MSSP on
127.0.0.1 (tests/signing/mssp_peer.py, holding the SIM's key) and polls it until the person confirms on the phone
(the confirmation given by the test); the page waits and polls with htmx; the signature validates like the
others and the document is issued as any other."""

from __future__ import annotations

import pytest

from tests.signing import mssp_peer
from vanthu.documents import actions
from vanthu.documents.jobs import sim_sign
from vanthu.documents.models import Document, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.models import RemoteState
from vanthu.signing.testing import SIGNING_SECRET, bind_sim_key, equip_cast

PHONE = "0912345678"


@pytest.fixture
def mssp(settings):
    settings.SIM_POLL_SECONDS = 0.05
    peer = mssp_peer.Mssp(delay=2)
    server = mssp_peer.start(peer)
    yield peer
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim_son(cast, mssp):
    equip_cast(cast, people=(), units=("staff",))
    mssp.keys[PHONE] = bind_sim_key(cast.son, phone=PHONE, mssp_url=mssp.url, acting=cast.admin)
    return mssp


def test_checklist_point_19_the_sim_signature_is_a_job_that_waits_for_the_phone(cast, sim_son, awaiting_signature,
                                                                                django_capture_on_commit_callbacks):
    """Checklist point 19: Sơn's credential is on his SIM; asking for the signature enqueues the job, which asks
    the MSSP, polls while the phone is outstanding and, once he confirmed, embeds the SIM's signature; the
    document is then issued and both signatures validate."""
    assert signing.credential_for_person(cast.son).backend == "sim"
    sim_son.confirm(PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_remote_signature(document=awaiting_signature, acting=cast.son)
    doc = Document.objects.get(pk=awaiting_signature.pk)
    assert doc.status == Status.SIGNED
    assert len(sim_son.queries) == 3  # outstanding twice (the person on the phone), then the signature
    transaction = next(iter(sim_son.transactions.values()))
    assert transaction.phone == PHONE
    assert transaction.text == f"vanthu: {doc.subject}"
    report = signing.validate(doc.current_file.read_bytes())
    assert [(s.kind, s.valid) for s in report.signatures] == [("personal", True)]
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.status == Status.ISSUED
    report = signing.validate(doc.current_file.read_bytes())
    assert [(s.kind, s.valid) for s in report.signatures] == [("personal", True), ("organisation", True)]


def test_checklist_point_19_a_cancel_on_the_phone_ends_the_request_with_its_reason(client, cast, sim_son,
                                                                                  awaiting_signature):
    """Checklist point 19 (refusal): the person cancels on the phone: the request ends with the reason, the
    document stays waiting for the signature, and the page says why and offers to ask again."""
    sim_son.cancel(PHONE)
    client.force_login(cast.son.user)
    url = f"/documents/{awaiting_signature.pk}/sign/remote/"
    client.post(url, {"step": "request"})  # the job is enqueued on commit; here the test runs it
    assert sim_sign.call(awaiting_signature.pk) == "ended"
    doc = Document.objects.get(pk=awaiting_signature.pk)
    assert doc.status == Status.AWAITING_SIGNATURE
    assert (doc.remote_request.state, doc.remote_request.problem) == (RemoteState.FAILED,
                                                                      "Người ký đã từ chối trên điện thoại.")
    fragment = client.get(f"/documents/{awaiting_signature.pk}/sign/sim-status/").content.decode()
    assert "Người ký đã từ chối trên điện thoại." in fragment
    assert "hx-trigger" not in fragment


def test_checklist_point_19_the_page_waits_for_the_phone_then_goes_to_the_signed_document(client, cast, sim_son,
                                                                                         awaiting_signature):
    """Checklist point 19: the sign button leads a SIM signer to the page that asks the phone; after asking, the
    page says it waits for the confirmation on the phone (number masked) and polls; once the job has the
    signature, the poll sends the browser to the document; another person gets 404."""
    client.force_login(cast.son.user)
    start = client.get(f"/documents/{awaiting_signature.pk}/sign/")
    assert start.headers["Location"] == f"/documents/{awaiting_signature.pk}/sign/remote/"
    url = f"/documents/{awaiting_signature.pk}/sign/remote/"
    assert "Gửi yêu cầu ký tới điện thoại" in client.get(url).content.decode()
    client.post(url, {"step": "request"})
    page = client.get(url).content.decode()
    assert "Đang chờ đồng chí xác nhận trên điện thoại (số 0912***678)" in page
    status_url = f"/documents/{awaiting_signature.pk}/sign/sim-status/"
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "Hoàn tất ký" not in page  # no digest to paste: the phone answers
    assert "Đang chờ đồng chí xác nhận" in client.get(status_url).content.decode()
    sim_son.confirm(PHONE)
    assert sim_sign.call(awaiting_signature.pk) == "signed"
    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert (done.status_code, done.headers["HX-Redirect"]) == (204, f"/documents/{awaiting_signature.pk}/")
    client.force_login(cast.tam.user)
    assert client.get(status_url).status_code == 404
