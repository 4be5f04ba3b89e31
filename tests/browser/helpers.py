"""What the browser tests share: Debian's Chromium and its flags, screenshots on demand, and signing in.

Set VANTHU_SCREENSHOTS=<dir> to save the screenshots the tests take (`shoot`); a normal run writes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from vanthu.demo.characters import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--lang=vi"]  # date inputs and file pickers as a Vietnamese clerk sees them
SCREENSHOTS = os.environ.get("VANTHU_SCREENSHOTS", "")


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, with the flags above. An `expect(...)` waits up to 15 s (Playwright's 5 s
    is short when the suite's other worker keeps both cores busy)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def shoot(page: Any, name: str, *, full_page: bool = False) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=full_page)


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def logout(page: Any) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r".*/login/.*"))


def signed_in(browser: Any, base: str, username: str, *, width: int = 1366, height: int = 860,
              errors: list[str] | None = None, **options: Any) -> Any:
    """A new page in a new context, in Vietnamese on Vietnam's time (`options` add to the context: is_mobile,
    accept_downloads…), signed in as `username`; its console errors are appended to `errors` when given."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    if errors is not None:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, base, username)
    return page
