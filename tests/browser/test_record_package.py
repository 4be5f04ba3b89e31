"""The record package in Debian Chromium: on the record's page Lan (the Staff's clerk) finds the "Gói hồ sơ" panel
(loaded by htmx, no inline script), asks for the package, and downloads it once the job has made it; the file
verifies offline.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/records-package.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.records.package_fixtures import record  # noqa: F401 - the fixture
from vanthu.records.package import verify

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lan_exports_the_record_package_from_its_page(live_server, record, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "lan", errors=errors, accept_downloads=True)

        page.goto(f"{base}/ho-so/{record.pk}/")
        panel = page.locator("#package-panel")
        expect(panel).to_contain_text("Gói hồ sơ")
        panel.get_by_role("button", name="Xuất gói hồ sơ").click()
        expect(page.locator(".messages")).to_contain_text("Đang tạo gói hồ sơ")
        download_link = page.locator("#package-panel").get_by_role("link", name="Tải gói hồ sơ")
        expect(download_link).to_be_visible(timeout=60_000)
        shoot(page, "records-package.png", full_page=True)
        with page.expect_download() as info:
            download_link.click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        browser.close()
    assert saved.name.startswith("goi-ho-so-")
    assert verify.verify(Path(saved), signatures=False).exit_code == verify.EXIT_INTACT
    assert not errors, errors
