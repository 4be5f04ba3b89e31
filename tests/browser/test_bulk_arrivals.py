"""Issue 12 item 9 in Debian Chromium: Hoa selects arrivals with the keyboard (j/k move, x selects), registers
them at once, presents two to the commander in one go and opens the day's receipt slips; a batch holding
another unit's document is refused whole. Then Hùng's inbox: deadlines shown, unread marked, count in the title.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/commander-inbox.png; a normal run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, login, logout, shoot, signed_in
from vanthu.core.choices import Urgency
from vanthu.demo.characters import build_cast
from vanthu.documents.models import Direction, Document, DocumentType, ReceivedVia, Status
from vanthu.workflow.models import Assignment, AssignmentRole

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARRIVALS = [
    ("Bộ Tổng Tham mưu", "215", "BTTM-TC", "V/v kiểm tra sẵn sàng chiến đấu quý IV", Urgency.URGENT, 5),
    ("Cục Quân huấn", "42", "TB-QH", "Kết luận hội nghị tập huấn cán bộ năm 2026", Urgency.NORMAL, 10),
    ("Bộ Chỉ huy Quân sự tỉnh A", "318", "BCH-TM", "V/v phối hợp tìm kiếm cứu nạn mùa mưa bão", Urgency.NORMAL, 3),
]


def arrive(unit, doc_type, organ, number, notation, subject, urgency, days) -> Document:
    return Document.objects.create(
        direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit, doc_type=doc_type, organ_name=organ,
        subject=subject, code_number=number, code_notation=notation, urgency=urgency,
        issued_date=timezone.localdate() - dt.timedelta(days=2),
        due_date=timezone.localdate() + dt.timedelta(days=days),
        arrival_at=timezone.now(), received_via=ReceivedVia.EXCHANGE)


def test_bulk_register_present_and_slips_with_the_keyboard(live_server):
    from playwright.sync_api import expect, sync_playwright

    letter = DocumentType.objects.get(name="Công văn")
    cast = build_cast()
    docs = [arrive(cast.command, letter, *row) for row in ARRIVALS]
    staff_doc = arrive(cast.staff, letter, "Bộ Quốc phòng", "9", "BQP-TM", "V/v của Bộ Tham mưu", Urgency.NORMAL, 4)
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "hoa", errors=errors)
        page.goto(f"{base}/arrivals/")
        boxes = page.locator("#arrivals-table tbody input[data-select]")
        expect(boxes).to_have_count(3)
        # j focuses the first row, x selects it; j, j, x selects the third
        page.keyboard.press("j")
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("x")
        expect(boxes.nth(0)).to_be_checked()
        expect(boxes.nth(1)).not_to_be_checked()
        expect(boxes.nth(2)).to_be_checked()
        expect(page.locator("#bulk-register [data-selected-count]")).to_have_text("2 ✓")
        page.keyboard.press("x")  # x again clears it
        expect(boxes.nth(2)).not_to_be_checked()
        page.keyboard.press("x")
        page.get_by_role("button", name="Vào sổ các văn bản đã chọn").click()
        page.wait_for_url(f"{base}/arrivals/")
        expect(page.get_by_role("status")).to_contain_text("Đã vào sổ 2 văn bản")
        first_row = Document.objects.filter(status=Status.REGISTERED).order_by("number")
        assert first_row.count() == 2

        # the remaining arrival plus one of the Staff (another unit) sent in one batch: refused whole
        page.evaluate(
            "id => { const i = document.createElement('input'); i.type = 'hidden'; i.name = 'ids'; i.value = id;"
            " document.getElementById('bulk-register').appendChild(i); }", str(staff_doc.pk))
        page.locator("#arrivals-table tbody input[data-select]").first.check()
        page.get_by_role("button", name="Vào sổ các văn bản đã chọn").click()
        page.wait_for_url(f"{base}/arrivals/")
        expect(page.get_by_role("status")).to_contain_text("không thuộc đơn vị của đồng chí")
        staff_doc.refresh_from_db()
        assert staff_doc.status == Status.RECEIVED
        assert Document.objects.filter(unit=cast.command, status=Status.RECEIVED).count() == 1

        # present both registered ones to the commander in one go (the head is preselected)
        present = page.locator("#present-table tbody input[data-select]")
        expect(present).to_have_count(2)
        page.locator("#present-table thead input[data-select-all]").check()
        expect(page.locator("#bulk-present select[name=to] option:checked")).to_contain_text(
            "Trần Quốc Hùng, Tư lệnh — Bộ Tư lệnh")
        page.get_by_role("button", name="Trình các văn bản đã chọn").click()
        page.wait_for_url(f"{base}/arrivals/")
        expect(page.get_by_role("status")).to_contain_text("Đã trình Trần Quốc Hùng 2 văn bản.")
        assert Assignment.objects.filter(role=AssignmentRole.PRESENT, person=cast.hung).count() == 2

        # the day's receipt slips
        page.get_by_role("button", name="In phiếu nhận của ngày").click()
        page.wait_for_url(re.compile(r".*/arrivals/slips/\?day=.*"))
        expect(page.locator("article.slip")).to_have_count(2)
        expect(page.get_by_role("button", name="In", exact=True)).to_be_visible()
        logout(page)

        # Hùng's inbox: the two presented, deadlines shown, unread marked, the count in the tab title
        login(page, base, "hung")
        rows = page.locator("table.inbox tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text(ARRIVALS[0][3])  # urgent first
        expect(rows.first).to_contain_text((timezone.localdate() + dt.timedelta(days=5)).strftime("%d/%m/%Y"))
        expect(page.locator("table.inbox tr.unread")).to_have_count(2)
        assert page.title().startswith("(2) Hộp việc")
        shoot(page, "commander-inbox.png")
        page.get_by_role("link", name=re.compile("Hạn xử lý")).click()
        expect(page.locator("table.inbox tbody tr").first).to_contain_text(ARRIVALS[2][3])  # nearest deadline
        assert not errors, errors
        page.wait_for_load_state("networkidle")
        browser.close()

    assert {d.status for d in Document.objects.filter(pk__in=[d.pk for d in docs[:1]])} == {Status.PRESENTED}
