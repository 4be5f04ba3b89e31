"""Issue 12, items 1 and 11 in Debian Chromium: Sơn opens the signing page of a draft whose signature block has
no name line; the preview of the final page warns him; he picks "Chữ ký" and clicks where it belongs on the
page; the warning goes, and the signature he then makes sits where he clicked. Then, once Lan has issued it,
the document page on a 390 px phone (item 11): no sideways scrolling, tables stacked, his name and the language
switch within reach, the PDF drawn by PDF.js.

Set VANTHU_SCREENSHOTS=<dir> to save preview-warning.png, preview-placed.png and phone-document.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import SCREENSHOTS, launch, shoot, signed_in
from tests.conftest import checked
from tests.documents import layouts
from tests.signing.pdf_checks import widget_rects
from vanthu.demo.characters import build_cast
from vanthu.documents import actions
from vanthu.documents.models import Document, DocumentType, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import pades
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def issue_in_a_thread(document, clerk) -> None:
    """Playwright's sync API runs an event loop in this thread; the seal's signing needs its own."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def work() -> None:
        try:
            actions.issue_outgoing(document=document, acting=clerk, secret=SIGNING_SECRET, otp=code_for(clerk))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(work).result()


def test_signer_places_the_signature_by_hand_on_the_preview_and_signs_it_there(live_server):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    equip_cast(cast, people=("son",), units=("staff",))
    draft = actions.create_draft(
        acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
        data=actions.DraftData(doc_type=types["KH"], subject="Huấn luyện chiến đấu năm 2027",
                               recipient_units=[cast.division], recipient_names=[]),
        file=checked(layouts.no_name_line(), "ke-hoach.pdf"))
    actions.submit_for_review(document=draft, acting=cast.quang, signer_authority=cast.son.signing_authorities.get())
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        page = signed_in(browser, base, "son", height=1000)
        page.goto(f"{base}/documents/{draft.pk}/sign/")
        warning = page.locator(".preview-doubts")
        expect(warning).to_contain_text("Không tìm thấy dòng họ tên người ký")
        page.locator("#preview").scroll_into_view_if_needed()
        shoot(page, "preview-warning.png")

        page.get_by_label("Chữ ký", exact=True).check()
        sheet = page.locator(".preview-page[data-preview-page='1'] .preview-sheet")
        box = sheet.bounding_box()
        assert box is not None
        sheet.click(position={"x": box["width"] * 0.7, "y": box["height"] * 0.6})
        expect(page.get_by_text("Đã đặt chữ ký vào vị trí đã chọn.")).to_be_visible()
        expect(page.locator(".preview-doubts")).to_have_count(0)
        expect(page.locator(".mark-signature.mark-by-hand")).to_have_count(1)
        page.locator("#preview").scroll_into_view_if_needed()
        shoot(page, "preview-placed.png")

        page.get_by_label("Mã PIN").fill(SIGNING_SECRET)
        page.get_by_label("Mã xác thực hai lớp").fill(code_for(cast.son))
        page.get_by_role("button", name="Xác nhận ký").click()
        expect(page.get_by_text("Đã ký số văn bản.")).to_be_visible()
        document = Document.objects.get(pk=draft.pk)
        assert document.status == Status.SIGNED
        x1, y1, x2, y2 = widget_rects(document.current_file.read_bytes())[pades.PERSONAL_FIELD]
        assert abs((x1 + x2) / 2 - 595.28 * 0.7) < 4
        assert abs((y1 + y2) / 2 - 841.89 * 0.4) < 4

        issue_in_a_thread(document, cast.lan)  # the recipients' table; signing runs its own event loop
        mobile = signed_in(browser, base, "son", width=390, height=844, is_mobile=True, has_touch=True,
                           device_scale_factor=2)
        mobile.goto(f"{base}/documents/{draft.pk}/")
        expect(mobile.locator(".who-name")).to_be_visible()
        expect(mobile.locator("#lang-select")).to_be_visible()
        errors: list[str] = []
        mobile.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        mobile.get_by_text("Xem văn bản ngay trên trang").click()
        expect(mobile.locator(".pdfjs-page canvas").first).to_be_visible(timeout=15000)
        assert not errors, errors
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        cells = mobile.locator(".doc-layout table.grid td[data-label]")
        assert cells.count() > 0  # stacked rows, each value under its column's name
        for i in range(cells.count()):
            box = cells.nth(i).bounding_box()
            assert box is None or box["x"] + box["width"] <= 390, (i, box)
        if SCREENSHOTS:  # from the top bar (name, language) through the stacked tables to the PDF
            mobile.evaluate("window.scrollTo(0, 0)")
            mobile.screenshot(path=str(Path(SCREENSHOTS) / "phone-document.png"), full_page=True,
                              clip={"x": 0, "y": 0, "width": 390, "height": 2600})
        browser.close()
