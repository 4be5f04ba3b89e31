"""System checks for the mail settings (vanthu.E040, E041) and the reminder settings (E042)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

SMTP_TLS = {"none", "starttls", "ssl"}


@register()
def check_mail(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    problems: list[Error] = []
    if settings.SMTP_TLS not in SMTP_TLS:
        problems.append(Error(f"VANTHU_SMTP_TLS={settings.SMTP_TLS!r} must be none, starttls or ssl.",
                              id="vanthu.E041"))
    given = {"SMTP_USER": settings.EMAIL_HOST_USER, "SMTP_PASSWORD": settings.EMAIL_HOST_PASSWORD,
             "SMTP_FROM": settings.SMTP_FROM}
    others = [name for name, value in given.items() if value]
    if not settings.SMTP_HOST and others:
        problems.append(Error(
            f"{', '.join('VANTHU_' + n for n in others)} set but VANTHU_SMTP_HOST is empty: no mail would be sent.",
            id="vanthu.E040"))
    if settings.SMTP_HOST:
        if not settings.SMTP_FROM:
            problems.append(Error("VANTHU_SMTP_HOST is set: set VANTHU_SMTP_FROM too (the sender address).",
                                  id="vanthu.E040"))
        if bool(settings.EMAIL_HOST_USER) != bool(settings.EMAIL_HOST_PASSWORD):
            problems.append(Error("Set both VANTHU_SMTP_USER and VANTHU_SMTP_PASSWORD, or neither.",
                                  id="vanthu.E040"))
    if settings.REMIND_BEFORE_DAYS < 0 or settings.REMIND_ESCALATE_AFTER_DAYS < 0 or settings.REMIND_LOOKBACK_DAYS < 1:
        problems.append(Error("VANTHU_REMIND_BEFORE_DAYS and VANTHU_REMIND_ESCALATE_AFTER_DAYS must not be negative, "
                              "VANTHU_REMIND_LOOKBACK_DAYS must be positive.", id="vanthu.E042"))
    return problems
