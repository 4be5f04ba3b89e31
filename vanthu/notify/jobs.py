"""Notification jobs: mail one notification, mail every pending one, and the hourly reminder pass."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vanthu.core.actors import SystemActor
from vanthu.jobs import job

REMINDERS = SystemActor("reminders")


@job(attempts=6, backoff=60, label=_("Gửi thư thông báo"))
def mail_notification(notification_id: int) -> int:
    """Mail one notification (enqueued by `send` on commit). SMTP down: retried after 1, 2, 4, 8, 16 minutes."""
    from vanthu.notify import delivery  # here, not at the top: cheap process start

    return delivery.mail_one(notification_id)


@job(attempts=6, backoff=60, label=_("Gửi thư nhắc hạn"))
def mail_pending() -> int:
    """Mail every notification waiting for it (enqueued by the reminder pass)."""
    from vanthu.notify import delivery

    return delivery.mail_all_pending()


@job(every="hour", attempts=1, label=_("Nhắc hạn, báo quá hạn"))
def remind() -> dict[str, object]:
    """Once an hour with any number of workers: the reminder pass (a stage already sent is never sent again)."""
    from vanthu.notify import actions

    result = actions.send_reminders(acting=REMINDERS)
    return {"items": result.items, "created": result.created}
