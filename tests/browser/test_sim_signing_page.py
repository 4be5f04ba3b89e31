"""SIM-PKI signing in Debian Chromium (issue 14, checklist point 19): Sơn, whose key is on his phone's SIM, clicks
"Ký số", sends the request to his phone; the page says it waits for his confirmation and polls with htmx; he
confirms on the phone (the local MSSP on 127.0.0.1, answered by the test), the job gets the SIM's signature, and the
page moves by itself to the signed document.

The job runs on the database backend here (queued, as in production), run by the test once he has confirmed.
Set VANTHU_SCREENSHOTS=<dir> to save docs/img/sim-waiting.png; a normal run writes nothing.
"""

from __future__ import annotations

import os
import threading

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.conftest import checked
from tests.signing import mssp_peer
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft
from vanthu.documents import actions
from vanthu.documents.jobs import sim_sign
from vanthu.documents.models import Document, DocumentType, Status
from vanthu.signing.testing import bind_sim_key, equip_cast

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _run_job(document_id: int) -> str:
    from django.db import connection

    try:
        return str(sim_sign.call(document_id))
    finally:
        connection.close()


def test_checklist_point_19_the_page_waits_for_the_phone_then_shows_the_signed_document(live_server, settings):
    """Checklist point 19: waiting on the phone, polled by htmx, then the signed document."""
    from playwright.sync_api import expect, sync_playwright

    settings.TASKS = {"default": {"BACKEND": "vanthu.jobs.backends.DatabaseBackend", "QUEUES": ["default"]}}
    settings.SIM_POLL_SECONDS = 0.1
    peer = mssp_peer.Mssp(delay=1)
    server = mssp_peer.start(peer)
    cast = build_cast()
    equip_cast(cast, people=(), units=("staff",))
    peer.keys["0912345678"] = bind_sim_key(cast.son, phone="0912345678", mssp_url=peer.url, acting=cast.admin)
    data = actions.DraftData(doc_type=DocumentType.objects.get(abbreviation="KH"),
                             subject="Kế hoạch huấn luyện năm 2027", recipient_units=[cast.division])
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(sample_draft(), "ke-hoach.pdf"))
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=cast.son.signing_authorities.get())
    base = live_server.url
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = signed_in(browser, base, "son", height=1000)
            page.goto(f"{base}/documents/{doc.pk}/sign/")
            page.get_by_role("button", name="Gửi yêu cầu ký tới điện thoại").click()
            waiting = page.locator("[data-sim-waiting]")
            expect(waiting).to_contain_text("Đang chờ đồng chí xác nhận trên điện thoại (số 0912***678)")
            shoot(page, "sim-waiting.png")
            assert Document.objects.get(pk=doc.pk).status == Status.AWAITING_SIGNATURE
            peer.confirm("0912345678")  # Sơn confirms on his phone
            outcome: list[str] = []
            worker = threading.Thread(target=lambda: outcome.append(_run_job(doc.pk)))  # as a worker would
            worker.start()
            worker.join(timeout=60)
            assert outcome == ["signed"]
            page.wait_for_url(f"{base}/documents/{doc.pk}/", timeout=15000)  # the htmx poll moved the page
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert Document.objects.get(pk=doc.pk).status == Status.SIGNED
