"""Issue 16, item 3, through the pages: a delivered copy belongs to the receiving unit and the pages name
only the linked documents their reader may see; the sender's page shows each delivery, its failure reason,
and the retry button for the issuing unit's clerk."""

from __future__ import annotations

import pytest

from tests.outbox_helpers import signed_plan
from vanthu.documents import actions
from vanthu.documents.models import Document, OutboxMessage
from vanthu.org.models import Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return document


def test_the_sending_clerk_cannot_open_the_receivers_copy(client, cast, issued):
    copy = Document.objects.get(source=issued, unit=cast.division)
    client.force_login(cast.lan.user)
    assert client.get(f"/documents/{copy.pk}/").status_code == 404
    page = client.get(f"/documents/{issued.pk}/").content.decode()
    assert f"/documents/{copy.pk}/" not in page
    assert "Bản đến tại" not in page


def test_the_receivers_page_does_not_name_the_senders_document(client, cast, issued):
    copy = Document.objects.get(source=issued, unit=cast.division)
    client.force_login(cast.dung.user)
    page = client.get(f"/documents/{copy.pk}/").content.decode()
    assert "Văn bản gốc (nơi ban hành)" not in page
    assert f"/documents/{issued.pk}/" not in page
    assert "Nhận qua kênh liên thông" in page  # no creator from the sending unit


def test_a_reader_of_both_sees_the_link(client, cast, issued):
    copy = Document.objects.get(source=issued, unit=cast.division)
    client.force_login(cast.hung.user)
    page = client.get(f"/documents/{copy.pk}/").content.decode()
    assert "Văn bản gốc (nơi ban hành)" in page
    assert f"/documents/{issued.pk}/" in page


def test_a_failed_delivery_shows_the_reason_and_the_clerk_sends_again(client, cast, doc_types, draft_pdf,
                                                                      django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    Unit.objects.filter(pk=cast.province.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    message = OutboxMessage.objects.get(document=document, recipient__unit=cast.province)
    retry_url = f"/documents/{document.pk}/deliveries/{message.pk}/retry/"

    client.force_login(cast.quang.user)  # drafted it: sees the reason, may not send again
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Không chuyển được" in page
    assert "Đơn vị nhận đã ngừng hoạt động." in page
    assert retry_url not in page
    client.post(retry_url)
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.FAILED

    client.force_login(cast.lan.user)
    assert retry_url in client.get(f"/documents/{document.pk}/").content.decode()
    Unit.objects.filter(pk=cast.province.pk).update(is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(retry_url, follow=True).content.decode()
    assert "Đã gửi lại văn bản đến Bộ Chỉ huy Quân sự tỉnh A." in page
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.DELIVERED
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Đã chuyển đến" in page
    assert "Văn bản đã đến Bộ Chỉ huy Quân sự tỉnh A" in page  # the history, in the sender's words
