"""Issue 12, item 8: a recipient nothing delivered electronically reads "Gửi bản giấy / chờ gửi", never
"Đã gửi"; the issuing unit's clerk records how and when the paper copy went (audited); bad input changes
nothing and leaves the refusal in the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.outbox_helpers import signed_plan
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.models import OutboxMessage, Recipient
from vanthu.org.models import Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return document


def outside(document) -> Recipient:
    return Recipient.objects.get(document=document, external_name="Quân khu 7")


def row_of(page: str, name: str) -> str:
    start = page.index(f"<td>{name}")
    return page[start:page.index("</tr>", start)]


def test_an_outside_body_waits_for_paper_and_is_never_shown_sent(client, cast, issued):
    recipient = outside(issued)
    assert recipient.state == Recipient.State.PAPER_PENDING
    assert recipient.sent_at is None
    client.force_login(cast.lan.user)
    row = row_of(client.get(f"/documents/{issued.pk}/").content.decode(), "Quân khu 7")
    assert "Gửi bản giấy / chờ gửi" in row
    assert "Đã gửi" not in row
    assert f"/documents/{issued.pk}/recipients/{recipient.pk}/paper/" in row


def test_the_clerk_records_the_paper_copy_and_it_is_audited(client, cast, issued):
    recipient = outside(issued)
    client.force_login(cast.lan.user)
    url = f"/documents/{issued.pk}/recipients/{recipient.pk}/paper/"
    assert client.get(url).status_code == 200
    when = timezone.localtime().replace(second=0, microsecond=0)
    answer = client.post(url, {"via": "post", "sent_at": when.strftime("%Y-%m-%dT%H:%M"),
                               "note": "Phiếu gửi BĐ 0042"})
    assert answer.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.state, recipient.paper_via, recipient.paper_note) == ("paper_sent", "post", "Phiếu gửi BĐ 0042")
    assert recipient.paper_sent_at == when
    assert recipient.paper_recorded_by == cast.lan
    event = AuditEvent.objects.get(verb="documents.recipient.paper_sent")
    assert event.actor_id == cast.lan.pk
    assert event.data["via"] == "post"
    page = client.get(f"/documents/{issued.pk}/").content.decode()
    row = row_of(page, "Quân khu 7")
    assert "Đã gửi bản giấy" in row
    assert "Bưu điện" in row
    assert "Gửi bản giấy đến Quân khu 7 (Bưu điện)" in page  # the history
    # recorded once: a second time is refused
    with pytest.raises(ActionRefused) as refused:
        actions.record_paper_sent(document=issued, recipient_id=recipient.pk, acting=cast.lan, via="hand",
                                  sent_at=timezone.now())
    assert refused.value.code == "not_paper"


def test_others_may_not_record_it(client, cast, issued):
    recipient = outside(issued)
    url = f"/documents/{issued.pk}/recipients/{recipient.pk}/paper/"
    for person in (cast.quang, cast.tam):  # the drafter sees the document, the outsider does not
        client.force_login(person.user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"via": "post", "sent_at": "2026-01-01T08:00"}).status_code == 404
    client.force_login(cast.quang.user)
    assert f"{url}" not in client.get(f"/documents/{issued.pk}/").content.decode()
    assert outside(issued).state == Recipient.State.PAPER_PENDING


@pytest.mark.parametrize(("via", "shift", "code"), [
    ("", dt.timedelta(0), "via_required"),
    ("pigeon", dt.timedelta(0), "via_required"),
    ("post", dt.timedelta(days=2), "sent_at_future"),
    ("post", -dt.timedelta(days=30), "sent_at_early"),
])
def test_bad_input_is_refused_changes_nothing_and_is_audited(cast, issued, via, shift, code):
    recipient = outside(issued)
    with pytest.raises(ActionRefused) as refused:
        actions.record_paper_sent(document=issued, recipient_id=recipient.pk, acting=cast.lan, via=via,
                                  sent_at=timezone.now() + shift)
    assert refused.value.code == code
    assert outside(issued).state == Recipient.State.PAPER_PENDING
    assert AuditEvent.objects.filter(verb="documents.recipient.paper_sent.refused").count() == 1
    assert not AuditEvent.objects.filter(verb="documents.recipient.paper_sent").exists()


def test_the_page_shows_the_error_next_to_the_field(client, cast, issued):
    recipient = outside(issued)
    client.force_login(cast.lan.user)
    page = client.post(f"/documents/{issued.pk}/recipients/{recipient.pk}/paper/",
                       {"via": "post", "sent_at": "2099-01-01T08:00"}).content.decode()
    assert "Thời điểm gửi không được ở tương lai." in page
    assert outside(issued).state == Recipient.State.PAPER_PENDING


def test_a_failed_electronic_delivery_may_be_sent_on_paper(client, cast, doc_types, draft_pdf,
                                                          django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    Unit.objects.filter(pk=cast.province.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    message = OutboxMessage.objects.get(document=document, recipient__unit=cast.province)
    assert message.state == OutboxMessage.State.FAILED
    actions.record_paper_sent(document=document, recipient_id=message.recipient_id, acting=cast.lan, via="hand",
                              sent_at=timezone.now())
    assert Recipient.objects.get(pk=message.recipient_id).state == Recipient.State.PAPER_SENT
    # a delivered recipient is not paper's business
    delivered = Recipient.objects.get(document=document, unit=cast.division)
    with pytest.raises(ActionRefused):
        actions.record_paper_sent(document=document, recipient_id=delivered.pk, acting=cast.lan, via="hand",
                                  sent_at=timezone.now())
