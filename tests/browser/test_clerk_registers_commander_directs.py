"""The incoming flow in Debian Chromium: Hoa registers a document, Hùng directs it, Dũng receives it.

Set VANTHU_SCREENSHOTS=<dir> to save the screenshots of docs/img (the clerk's register, the commander's
inbox, the inbox at phone width); a normal run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, login, logout, shoot, signed_in
from tests.conftest import checked
from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft, sample_incoming
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, DocumentType
from vanthu.workflow import actions as workflow

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses database calls from a
# thread with a running loop unless told that this (synchronous, single-threaded) use is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def earlier_documents(cast, types) -> None:
    """What the Command's register already holds this morning (so the register and the inbox look lived in)."""
    pdf = checked(sample_incoming(), "van-ban-den.pdf")
    rows = [
        ("Công văn", "Bộ Tổng Tham mưu", "215", "BTTM-TC", "V/v kiểm tra sẵn sàng chiến đấu quý II", Urgency.NORMAL,
         Secrecy.NONE),
        ("TB", "Cục Quân huấn", "42", "TB-QH", "Kết luận hội nghị tập huấn cán bộ năm 2026", Urgency.NORMAL,
         Secrecy.NONE),
        ("Công văn", "Bộ Chỉ huy Quân sự tỉnh A", "318", "BCH-TM", "V/v phối hợp tìm kiếm cứu nạn mùa mưa bão",
         Urgency.VERY_URGENT, Secrecy.NONE),
        ("KH", "Tổng cục Chính trị", "77", "KH-TCCT", "Tổ chức các hoạt động kỷ niệm ngày thành lập Quân khu",
         Urgency.NORMAL, Secrecy.NONE),
        ("Công văn", "Bộ Quốc phòng", "1024", "BQP-VP", "V/v triển khai chữ ký số trong Quân đội", Urgency.URGENT,
         Secrecy.NONE),
        ("QĐ", "Bộ Quốc phòng", "2310", "QĐ-BQP", "Về việc điều động cán bộ", Urgency.NORMAL, Secrecy.NONE),
    ]
    made = []
    for type_key, organ, number, notation, subject, urgency, secrecy in rows:
        data = documents.IncomingData(
            doc_type=types[type_key], organ_name=organ, subject=subject, code_number=number,
            code_notation=notation, issued_date=timezone.localdate() - dt.timedelta(days=3), urgency=urgency,
            secrecy=secrecy, signer_name="Nguyễn Văn An",
        )
        made.append(documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=pdf))
    # one already presented and directed, one presented and waiting (they show in the commander's inbox)
    workflow.present(document=made[2], acting=cast.hoa, to=cast.hung)
    workflow.present(document=made[4], acting=cast.hoa, to=cast.hung)
    workflow.present(document=made[0], acting=cast.hoa, to=cast.hung)
    workflow.direct(document=made[0], acting=cast.hung, text="Giao Bộ Tham mưu chủ trì.", lead=cast.staff,
                    deadline=timezone.localdate() + dt.timedelta(days=10))
    # the deputy commander directs one and keeps the commander informed
    workflow.present(document=made[3], acting=cast.hoa, to=cast.binh)
    workflow.direct(document=made[3], acting=cast.binh, text="Giao Văn phòng chủ trì, báo cáo Tư lệnh.",
                    lead=cast.office, info=[cast.hung], deadline=timezone.localdate() + dt.timedelta(days=14))
    # a plan of the Command waiting for the commander's signature, due tomorrow
    draft = documents.create_draft(
        acting=cast.hoa, drafting_unit=cast.office, issuing_unit=cast.command,
        data=documents.DraftData(doc_type=types["KH"], subject="Phòng chống lụt bão, tìm kiếm cứu nạn năm 2027",
                                 urgency=Urgency.URGENT, due_date=timezone.localdate() + dt.timedelta(days=1),
                                 recipient_units=[cast.division, cast.province]),
        file=checked(sample_draft(), "ke-hoach-pclb.pdf"),
    )
    documents.submit_for_review(document=draft, acting=cast.hoa,
                                signer_authority=cast.hung.signing_authorities.get())


def test_clerk_registers_and_commander_directs(live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    earlier_documents(cast, types)
    scan = tmp_path / "cong-van-hoa-toc.pdf"
    scan.write_bytes(sample_incoming())
    base = live_server.url
    deadline = timezone.localdate() + dt.timedelta(days=7)

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []

        # Hoa, the Command's clerk, receives a fire-urgent paper document and registers it.
        page = signed_in(browser, base, "hoa", errors=errors)
        page.keyboard.press("n")  # shortcut: receive a new incoming document
        page.wait_for_url(f"{base}/documents/incoming/new/")
        page.get_by_label("Loại văn bản").select_option(label="Công văn")
        page.get_by_label("Số", exact=True).fill("1530")
        page.keyboard.press("Tab")
        page.keyboard.type("BQP-TM")  # Tab moved to Ký hiệu
        page.get_by_label("Ngày ban hành").fill(timezone.localdate().isoformat())
        page.get_by_label("Cơ quan ban hành").fill("Bộ Quốc phòng")
        page.get_by_label("Trích yếu nội dung").fill("V/v ứng phó khẩn cấp với bão số 5")
        page.get_by_label("Độ khẩn").select_option(label="Hỏa tốc")
        page.get_by_label("Tệp văn bản (PDF)").set_input_files(str(scan))
        page.get_by_role("button", name="Vào sổ", exact=True).click()
        page.wait_for_url(re.compile(r".*/documents/\d+/$"))
        document = Document.objects.get(code_number="1530")
        expect(page.get_by_role("status")).to_contain_text(f"số đến {document.number}")
        assert document.number == 7
        assert document.urgency == Urgency.FLASH

        page.goto(f"{base}/registers/incoming/")
        expect(page.locator("table.register tbody tr").first).to_contain_text("V/v ứng phó khẩn cấp với bão số 5")
        shoot(page, "clerk-incoming-register.png")

        # … and presents it to the commander, with the keyboard: "t" opens the form, Enter sends it.
        page.goto(f"{base}/documents/{document.pk}/")
        page.keyboard.press("t")
        page.wait_for_url(f"{base}/documents/{document.pk}/present/")
        expect(page.get_by_label(re.compile("Trần Quốc Hùng"))).to_be_checked()
        page.get_by_label("Lời trình").fill("Kính trình Tư lệnh cho ý kiến chỉ đạo (hỏa tốc).")
        page.keyboard.press("Tab")  # from the note to the "Trình" button
        expect(page.get_by_role("button", name="Trình", exact=True)).to_be_focused()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/documents/{document.pk}/")
        expect(page.get_by_role("status")).to_contain_text("Đã trình Trần Quốc Hùng")
        logout(page)

        # Hùng sees it first in his inbox (fire-urgent), opens it and directs it.
        login(page, base, "hung")
        first = page.locator("table.inbox tbody tr").first
        expect(first).to_contain_text("V/v ứng phó khẩn cấp với bão số 5")
        expect(first).to_contain_text("HỎA TỐC")
        shoot(page, "commander-inbox.png")
        page.set_viewport_size({"width": 375, "height": 812})
        shoot(page, "inbox-phone.png")
        page.set_viewport_size({"width": 1366, "height": 860})

        page.keyboard.press("j")  # focus the first row's document link
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/documents/{document.pk}/")
        page.get_by_role("link", name="Cho ý kiến chỉ đạo").click()
        page.wait_for_url(f"{base}/documents/{document.pk}/direct/")
        direction = page.get_by_role("textbox", name="Ý kiến chỉ đạo")
        direction.fill("Giao Sư đoàn 301 chủ trì, Bộ Tham mưu phối hợp triển khai ngay; báo cáo kết quả trước hạn.")
        page.get_by_label("Hạn xử lý").fill(deadline.isoformat())
        # the people picker redraws the target matrix through htmx (under the strict CSP)
        page.get_by_label("Cán bộ của đơn vị").select_option(label="Sư đoàn 301")
        expect(page.get_by_label("Để biết: Thiếu tá Đỗ Văn Minh", exact=False)).to_be_visible()
        page.get_by_label("Chủ trì: Sư đoàn 301").check()
        page.get_by_label("Phối hợp: Bộ Tham mưu").focus()
        page.keyboard.press("Space")
        expect(page.get_by_label("Phối hợp: Bộ Tham mưu")).to_be_checked()
        direction.press("Control+Enter")
        page.wait_for_url(f"{base}/documents/{document.pk}/")
        expect(page.get_by_role("status")).to_contain_text("Đã cho ý kiến chỉ đạo")
        expect(page.locator("table.assignments")).to_contain_text("Sư đoàn 301")
        logout(page)

        # Dũng, the division's commander, now has it in his inbox, to assign within the division.
        login(page, base, "dung")
        row = page.locator("table.inbox tbody tr", has_text="V/v ứng phó khẩn cấp với bão số 5")
        expect(row).to_contain_text("Giao cho đơn vị, chờ phân công")
        expect(row).to_contain_text(deadline.strftime("%d/%m/%Y"))
        assert not errors, errors
        page.wait_for_load_state("networkidle")  # no request still running when the server stops
        browser.close()

    document.refresh_from_db()
    assert document.status == "directed"
    assert document.due_date == deadline
