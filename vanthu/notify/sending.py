"""The one notification path: `send()` for one event, `insert_many()` for the reminder pass.

Both write `Notification` rows idempotently on (person, key) and decide at once whether the row is to be mailed
(the person's `Preference` for its kind, an address, mail configured): such rows are `pending` and a job mails them
after the commit. Neither is an action of its own: they run inside the caller's action and transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from vanthu.jobs import enqueue_on_commit
from vanthu.notify.models import DEFAULT_PREFERENCE, Kind, MailState, Notification, Preference
from vanthu.org.models import Person

MAIL_ONE = "vanthu.notify.jobs.mail_notification"
MAIL_PENDING = "vanthu.notify.jobs.mail_pending"


@dataclass(frozen=True)
class Recipient:
    """What sending needs to know of a person: the name (for texts), the address and the mail choices."""

    person_id: int
    name: str
    email: str
    preference: Preference
    mail_enabled: bool  # settings.MAIL_ENABLED when read

    def mail_state(self, kind: str) -> MailState:
        if self.mail_enabled and self.email and self.preference.wants_mail(kind):
            return MailState.PENDING
        return MailState.OFF


def recipients(person_ids: set[int]) -> dict[int, Recipient]:
    """The active people among `person_ids`, with their mail choices, in two queries."""
    if not person_ids:
        return {}
    prefs = {p.person_id: p for p in Preference.objects.filter(person_id__in=person_ids)}
    found: dict[int, Recipient] = {}
    enabled = bool(settings.MAIL_ENABLED)
    for pk, name, email in Person.objects.filter(pk__in=person_ids, is_active=True).values_list(
        "pk", "full_name", "email"
    ):
        found[pk] = Recipient(pk, name, email, prefs.get(pk, DEFAULT_PREFERENCE), enabled)
    return found


def send(person: Person, *, kind: Kind | str, title: str, url: str, key: str, body: str = "") -> Notification:
    """Tell `person`: the bell at once, an e-mail after the commit if they want one for `kind`. Idempotent on
    (person, key): a second call with the same key returns the first notification and sends nothing."""
    recipient = recipients({person.pk}).get(person.pk)
    state = recipient.mail_state(kind) if recipient else MailState.OFF
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            person=person, key=key[:200],
            defaults={"kind": kind, "title": title[:300], "url": url[:500], "body": body, "mail_state": state},
        )
    if created and state == MailState.PENDING:
        enqueue_on_commit(MAIL_ONE, notification.pk)
    return notification


class NewNotification(NamedTuple):
    person_id: int
    kind: str
    title: str
    url: str
    key: str
    body: str
    mail_state: str


COLUMNS = ("person_id", "kind", "title", "body", "url", "key", "created_at", "mail_state", "mail_attempts",
           "mail_error")


def insert_many(rows: list[NewNotification]) -> int:
    """Insert `rows`, skipping every (person, key) that exists already (ON CONFLICT DO NOTHING, so two passes at
    once never duplicate one); returns how many were new. On PostgreSQL through COPY and one INSERT."""
    if not rows:
        return 0
    now = timezone.now()
    table = Notification._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _insert_many_postgresql(cursor, rows, now, table, columns)
        before = Notification.objects.count()
        Notification.objects.bulk_create(
            [Notification(person_id=r.person_id, kind=r.kind, title=r.title[:300], body=r.body, url=r.url[:500],
                          key=r.key[:200], mail_state=r.mail_state) for r in rows],
            ignore_conflicts=True, batch_size=500,
        )
        return Notification.objects.count() - before


def _insert_many_postgresql(cursor: Any, rows: list[NewNotification], now: Any, table: str, columns: str) -> int:
    """COPY the rows into a temporary table (fast: no parameters to bind), then one INSERT … SELECT … ON CONFLICT
    DO NOTHING into the notifications."""
    with transaction.atomic():
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS notify_new (person_id bigint, kind text, title text, "
                       "body text, url text, key text, mail_state text) ON COMMIT DROP")
        with cursor.copy("COPY notify_new (person_id, kind, title, body, url, key, mail_state) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((r.person_id, r.kind, r.title[:300], r.body, r.url[:500], r.key[:200], r.mail_state))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608  (fixed names)
            "SELECT person_id, kind, title, body, url, key, %s, mail_state, 0, '' FROM notify_new "
            "ON CONFLICT (person_id, key) DO NOTHING",
            [now],
        )
        created = int(cursor.rowcount)
        cursor.execute("TRUNCATE notify_new")
    return created


def mail_pending_on_commit() -> None:
    enqueue_on_commit(MAIL_PENDING)
