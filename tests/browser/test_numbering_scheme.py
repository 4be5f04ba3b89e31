"""The numbering-scheme page in Debian Chromium (issue 14, checklist point 6): Sơn, head of the Staff, sees this
year's scheme, switches next year's to one series per group of types, sees the series change before saving (htmx
preview), then saves. A scheme for the current year cannot be chosen on the page.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/numbering-scheme.png; a normal run writes nothing.
"""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, shoot, signed_in
from vanthu.demo.characters import build_cast
from vanthu.documents.models import NumberingPlan

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_checklist_point_6_the_head_previews_then_saves_next_years_scheme(live_server):
    """Checklist point 6: the effect is shown before saving; saving sets next year only."""
    from playwright.sync_api import expect, sync_playwright

    build_cast()
    base = live_server.url
    year = timezone.localdate().year
    with sync_playwright() as p:
        browser = launch(p)
        page = signed_in(browser, base, "son", height=1000)
        page.get_by_role("link", name="Cách cấp số").click()
        expect(page.get_by_role("heading", name=f"Năm {year} (đang áp dụng)")).to_be_visible()
        page.get_by_label("Mỗi nhóm loại văn bản một dãy số").check()
        page.get_by_label("Các nhóm loại văn bản").fill("QĐ, CT, QC, QyĐ\nKH, PA, ĐA, DA\nCông văn, Thư công")
        preview = page.locator("#preview")
        expect(preview).to_contain_text("Sổ nhóm 3")  # shown by htmx, nothing saved yet
        expect(preview).to_contain_text("Công văn, Thư công")
        assert not NumberingPlan.objects.exists()
        shoot(page, "numbering-scheme.png")
        page.get_by_role("button", name=f"Lưu cách cấp số năm {year + 1}").click()
        expect(page.get_by_text(f"Đã quy định cách cấp số văn bản đi năm {year + 1} của Bộ Tham mưu.")).to_be_visible()
        browser.close()
    plan = NumberingPlan.objects.get()
    assert (plan.year, plan.scheme, len(plan.groups)) == (year + 1, "groups", 3)
