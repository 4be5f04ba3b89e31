"""The handling forms in Debian Chromium (checklist points 29 and 31): clerk Lan opens the Phiếu giải quyết văn
bản đến of a document Sơn directed to the Operations Department, and Sơn the Staff's report of incoming
documents handled on time, late and pending, each with its PDF and XLSX buttons.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/phieu-giai-quyet.png and docs/img/handling-report.png."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, shoot, signed_in
from tests.reports.conftest import SUBJECTS, at, register
from vanthu.core.actors import TEST_FIXTURES
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents.models import DocumentType
from vanthu.org import actions as org
from vanthu.org.models import Role
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_handling_slip_and_the_handling_report_in_the_browser(live_server):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    org.grant_role(person=cast.quang, unit=cast.operations, role=Role.LEADER, acting=TEST_FIXTURES)
    today = timezone.localdate()
    docs = [register(cast, types, sample_incoming(), subject=subject,
                     arrival=at(today - dt.timedelta(days=40 - 7 * i)), code_number=str(40 + i))
            for i, subject in enumerate(SUBJECTS)]
    for doc, lead, late in ((docs[0], cast.operations, False), (docs[1], cast.operations, True),
                            (docs[2], cast.quang, None)):
        workflow.present(document=doc, acting=cast.lan, to=cast.son, note="Kính trình Tham mưu trưởng")
        workflow.direct(document=doc, acting=cast.son, text="Phòng Tác chiến chủ trì, báo cáo kết quả trước hạn.",
                        lead=lead, deadline=today + dt.timedelta(days=10))
        task = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD, parent__isnull=True)
        if late is None:  # still open, its deadline passed
            Assignment.objects.filter(pk=task.pk).update(deadline=today - dt.timedelta(days=3))
        else:
            if late:
                Assignment.objects.filter(pk=task.pk).update(deadline=today - dt.timedelta(days=20))
            workflow.complete(assignment=task, acting=cast.quang, result="Đã kiểm tra, báo cáo Tham mưu trưởng.")
    base = live_server.url
    period = f"unit={cast.staff.pk}&from={today.year}-01-01&to={today.isoformat()}"

    with sync_playwright() as p:
        browser = launch(p)
        page = signed_in(browser, base, "lan", height=1000)
        page.goto(f"{base}/documents/{docs[0].pk}/")
        page.get_by_role("link", name="Phiếu giải quyết").click()
        expect(page.get_by_role("heading", name="PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", exact=True)).to_be_visible()
        expect(page.get_by_text("Phòng Tác chiến chủ trì, báo cáo kết quả trước hạn.").first).to_be_visible()
        expect(page.get_by_role("link", name="In (PDF)")).to_be_visible()
        shoot(page, "phieu-giai-quyet.png")

        leader = signed_in(browser, base, "son", height=900)
        leader.goto(f"{base}/reports/handling/handling-in/?{period}")
        table = leader.locator("table.grid")
        expect(table).to_contain_text("Phòng Tác chiến")
        expect(table).to_contain_text("Cộng")
        with leader.expect_download() as download:
            leader.get_by_role("link", name="Tải XLSX").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        shoot(leader, "handling-report.png")
        browser.close()
