"""The API's docs page in Debian Chromium: Swagger UI from our own static files under the site's CSP shows every
operation, and an operation opened shows its rules, its error answers and their examples.

Set VANTHU_SCREENSHOTS=<dir> to save api-openapi.png; a normal run writes nothing.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import launch, shoot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_shows_operations_with_their_errors_and_examples(live_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 1400}).new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
                and "script" in m.text else None)
        page.goto(f"{live_server.url}/api/v1/docs")
        expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
        assert page.locator(".opblock").count() >= 56
        review = page.locator(".opblock-post", has_text="/api/v1/documents/{document_id}/review")
        review.locator(".opblock-summary").click()
        expect(page.get_by_text("whitespace is not a comment", exact=False)).to_be_visible()
        expect(review.get_by_text("idempotency_key_reused", exact=False).first).to_be_attached()
        expect(review.locator(".response[data-code='422']")).to_be_visible()
        review.locator(".opblock-summary").evaluate("e => e.scrollIntoView()")
        shoot(page, "api-openapi.png")
        assert blocked == []
        browser.close()
