"""Work records in Debian Chromium: Lan files a document from its page in two clicks, reads the record's page
(documents in order, totals, a secret document with its mark, history), closes another record and submits it to
the archive; the transfer list (mục lục hồ sơ nộp lưu).

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/records-page.png and docs/img/records-transfer.png.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, shoot, signed_in
from tests.records.conftest import incoming
from vanthu.core.choices import Secrecy
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents.models import DocumentType
from vanthu.records import actions, catalogue_actions
from vanthu.records.models import RecordItem, RecordState

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECTS = ["V/v kế hoạch huấn luyện chiến sĩ mới năm", "V/v tổ chức kiểm tra huấn luyện quý I",
            "V/v bảo đảm vật chất huấn luyện", "V/v báo cáo kết quả huấn luyện tháng 3",
            "V/v hội thao quân sự cấp Quân khu"]


def build_story(cast):
    from vanthu.documents import doctypes

    doctypes.ensure(DocumentType)
    doc_types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    pdf = sample_incoming()
    year = timezone.localdate().year
    cat = catalogue_actions.create_catalogue(unit=cast.staff, year=year, acting=cast.lan, copy_previous=False)
    heading = catalogue_actions.add_heading(catalogue=cat, title="Công tác tác chiến, huấn luyện", code="I",
                                            acting=cast.lan)
    catalogue_actions.add_entry(catalogue=cat, code="01.TC", title="Hồ sơ công tác huấn luyện năm", heading=heading,
                                retention_years=20, responsible=cast.lan, suggest_words="huấn luyện",
                                acting=cast.lan)
    catalogue_actions.add_entry(catalogue=cat, code="02.TC", title="Hồ sơ diễn tập khu vực phòng thủ",
                                heading=heading, retention_years=None, responsible=cast.lan, acting=cast.lan)
    more = [("03.TC", "Hồ sơ trực sẵn sàng chiến đấu dịp Tết", 10, "V/v trực sẵn sàng chiến đấu dịp Tết"),
            ("04.TC", "Hồ sơ hội thi chỉ huy tham mưu", 20, "V/v tổ chức hội thi chỉ huy tham mưu"),
            ("05.TC", "Hồ sơ bảo đảm bản đồ tác chiến", None, "V/v bảo đảm bản đồ phục vụ tác chiến")]
    for code, title, years, _subject in more:
        catalogue_actions.add_entry(catalogue=cat, code=code, title=title, heading=heading, retention_years=years,
                                    responsible=cast.lan, acting=cast.lan)
    catalogue_actions.approve_catalogue(catalogue=cat, acting=cast.son)
    training = actions.open_record(entry=cat.entries.get(code="01.TC"), acting=cast.lan)
    drill = actions.open_record(entry=cat.entries.get(code="02.TC"), acting=cast.lan)
    docs = []
    for n, subject in enumerate(SUBJECTS):
        doc = incoming(cast, doc_types, pdf, subject=subject, number=str(140 + n))
        doc.issued_date = dt.date(year, 1, 5) + dt.timedelta(days=9 * n)
        doc.save(update_fields=["issued_date"])
        docs.append(doc)
    for doc in docs[:-1]:
        actions.file_document(record=training, document=doc, acting=cast.lan)
    secret = incoming(cast, doc_types, pdf, subject="Kế hoạch bảo đảm an toàn huấn luyện bắn đạn thật",
                      secrecy=Secrecy.CONFIDENTIAL, number="151")
    actions.file_document(record=training, document=secret, acting=cast.lan)
    plan = incoming(cast, doc_types, pdf, subject="Quyết định diễn tập khu vực phòng thủ tỉnh A", number="152")
    actions.file_document(record=drill, document=plan, acting=cast.lan)
    actions.close_record(record=drill, acting=cast.lan)
    for n, (code, _title, _years, subject) in enumerate(more):
        record = actions.open_record(entry=cat.entries.get(code=code), acting=cast.lan)
        for k in range(2 + n):
            doc = incoming(cast, doc_types, pdf, subject=f"{subject} (lần {k + 1})", number=str(160 + 10 * n + k))
            doc.issued_date = dt.date(year, 2, 1) + dt.timedelta(days=11 * n + 3 * k)
            doc.save(update_fields=["issued_date"])
            actions.file_document(record=record, document=doc, acting=cast.lan)
        actions.close_record(record=record, acting=cast.lan)
    return training, drill, docs[-1], year


def test_lan_files_a_document_in_two_clicks_and_submits_a_record_to_the_archive(live_server):
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    training, drill, last, year = build_story(cast)
    base = live_server.url
    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "lan", errors=errors)

        page.goto(f"{base}/documents/{last.pk}/")
        page.get_by_role("link", name="Lưu vào hồ sơ").click()  # click 1: the panel, by htmx
        suggested = page.locator(".file-panel button[name=record]").first
        expect(suggested).to_contain_text("01.TC")
        suggested.click()  # click 2: filed
        expect(page.locator(".messages")).to_contain_text("Đã lưu văn bản vào hồ sơ 01.TC")
        assert RecordItem.objects.filter(record=training, document=last, ordinal=6).exists()

        page.goto(f"{base}/ho-so/{training.pk}/")
        expect(page.locator("table[data-items] tbody tr")).to_have_count(6)
        expect(page.locator("[data-totals]")).to_contain_text("Tổng số: 6 văn bản")
        expect(page.locator("table[data-items] .badge").first).to_contain_text("MẬT")
        shoot(page, "records-page.png", full_page=True)

        page.goto(f"{base}/ho-so/nop-luu/?year={year}")
        expect(page.locator("table[data-due]")).to_contain_text("02.TC")
        page.get_by_role("button", name="Nộp lưu các hồ sơ đã chọn").click()
        expect(page.locator("table[data-transfer]")).to_contain_text("Hồ sơ diễn tập khu vực phòng thủ")
        expect(page.locator("table[data-transfer]")).to_contain_text("Vĩnh viễn")
        expect(page.locator("table[data-transfer] tbody tr")).to_have_count(4)
        shoot(page, "records-transfer.png", full_page=True)
        browser.close()
    drill.refresh_from_db()
    assert drill.transfer is not None
    assert drill.state == RecordState.CLOSED
    assert not errors, errors
