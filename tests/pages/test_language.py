"""Vietnamese first; English is one click away (Django's set_language), also from the login page."""

from __future__ import annotations

from django.conf import settings


def test_pages_are_vietnamese_by_default(client, cast):
    client.force_login(cast.hung.user)
    text = client.get("/").content.decode()
    assert '<html lang="vi">' in text
    assert "Hộp việc" in text
    assert "Đăng xuất" in text


def test_switching_to_english_and_back(client, cast):
    client.force_login(cast.hung.user)
    page = client.post("/i18n/setlang/", {"language": "en", "next": "/registers/incoming/"})
    assert page.status_code == 302
    assert page["Location"] == "/registers/incoming/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_language_can_be_switched_before_logging_in(client, db):
    page = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert page.status_code == 302
    assert page["Location"] == "/login/"
    assert '<html lang="en">' in client.get("/login/").content.decode()


def test_every_page_offers_the_switch(client, cast):
    client.force_login(cast.lan.user)
    text = client.get("/registers/incoming/").content.decode()
    assert 'action="/i18n/setlang/"' in text
    assert 'value="en"' in text
