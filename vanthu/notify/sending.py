"""The one notification path: `send()` for one event, `insert_many()` for the reminder pass.

Both write `Notification` rows idempotently on (person, key) and decide at once whether the row is to be mailed
(the person's `Preference` for its kind, an address, mail configured): such rows are `pending` and a job mails them
after the commit. Neither is an action of its own: they run inside the caller's action and transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def mail_state(self, kind: str) -> MailState:
        if settings.MAIL_ENABLED and self.email and self.preference.wants_mail(kind):
            return MailState.PENDING
        return MailState.OFF


def recipients(person_ids: set[int]) -> dict[int, Recipient]:
    """The active people among `person_ids`, with their mail choices, in two queries."""
    if not person_ids:
        return {}
    prefs = {p.person_id: p for p in Preference.objects.filter(person_id__in=person_ids)}
    found: dict[int, Recipient] = {}
    for pk, name, email in Person.objects.filter(pk__in=person_ids, is_active=True).values_list(
        "pk", "full_name", "email"
    ):
        found[pk] = Recipient(pk, name, email, prefs.get(pk, DEFAULT_PREFERENCE))
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


@dataclass(frozen=True)
class NewNotification:
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
    once never duplicate one); returns how many were new. One statement on PostgreSQL (arrays unnested)."""
    if not rows:
        return 0
    now = timezone.now()
    table = Notification._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608  (fixed names)
                "SELECT p, k, t, b, u, y, %s, m, 0, '' FROM unnest(%s::bigint[], %s::text[], %s::text[], "
                "%s::text[], %s::text[], %s::text[], %s::text[]) AS r(p, k, t, b, u, y, m) "
                "ON CONFLICT (person_id, key) DO NOTHING",
                [now, [r.person_id for r in rows], [r.kind for r in rows], [r.title[:300] for r in rows],
                 [r.body for r in rows], [r.url[:500] for r in rows], [r.key[:200] for r in rows],
                 [r.mail_state for r in rows]],
            )
            return int(cursor.rowcount)
        before = Notification.objects.count()
        Notification.objects.bulk_create(
            [Notification(person_id=r.person_id, kind=r.kind, title=r.title[:300], body=r.body, url=r.url[:500],
                          key=r.key[:200], mail_state=r.mail_state) for r in rows],
            ignore_conflicts=True, batch_size=500,
        )
        return Notification.objects.count() - before


def mail_pending_on_commit() -> None:
    enqueue_on_commit(MAIL_PENDING)
