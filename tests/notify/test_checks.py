"""Half a mail configuration is a system check error, never a silent loss of mail."""

from __future__ import annotations

from vanthu.notify.checks import check_mail


def ids(settings) -> list[str]:
    return sorted(e.id for e in check_mail())


def test_nothing_configured_is_fine(settings):
    settings.SMTP_HOST, settings.SMTP_FROM, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", "", "", ""
    assert ids(settings) == []


def test_a_user_without_a_host(settings):
    settings.SMTP_HOST, settings.SMTP_FROM, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", "", "vt", "x"
    assert ids(settings) == ["vanthu.E040"]


def test_a_host_without_a_sender_or_with_half_a_login(settings):
    settings.SMTP_HOST, settings.SMTP_FROM = "mail.qk10.example", ""
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "vanthu", ""
    assert ids(settings) == ["vanthu.E040", "vanthu.E040"]
    settings.SMTP_FROM, settings.EMAIL_HOST_PASSWORD = "vanthu@qk10.example", "bí mật"
    assert ids(settings) == []


def test_an_unknown_tls_mode_and_negative_days(settings):
    settings.SMTP_TLS = "tls"
    settings.REMIND_BEFORE_DAYS = -1
    assert ids(settings) == ["vanthu.E041", "vanthu.E042"]
