"""The sender's view of a delivery in Debian Chromium: Lan issues the Staff's plan to the division and the
province; the province is deactivated, so its delivery fails with the reason; the division registers and the
status comes back; Lan sends to the province again once it is active.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/sender-deliveries.png; a normal run writes nothing.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.outbox_helpers import signed_plan
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft
from vanthu.documents import actions
from vanthu.documents.models import Document, DocumentType
from vanthu.org.models import Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sender_sees_each_delivery_and_sends_a_failed_one_again(live_server):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    document = signed_plan(cast, types, sample_draft())
    Unit.objects.filter(pk=cast.province.pk).update(is_active=False)
    actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET,
                           otp=code_for(cast.lan))  # jobs run on commit
    copy = Document.objects.get(source=document, unit=cast.division)
    actions.register_received(document=copy, acting=cast.minh)
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        page = signed_in(browser, base, "lan")
        page.goto(f"{base}/documents/{document.pk}/")
        recipients = page.locator("#h-recipients").locator("..")
        expect(recipients).to_contain_text("Đã tiếp nhận")  # the division registered it
        expect(recipients).to_contain_text("Không chuyển được")
        expect(recipients).to_contain_text("Đơn vị nhận đã ngừng hoạt động.")
        recipients.scroll_into_view_if_needed()
        shoot(page, "sender-deliveries.png")

        Unit.objects.filter(pk=cast.province.pk).update(is_active=True)
        recipients.get_by_role("button", name="Gửi lại").click()
        expect(page.get_by_text("Đã gửi lại văn bản đến Bộ Chỉ huy Quân sự tỉnh A.")).to_be_visible()
        expect(page.locator("#h-recipients").locator("..")).not_to_contain_text("Không chuyển được")
        browser.close()
    assert Document.objects.filter(source=document).count() == 2
