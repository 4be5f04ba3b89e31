"""Mailing notifications: claim the rows to mail (so that two workers never mail one twice), hand them to the
mail adapter outside any transaction, record the outcome through an action.

The claim (pending → sending, with the time) is bookkeeping like a job's own state: a row claimed by a worker
that died is claimable again after CLAIM_LEASE. A failed session puts the rows back to pending with the error and
raises, so the job engine retries with backoff; rows still pending after the job's last attempt are picked up by
the next reminder pass's mailing job.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vanthu.core.actors import SystemActor
from vanthu.notify import actions, mail
from vanthu.notify.models import MailState, Notification

MAILER = SystemActor("notification mailer")
CLAIM_LEASE = dt.timedelta(minutes=10)
BATCH = 100


def _claimable() -> Q:
    return Q(mail_state=MailState.PENDING) | Q(mail_state=MailState.SENDING,
                                                mail_claimed_at__lt=timezone.now() - CLAIM_LEASE)


def claim(*, ids: list[int] | None = None, limit: int = BATCH) -> list[Notification]:
    """Take up to `limit` notifications waiting to be mailed (only `ids`, if given) for this worker."""
    with transaction.atomic():
        qs = Notification.objects.filter(_claimable())
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        taken = list(qs.order_by("pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if not taken:
            return []
        Notification.objects.filter(pk__in=taken).filter(_claimable()).update(
            mail_state=MailState.SENDING, mail_claimed_at=timezone.now(), mail_attempts=F("mail_attempts") + 1
        )
    return list(Notification.objects.filter(pk__in=taken, mail_state=MailState.SENDING).select_related("person"))


def _mail_of(n: Notification) -> mail.Mail:
    link = f"{settings.PUBLIC_URL}{n.url}" if n.url.startswith("/") else n.url
    return mail.Mail(notification_id=n.pk, to=n.person.email, name=n.person.full_name, subject=n.title,
                     body=n.body, link=link)


def mail_claimed(claimed: list[Notification]) -> int:
    """Send what was claimed; record it. Raises mail.MailServerDown after putting the rows back."""
    if not claimed:
        return 0
    ids = [n.pk for n in claimed]
    try:
        refused = mail.send([_mail_of(n) for n in claimed if n.person.email])
    except mail.MailServerDown as exc:
        actions.record_mail(acting=MAILER, ids=ids, error=str(exc))
        raise
    no_address = {n.pk: "no address" for n in claimed if not n.person.email}
    undeliverable = refused | no_address
    if undeliverable:
        actions.record_mail(acting=MAILER, ids=list(undeliverable), error="; ".join(set(undeliverable.values())),
                            final=True)
    sent = [pk for pk in ids if pk not in undeliverable]
    if sent:
        actions.record_mail(acting=MAILER, ids=sent)
    return len(sent)


def mail_one(notification_id: int) -> int:
    return mail_claimed(claim(ids=[notification_id], limit=1))


def mail_all_pending() -> int:
    sent = 0
    while claimed := claim():
        sent += mail_claimed(claimed)
    return sent
