"""Issue 12, item 6, in Debian Chromium: Hoa works down her queue "Chờ trình" from the inbox — each "Trình"
opens the next document of the queue until it is empty; the action box of a registered document offers only
what its state allows; Quang finds his draft in "Văn bản của tôi" typing without diacritics. And the error page
(item 5) in the site's design.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/error-page.png; a normal run writes nothing.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.helpers import launch, login, logout, shoot, signed_in
from tests.conftest import checked
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft, sample_incoming
from vanthu.documents import actions
from vanthu.documents.models import Document, DocumentType, Status

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_works_down_her_queue_and_the_drafter_finds_his_draft(live_server):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    registered = [actions.register_incoming(
        unit=cast.command, acting=cast.hoa,
        data=actions.IncomingData(doc_type=types["Công văn"], organ_name="Bộ Tổng Tham mưu", subject=subject,
                                  code_number=str(300 + n), code_notation="BTTM-TC"),
        file=checked(sample_incoming(), f"cv-{n}.pdf"))
        for n, subject in enumerate(["V/v kiểm tra sẵn sàng chiến đấu", "V/v tập huấn cán bộ"], start=1)]
    actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                         data=actions.DraftData(doc_type=types["KH"], subject="Kế hoạch huấn luyện năm 2027"),
                         file=checked(sample_draft()))
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "hoa", errors=errors)
        # the action box of a registered document: only what "Đã vào sổ" allows
        page.goto(f"{base}/documents/{registered[0].pk}/")
        box = page.get_by_role("group", name="Thao tác")
        expect(box.get_by_role("link", name="Kiểm tra và vào sổ")).to_have_count(0)
        expect(box.get_by_role("link", name="Ký số", exact=True)).to_have_count(0)
        expect(box.get_by_role("link", name="Soạn văn bản trả lời")).to_be_visible()

        page.goto(f"{base}/")
        page.locator("table.inbox tbody tr", has_text="Chờ trình").first.get_by_role("link", name="Trình").click()
        page.wait_for_url(re.compile(r".*/documents/\d+/present/\?queue=present$"))
        first = int(page.url.split("/documents/")[1].split("/")[0])
        page.get_by_role("button", name="Trình", exact=True).click()
        # the next document of the queue opens at once, its form ready
        page.wait_for_url(re.compile(r".*/documents/\d+/present/\?queue=present$"))
        second = int(page.url.split("/documents/")[1].split("/")[0])
        assert second != first
        expect(page.get_by_role("status")).to_contain_text("Mở việc tiếp theo trong hàng “Chờ trình”.")
        page.get_by_role("button", name="Trình", exact=True).click()
        page.wait_for_url(f"{base}/")
        expect(page.get_by_role("status")).to_contain_text("Đã hết việc trong hàng “Chờ trình”.")
        assert {d.status for d in Document.objects.filter(pk__in=[first, second])} == {Status.PRESENTED}

        # the error page, in the site's design, with the menu and a way back
        page.goto(f"{base}/documents/999999/")
        expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
        expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()
        expect(page.get_by_role("link", name="Về hộp việc")).to_be_visible()
        shoot(page, "error-page.png")
        logout(page)

        login(page, base, "quang")
        page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Văn bản của tôi").click()
        page.get_by_label("Từ khóa (không cần dấu)").fill("ke hoach huan luyen")
        page.get_by_role("button", name="Lọc").click()
        expect(page.locator("table.grid tbody")).to_contain_text("Kế hoạch huấn luyện năm 2027")
        expect(page.locator("table.grid tbody")).to_contain_text("Đã soạn")
        page.get_by_label("Từ khóa (không cần dấu)").fill("dien tap")
        page.get_by_role("button", name="Lọc").click()
        expect(page.locator("table.grid tbody")).to_contain_text("Không có văn bản nào.")
        assert not [e for e in errors if "404" not in e], errors
        page.wait_for_load_state("networkidle")
        browser.close()
