"""Notifications: the one path every app uses to tell a person something (decision 0016).

    vanthu.notify.send(person, kind=Kind.TASK, title=…, url=…, key=…, body="")

writes the bell's row at once and, when the person wants mail for that kind, mails it after the commit
(idempotent on (person, key)). Reminders and escalation come from the reminder sources apps register
(`vanthu.notify.reminders.register`), turned into notifications by the hourly job `notify.jobs.remind`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vanthu.notify.models import Kind, Notification
    from vanthu.org.models import Person


def send(person: Person, *, kind: Kind | str, title: str, url: str, key: str, body: str = "") -> Notification:
    """See vanthu.notify.sending.send (imported when called: this package is imported before its models)."""
    from vanthu.notify import sending

    return sending.send(person, kind=kind, title=title, url=url, key=key, body=body)
