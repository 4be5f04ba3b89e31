"""In Debian Chromium: the commander directs a Tối mật document to the division while its commander, Dũng, is
cleared only for Mật — the page refuses, naming him, and nothing changes (issue 16).

The form offered the division when it was drawn (Dũng was then cleared for Tối mật); his clearance is lowered
before the commander sends it, so the action's own check answers. Drawn again, the form greys the division out.
Set VANTHU_SCREENSHOTS=<dir> to save docs/img/refusal-clearance.png.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.conftest import checked
from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, DocumentType, Status
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_directing_top_secret_to_a_unit_whose_leader_is_cleared_for_mat_is_refused(live_server):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    data = documents.IncomingData(doc_type=types["Công văn"], organ_name="Bộ Tổng Tham mưu", code_number="88",
                                  code_notation="BTTM-TC", subject="V/v phương án tác chiến phòng thủ khu vực 2027",
                                  urgency=Urgency.URGENT, secrecy=Secrecy.SECRET, signer_name="Nguyễn Văn An")
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data,
                                      file=checked(sample_incoming(), "phuong-an.pdf"))
    workflow.present(document=doc, acting=cast.hoa, to=cast.hung, note="Kính trình Tư lệnh (Tối mật).")
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "hung", height=900, errors=errors)
        page.goto(f"{base}/documents/{doc.pk}/direct/")
        page.get_by_role("textbox", name="Ý kiến chỉ đạo").fill(
            "Giao Sư đoàn 301 chủ trì xây dựng phương án; báo cáo Tư lệnh trước ngày 15.")
        lead = page.get_by_label("Chủ trì: Sư đoàn 301")
        expect(lead).to_be_enabled()
        lead.check()
        cast.dung.clearance = Secrecy.CONFIDENTIAL  # lowered while the form is open
        cast.dung.save(update_fields=["clearance"])
        page.get_by_role("button", name="Gửi ý kiến chỉ đạo").click()
        message = page.get_by_text("Không thể giao văn bản Tối mật cho “Sư đoàn 301”")
        expect(message).to_be_visible()
        expect(message).to_contain_text("Đặng Văn Dũng")
        message.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -160)")
        shoot(page, "refusal-clearance.png")

        page.goto(f"{base}/documents/{doc.pk}/direct/")  # drawn again: the division is no longer offered
        expect(page.get_by_label("Chủ trì: Sư đoàn 301")).to_be_disabled()
        expect(page.get_by_label("Chủ trì: Bộ Tham mưu")).to_be_enabled()
        assert not errors, errors
        page.wait_for_load_state("networkidle")
        browser.close()

    doc = Document.objects.get(pk=doc.pk)
    assert doc.status == Status.PRESENTED
    assert not Assignment.objects.filter(document=doc, role=AssignmentRole.LEAD).exists()
