"""Look-up in Debian Chromium: Lan presses "/", types "duong ham" without diacritics; the documents spelled
"đường hầm" come first, then those that only fold to the same letters ("dương", "đương"…).

VANTHU_SCREENSHOTS=<dir> saves docs/img/search-no-diacritics.png (the typed query with marks "đường hầm"
would rank exactly; this one is typed bare, so both tiers show, phrase first)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.browser.helpers import launch, login, shoot
from tests.conftest import checked
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents import actions as documents
from vanthu.documents.models import DocumentType
from vanthu.search import indexing

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ("QĐ", "Bộ Tư lệnh Quân khu 10", "12", "QĐ-BTL", "Về việc sửa chữa đường hầm sở chỉ huy cơ bản", 3),
    ("KH", "Bộ Tham mưu", "43", "KH-BTTM", "Kế hoạch kiểm tra an toàn đường hầm kho đạn", 20),
    ("Công văn", "Cục Hậu cần", "215", "HC-DT", "V/v trồng cây dương chắn cát ven biển", 1),
    ("BC", "Trung đoàn 1", "77", "BC-E1", "Báo cáo đương nhiệm và hầm trú ẩn mùa mưa bão", 2),
    ("Công văn", "Bộ Quốc phòng", "1024", "BQP-TM", "V/v nâng cấp đường giao thông tuần tra biên giới", 5),
]


def test_query_typed_without_diacritics_lists_exact_phrase_first(live_server):
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    pdf = checked(sample_incoming(), "van-ban-den.pdf")
    today = dt.date(2026, 3, 1)
    for kind, organ, number, notation, subject, days in ROWS:
        documents.register_incoming(unit=cast.staff, acting=cast.lan, file=pdf, data=documents.IncomingData(
            doc_type=types[kind], organ_name=organ, subject=subject, code_number=number, code_notation=notation,
            issued_date=today - dt.timedelta(days=days)))
    indexing.sync_all()

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 760}, locale="vi-VN")
        login(page, live_server.url, "lan")
        page.keyboard.press("/")
        expect(page.locator("#topsearch-q")).to_be_focused()
        page.keyboard.type("duong ham")
        page.keyboard.press("Enter")
        titles = page.locator(".hit-title")
        expect(titles).to_have_count(3)
        texts = titles.all_inner_texts()
        assert "sửa chữa đường hầm" in texts[0]  # the phrase, newest first
        assert "an toàn đường hầm" in texts[1]
        assert "đương nhiệm và hầm" in texts[2]  # both syllables, not as a phrase
        expect(page.locator(".search-total")).to_contain_text("Tìm thấy 3 văn bản")
        expect(page.locator(".hit-title mark").first).to_have_text("đường")
        shoot(page, "search-no-diacritics.png")
        browser.close()
