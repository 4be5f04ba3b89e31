"""A round trip in Debian Chromium (issue 8): Lan issues the Staff's plan to the division and the province;
Minh, the division's clerk, registers it in one click from his queue of arrivals; the division's commander
directs it, Minh handles it to the end; Tâm returns the province's copy with a reason. Lan's page then shows,
per recipient, the trail of statuses — 01 arrived, 03 registered, 04 assigned, 05 in progress, 06 done; 01 and
02 with its reason — each marked honestly "nội bộ, chưa ký" (the local transport signs nothing).

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/status-trail.png; a normal run writes nothing.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.outbox_helpers import signed_plan
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft
from vanthu.documents import actions
from vanthu.documents.models import Document, DocumentType, Recipient
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET
from vanthu.workflow import actions as workflow

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sender_sees_the_trail_of_statuses_of_each_recipient(live_server):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    document = signed_plan(cast, types, sample_draft())
    actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET,
                           otp=code_for(cast.lan))  # jobs run on commit
    copy = Document.objects.get(source=document, unit=cast.division)
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)

        def person(username: str):
            return signed_in(browser, base, username, height=900)

        minh = person("minh")
        minh.goto(f"{base}/arrivals/")
        row = minh.locator("#arrivals-table tr", has_text=copy.subject)
        expect(row).to_contain_text("Liên thông nội bộ")
        row.get_by_role("button", name="Vào sổ").click()
        expect(minh.get_by_text("Đã vào sổ văn bản đến, số đến 1.")).to_be_visible()

        workflow.direct(document=copy, acting=cast.dung, text="Đồng chí Minh chủ trì triển khai.", lead=cast.minh)
        lead = copy.assignments.get(person=cast.minh)
        workflow.start(assignment=lead, acting=cast.minh)
        workflow.complete(assignment=lead, acting=cast.minh, result="Đã triển khai tới các trung đoàn.")
        province_copy = Document.objects.get(source=document, unit=cast.province)
        actions.return_received(document=province_copy, acting=cast.tam, reason="Không thuộc thẩm quyền của tỉnh")

        lan = person("lan")
        lan.goto(f"{base}/documents/{document.pk}/")
        panel = lan.locator("#recipients-panel")
        division = panel.get_by_role("list", name=f"Trạng thái {cast.division.name} báo về")
        for text in ("Đã đến", "Đã vào sổ", "Đã phân công xử lý", "Đang xử lý", "Đã xử lý xong"):
            expect(division).to_contain_text(text)
        expect(panel).to_contain_text("Không thuộc thẩm quyền của tỉnh")
        expect(panel.locator(".badge", has_text="nội bộ, chưa ký").first).to_be_visible()
        panel.scroll_into_view_if_needed()
        shoot(lan, "status-trail.png")
        browser.close()
    states = dict(Recipient.objects.filter(document=document, unit__isnull=False).values_list("unit_id", "state"))
    assert states == {cast.division.pk: Recipient.State.DONE, cast.province.pk: Recipient.State.RETURNED}
