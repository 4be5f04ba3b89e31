"""Security headers on every page (issue 13 item 2): every URL pattern of the pages (not the API's JSON, not the
edXML exchange), fetched by an administrator, a clerk and an anonymous visitor, answers with the strict
Content-Security-Policy and the other headers, whatever its status; and no template carries an inline script
or an `on…=` handler (the CSP would block them; htmx and vanthu's scripts are files under static/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

import vanthu
from vanthu.core.middleware import CSP

NOT_PAGES = ("api/v1/", "exchange/v1/")
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
SAMPLE = {"int": "1", "slug": "root", "uuid": "00000000-0000-0000-0000-000000000001", "path": "a"}


def page_urls() -> list[str]:
    """One URL per route of the URLconf (parameters filled with a sample value), the pages only."""
    urls: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            if not isinstance(pattern.pattern, RoutePattern):  # a regular expression: its sample is below
                continue
            route = prefix + str(pattern.pattern)
            if route.startswith(NOT_PAGES):
                continue
            urls.append("/" + ROUTE_PARAM.sub(lambda m: SAMPLE.get(m["converter"] or "str", "x"), route))

    walk(get_resolver().url_patterns, "")
    return [*sorted(set(urls)), "/pki/ocsp/MAA="]


def assert_secure_headers(response, url: str) -> None:
    where = f"{url} ({response.status_code})"
    assert response["Content-Security-Policy"] == CSP, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    assert response["Cross-Origin-Resource-Policy"] == "same-origin", where
    assert "camera=()" in response["Permissions-Policy"], where
    assert response["X-Frame-Options"] == "DENY", where


def test_the_content_security_policy_is_strict():
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] in {"'self'", "'none'"}
    assert "unsafe" not in CSP
    assert "*" not in CSP


def test_every_page_walked_covers_the_urlconf():
    urls = page_urls()
    assert len(urls) > 100
    assert "/login/" in urls
    assert "/quan-tri/khoa/" in urls
    assert "/documents/1/" in urls


@pytest.mark.parametrize("who", ["admin", "lan", None])
def test_every_page_answers_with_the_security_headers(cast, who):
    client = Client(raise_request_exception=False)
    if who:
        client.force_login(getattr(cast, who).user)
    for url in page_urls():
        assert_secure_headers(client.get(url), url)


def test_the_login_page_answers_with_the_security_headers(client, db):
    assert_secure_headers(client.get("/login/"), "/login/")


TEMPLATE_ROOT = Path(vanthu.__file__).parent
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
MAIL_TEMPLATES = {"notify/mail.html"}  # mail bodies: read by a mail client, not served as pages


def page_templates() -> list[Path]:
    return sorted(path for path in TEMPLATE_ROOT.rglob("templates/**/*.html"))


def test_no_template_has_an_inline_script_or_handler():
    found = []
    templates = page_templates()
    assert len(templates) > 50
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
            found += [f"{path.relative_to(TEMPLATE_ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)]
    assert found == []


def test_no_page_template_has_inline_styles():
    found = []
    for path in page_templates():
        if path.as_posix().split("/templates/", 1)[1] in MAIL_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        found += [str(path) for _ in re.finditer(r"<style\b|\sstyle\s*=", text, re.IGNORECASE)]
    assert found == []


def test_the_scanner_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/vanthu/app.js" defer></script>')
    assert HANDLER.search('<button type="button" onclick="go()">')
    assert not HANDLER.search('<button type="button" data-once="go">')
    assert JS_URL.search('<a href="javascript:void(0)">')
