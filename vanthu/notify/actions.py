"""Notification writes: a person marks theirs read and chooses what comes by mail; the system records mails and
runs the reminder pass."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log as audit
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.notify import reminders, sending
from vanthu.notify.models import MailState, Notification, Preference
from vanthu.org.models import Person


def _own(acting: object, notification: Notification) -> Person:
    """Only the person a notification is for may touch it; to anyone else it does not exist."""
    if not isinstance(acting, Person) or notification.person_id != acting.pk:
        raise ActionRefused(_("Không tìm thấy thông báo."), code="not_found", status=404, target=notification)
    return acting


def _person(acting: object) -> Person:
    if not isinstance(acting, Person):
        raise ActionRefused(_("Chỉ người nhận thông báo mới làm được việc này."), code="forbidden", status=403)
    return acting


def _system(acting: object) -> SystemActor:
    if not isinstance(acting, SystemActor):
        raise ActionRefused(_("Chỉ hệ thống mới làm được việc này."), code="forbidden", status=403)
    return acting


@action("notify.notification.read")
def mark_read(*, acting: Person, notification: Notification) -> Notification:
    person = _own(acting, notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit.record(actor=person, verb="notify.notification.read", target=notification, unit=person.unit_id)
    return notification


@action("notify.notification.all_read")
def mark_all_read(*, acting: Person) -> int:
    person = _person(acting)
    count = Notification.objects.filter(person=person, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit.record(actor=person, verb="notify.notification.all_read", unit=person.unit_id, data={"count": count})
    return count


@action("notify.preference.changed")
def set_preference(*, acting: Person, mail_reminders: bool, mail_escalations: bool, mail_other: bool) -> Preference:
    """A person's own choice of what comes by e-mail (nobody chooses for another)."""
    person = _person(acting)
    pref, _created = Preference.objects.get_or_create(person=person)
    pref.mail_reminders, pref.mail_escalations, pref.mail_other = mail_reminders, mail_escalations, mail_other
    pref.save()
    audit.record(actor=person, verb="notify.preference.changed", target=pref, unit=person.unit_id,
                 data={"mail_reminders": mail_reminders, "mail_escalations": mail_escalations,
                       "mail_other": mail_other})
    return pref


@action("notify.mail.recorded")
def record_mail(*, acting: SystemActor, ids: list[int], error: str = "", final: bool = False) -> int:
    """The outcome of one SMTP session for the notifications `ids` (claimed by delivery.claim): sent; or failed
    and pending again (`error`); or, `final`, never to be mailed (the server refused the address)."""
    _system(acting)
    rows = Notification.objects.filter(pk__in=ids, mail_state=MailState.SENDING)
    if not error:
        count = rows.update(mail_state=MailState.SENT, mailed_at=timezone.now(), mail_error="")
        verb = "notify.mail.sent"
    else:
        state = MailState.OFF if final else MailState.PENDING
        count = rows.update(mail_state=state, mail_error=error[:500], mail_claimed_at=None)
        verb = "notify.mail.refused" if final else "notify.mail.failed"
    audit.record(actor=acting, verb=verb, data={"notifications": ids[:100], "count": count, "error": error[:500]})
    return count


@action("notify.reminders.sent")
def send_reminders(*, acting: SystemActor, today: dt.date | None = None) -> reminders.PassResult:
    """One reminder pass over every registered source (the hourly job; `vanthu notify remind`)."""
    _system(acting)
    result = reminders.run_pass(today or timezone.localdate())
    if result.mail_pending:
        sending.mail_pending_on_commit()
    audit.record(actor=acting, verb="notify.reminders.sent",
                 data={"today": result.today.isoformat(), "items": result.items, "created": result.created,
                       "by_stage": result.by_stage})
    return result


__all__ = ["mark_all_read", "mark_read", "record_mail", "send_reminders", "set_preference"]
