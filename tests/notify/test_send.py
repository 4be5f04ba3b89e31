"""send(): the bell at once, the mail after the commit through a real SMTP server, idempotent on (person, key)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.notify.conftest import Inbox
from vanthu import notify
from vanthu.jobs.registry import policy_for
from vanthu.notify import actions, delivery
from vanthu.notify.models import Kind, MailState, Notification
from vanthu.notify.queries import unread_count


def tell_minh(cast, key: str = "test:1", kind: str = Kind.TASK) -> Notification:
    return notify.send(cast.minh, kind=kind, title="Việc mới: V/v diễn tập phòng thủ", url="/documents/7/",
                       key=key, body="Sư đoàn trưởng giao đồng chí chủ trì.")


def test_send_is_idempotent_on_person_and_key(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tell_minh(cast)
        again = tell_minh(cast)
    assert first.pk == again.pk
    assert Notification.objects.filter(person=cast.minh).count() == 1
    assert unread_count(cast.minh) == 1
    # the same key for another person is another notification
    notify.send(cast.dung, kind=Kind.TASK, title="x", url="", key="test:1")
    assert Notification.objects.count() == 2


def test_mail_goes_through_the_smtp_server_after_the_commit(cast, smtp: Inbox, django_capture_on_commit_callbacks):
    actions.set_preference(acting=cast.minh, mail_reminders=True, mail_escalations=True, mail_other=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        n = tell_minh(cast)
        assert smtp.messages == []  # nothing leaves inside the transaction
        tell_minh(cast)  # the second call mails nothing
    assert len(callbacks) == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert smtp.envelopes[0][1] == ["minh@qk10.example"]
    assert "Đỗ Văn Minh" in message["To"]
    assert "minh@qk10.example" in message["To"]
    assert message["Subject"].strip() == "[Văn phòng điện tử] Việc mới: V/v diễn tập phòng thủ"
    text = smtp.text(message)
    assert "Kính gửi đồng chí Đỗ Văn Minh," in text
    assert "Xem chi tiết: https://vanthu.qk10.example/documents/7/" in text
    assert 'href="https://vanthu.qk10.example/documents/7/"' in smtp.html(message)
    n.refresh_from_db()
    assert n.mail_state == MailState.SENT
    assert n.mailed_at is not None
    assert n.mail_error == ""


def test_no_mail_for_a_kind_the_person_turned_off(cast, smtp: Inbox, django_capture_on_commit_callbacks):
    actions.set_preference(acting=cast.minh, mail_reminders=False, mail_escalations=True, mail_other=False)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = tell_minh(cast, key="r", kind=Kind.REMINDER)
        other = tell_minh(cast, key="o", kind=Kind.TASK)
    assert smtp.messages == []
    assert {reminder.mail_state, other.mail_state} == {MailState.OFF}
    assert unread_count(cast.minh) == 2  # the bell has them all


def test_defaults_mail_reminders_and_escalations_only(cast, smtp: Inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell_minh(cast, key="r", kind=Kind.REMINDER)
        tell_minh(cast, key="e", kind=Kind.ESCALATION)
        tell_minh(cast, key="t", kind=Kind.TASK)
    assert len(smtp.messages) == 2


def test_nobody_changes_anothers_preference_or_reads_anothers_notification(cast):
    from vanthu.core.errors import ActionRefused

    n = tell_minh(cast)
    with pytest.raises(ActionRefused) as refused:
        actions.mark_read(acting=cast.dung, notification=n)
    assert refused.value.status == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_smtp_down_keeps_the_mail_pending_and_the_job_retries(cast, settings, smtp_down: int,
                                                               django_capture_on_commit_callbacks):
    policy = policy_for("vanthu.notify.jobs.mail_notification")
    assert (policy.attempts, policy.backoff) == (6, 60)  # 1, 2, 4, 8, 16 minutes
    with django_capture_on_commit_callbacks(execute=True):
        n = tell_minh(cast, kind=Kind.REMINDER)
    n.refresh_from_db()
    assert n.mail_state == MailState.PENDING
    assert n.mail_attempts == 1
    assert n.mail_error
    with pytest.raises(delivery.mail.MailServerDown):  # what the job engine sees: an error, so it retries
        delivery.mail_one(n.pk)

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_down)  # the server comes back
    server.start()
    try:
        from vanthu.notify.jobs import mail_notification

        mail_notification.call(n.pk)  # the retry
        mail_notification.call(n.pk)  # a duplicate retry sends nothing more
    finally:
        server.stop()
    assert len(inbox.messages) == 1
    n.refresh_from_db()
    assert n.mail_state == MailState.SENT
    assert n.mail_attempts == 3
    assert n.mail_error == ""


def test_without_an_address_or_without_mail_configured_nothing_is_pending(cast, settings):
    settings.MAIL_ENABLED = False
    assert tell_minh(cast, kind=Kind.REMINDER).mail_state == MailState.OFF
    settings.MAIL_ENABLED = True
    cast.dung.email = ""
    cast.dung.save(update_fields=["email"])
    n = notify.send(cast.dung, kind=Kind.REMINDER, title="x", url="", key="k")
    assert n.mail_state == MailState.OFF
