"""The bell in Debian Chromium: Minh sees two unread notifications in the top bar, opens one (it takes him to
the document's address and the count drops), then marks the rest read.

Set VANTHU_SCREENSHOTS=<dir> to save notify-bell.png; a normal run writes nothing.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import launch, login, shoot
from vanthu import notify
from vanthu.demo.characters import build_cast
from vanthu.notify.models import Kind

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_opens_and_clears(live_server):
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    notify.send(cast.minh, kind=Kind.REMINDER, title="Sắp đến hạn 06/09/2027: Chủ trì: V/v diễn tập phòng thủ",
                url="/thong-bao/cai-dat/", key="a", body="Còn 2 ngày làm việc đến hạn xử lý (06/09/2027).")
    notify.send(cast.minh, kind=Kind.TASK, title="Việc mới: V/v báo cáo quân số", url="", key="b")
    base = live_server.url
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 760}).new_page()
        login(page, base, "minh")
        expect(page.locator("#bell-count")).to_have_text("2")
        page.locator("a.bell").click()
        page.wait_for_url(f"{base}/thong-bao/")
        shoot(page, "notify-bell.png")
        page.get_by_role("button", name="Sắp đến hạn 06/09/2027: Chủ trì: V/v diễn tập phòng thủ").click()
        page.wait_for_url(f"{base}/thong-bao/cai-dat/")
        expect(page.locator("#bell-count")).to_have_text("1")
        page.goto(f"{base}/thong-bao/")
        page.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
        expect(page.get_by_text("Đã đánh dấu 1 thông báo là đã đọc.")).to_be_visible()
        expect(page.locator("#bell-count")).to_have_text("0")
        browser.close()
