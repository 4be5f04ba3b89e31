"""Issue 8 through the pages: the sender's recipients with their trail (htmx panel, the honest "nội bộ, chưa
ký" badge, the evidence link), the clerk's queue of arrivals with one-click register and return with a reason,
the frozen notice of a recalled copy, the answer to a recall, and 404 for whoever may not see."""

from __future__ import annotations

import uuid

import pytest

from tests.outbox_helpers import signed_plan
from vanthu.core import files
from vanthu.documents import actions
from vanthu.documents.actions import delivery
from vanthu.documents.models import Document, MessageStatus, OutboxMessage, Recipient, RecipientStatus, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET
from vanthu.workflow import actions as workflow


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return document


def copy_at(document: Document, unit) -> Document:
    return Document.objects.get(source=document, unit=unit)


def test_the_sender_sees_each_recipients_trail(client, cast, issued, django_capture_on_commit_callbacks):
    """Checklist point 49."""
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy_at(issued, cast.division), acting=cast.minh)
    client.force_login(cast.lan.user)
    page = client.get(f"/documents/{issued.pk}/").content.decode()
    assert f'hx-get="/documents/{issued.pk}/recipients/"' in page
    panel = client.get(f"/documents/{issued.pk}/recipients/").content.decode()
    assert "Đã vào sổ" in panel
    assert "Đã đến" in panel
    assert "nội bộ, chưa ký" in panel  # the local transport signs nothing, and the page says so
    assert ">03<" in panel
    assert ">01<" in panel


def test_a_verified_status_shows_its_signer_and_its_evidence_to_the_sender_only(client, cast, issued):
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    envelope = files.store_bytes(b"<edXML:Status>03</edXML:Status>", content_type="application/xml")
    delivery.apply_status(answers=message.key, status="03", reason="", transport="local", evidence=envelope,
                          signer="Sư đoàn 301", verified=True, document_sha256="cd" * 32, key=uuid.uuid4())
    row = RecipientStatus.objects.get(evidence=envelope)
    client.force_login(cast.lan.user)
    panel = client.get(f"/documents/{issued.pk}/recipients/").content.decode()
    assert "đã xác minh chữ ký: Sư đoàn 301" in panel
    url = f"/documents/{issued.pk}/trail/{row.pk}/evidence/"
    assert url in panel
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<edXML:Status>03</edXML:Status>"
    from vanthu.audit.models import AuditEvent  # the evidence downloaded is a read (issue 13 item 3)

    read = AuditEvent.objects.get(verb="documents.file.downloaded", target_id=str(issued.pk), actor_id=cast.lan.pk)
    assert (read.data["evidence"], read.data["ip"], read.unit_id) == (row.pk, "127.0.0.1", issued.unit_id)
    client.force_login(cast.tam.user)  # the province's clerk may not see the Staff's document
    assert client.get(url).status_code == 404
    assert client.get(f"/documents/{issued.pk}/recipients/").status_code == 404


def test_the_clerks_queue_lists_arrivals_and_registers_in_one_click(client, cast, issued):
    copy = copy_at(issued, cast.division)
    client.force_login(cast.minh.user)
    page = client.get("/arrivals/").content.decode()
    assert copy.subject in page
    assert "Bộ Tham mưu" in page
    assert f"/documents/{copy.pk}/arrival/register/" in page
    assert "Tiếp nhận văn bản giấy" in page
    response = client.post(f"/documents/{copy.pk}/arrival/register/", {"next": "arrivals"})
    assert response.status_code == 302
    assert response["Location"] == "/arrivals/"
    copy.refresh_from_db()
    assert copy.status == Status.REGISTERED
    assert copy.number == 1
    assert OutboxMessage.objects.filter(document=copy, status=MessageStatus.REGISTERED).exists()


def test_the_queue_returns_with_a_reason(client, cast, issued, django_capture_on_commit_callbacks):
    copy = copy_at(issued, cast.province)
    client.force_login(cast.tam.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/documents/{copy.pk}/arrival/return/", {"next": "arrivals", "reason": "Gửi nhầm đơn vị"})
    copy.refresh_from_db()
    assert (copy.status, copy.return_reason) == (Status.RETURNED, "Gửi nhầm đơn vị")
    assert Recipient.objects.get(document=issued, unit=cast.province).reason == "Gửi nhầm đơn vị"


def test_others_cannot_register_from_the_queue(client, cast, issued):
    copy = copy_at(issued, cast.division)
    client.force_login(cast.lan.user)  # the sending clerk
    assert client.post(f"/documents/{copy.pk}/arrival/register/").status_code == 404
    assert copy.subject not in client.get("/arrivals/").content.decode()
    client.force_login(cast.tam.user)  # another unit's clerk
    assert client.post(f"/documents/{copy.pk}/arrival/return/", {"reason": "x"}).status_code == 404


def test_a_recalled_copy_shows_its_frozen_notice(client, cast, issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.recall_outgoing(document=issued, acting=cast.lan, reason="Sai thời gian huấn luyện")
    copy = copy_at(issued, cast.division)
    client.force_login(cast.minh.user)
    page = client.get(f"/documents/{copy.pk}/").content.decode()
    assert "Văn bản đã bị nơi ban hành thu hồi" in page
    assert "Sai thời gian huấn luyện" in page
    assert "Đồng ý thu hồi" in page  # the status 15 reported back
    queue = client.get("/arrivals/").content.decode()
    assert "Văn bản đến đã bị thu hồi" in queue
    assert copy.subject in queue


def test_a_pending_recall_is_answered_from_the_page(client, cast, issued, django_capture_on_commit_callbacks):
    copy = copy_at(issued, cast.division)
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy, acting=cast.minh)
        workflow.direct(document=copy, acting=cast.dung, text="Minh chủ trì.", lead=cast.minh)
        lead = copy.assignments.get(person=cast.minh)
        workflow.complete(assignment=lead, acting=cast.minh, result="Xong.")
        actions.recall_outgoing(document=issued, acting=cast.lan, reason="Ban hành nhầm")
    client.force_login(cast.dung.user)
    page = client.get(f"/documents/{copy.pk}/").content.decode()
    assert "Nơi ban hành yêu cầu thu hồi văn bản" in page
    assert f"/documents/{copy.pk}/recall/refuse/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/documents/{copy.pk}/recall/refuse/", {"reason": "Kết quả đã có hiệu lực"})
    assert response.status_code == 302
    assert Recipient.objects.get(document=issued, unit=cast.division).state == Recipient.State.RECALL_REFUSED
    client.force_login(cast.lan.user)
    panel = client.get(f"/documents/{issued.pk}/recipients/").content.decode()
    assert "Từ chối thu hồi" in panel
    assert "Kết quả đã có hiệu lực" in panel
    client.force_login(cast.tam.user)
    assert client.post(f"/documents/{copy.pk}/recall/accept/").status_code == 404


def test_the_inbox_tells_the_receivers_of_a_recall(client, cast, issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.recall_outgoing(document=issued, acting=cast.lan, reason="Sai thời gian huấn luyện")
    copy = copy_at(issued, cast.division)
    client.force_login(cast.minh.user)
    inbox = client.get("/").content.decode()
    assert "Văn bản đến bị nơi ban hành thu hồi" in inbox
    assert f"/documents/{copy.pk}/" in inbox
    client.force_login(cast.lan.user)  # the sender's clerk learns nothing of the receiver's copy here
    assert "Văn bản đến bị nơi ban hành thu hồi" not in client.get("/").content.decode()
