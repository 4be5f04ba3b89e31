"""The mail adapter: a notification's plain values in, a Vietnamese plain-text + HTML message out, sent over
Django's SMTP backend (configured from VANTHU_SMTP_*). It reads no database and calls no action (delivery.py
gives it what it needs and records the outcome)."""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Mail:
    notification_id: int
    to: str
    name: str
    subject: str
    body: str
    link: str  # absolute (settings.PUBLIC_URL + the notification's url), or "" when it has none


class MailServerDown(Exception):
    """The SMTP server did not answer or refused the session: try again later."""


def message(mail: Mail) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"mail": mail, "site": _("Văn phòng điện tử")}
        text = render_to_string("notify/mail.txt", context)
        html = render_to_string("notify/mail.html", context)
        subject = f"[{_('Văn phòng điện tử')}] {mail.subject}"
    sender = settings.DEFAULT_FROM_EMAIL
    email = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:250], body=text, from_email=sender, to=[formataddr((mail.name, mail.to))],
        headers={"Auto-Submitted": "auto-generated", "X-Vanthu-Notification": str(mail.notification_id)},
    )
    email.attach_alternative(html, "text/html")
    return email


def connection() -> Any:
    return get_connection(fail_silently=False)


def send(mails: Sequence[Mail]) -> dict[int, str]:
    """Send `mails` over one SMTP session. Returns the notifications whose recipient the server refused (id →
    reason); raises MailServerDown when the server cannot be reached or fails the session."""
    refused: dict[int, str] = {}
    if not mails:
        return refused
    conn = connection()
    try:
        conn.open()
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerDown(str(exc) or exc.__class__.__name__) from exc
    try:
        for mail in mails:
            try:
                conn.send_messages([message(mail)])
            except smtplib.SMTPRecipientsRefused as exc:
                refused[mail.notification_id] = str(exc)[:500]
            except (OSError, smtplib.SMTPException) as exc:
                raise MailServerDown(str(exc) or exc.__class__.__name__) from exc
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            conn.close()
    return refused
