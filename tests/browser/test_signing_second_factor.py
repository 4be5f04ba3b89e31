"""Decision 0020 in Debian Chromium: Sơn signs in two clicks with one code — "Ký số" on the document page opens
the dialog, where he types his key's PIN and the code of his authenticator app in the same step, then
"Xác nhận ký". A wrong code first: the dialog says so and nothing is signed.

Set VANTHU_SCREENSHOTS=<dir> to save signing-2fa.png (docs/img/signing-2fa.png).
"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.conftest import checked
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft
from vanthu.documents import actions
from vanthu.documents.models import Document, DocumentType, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signer_types_pin_and_code_in_one_step(live_server, settings):
    from playwright.sync_api import expect, sync_playwright

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code follows the wrong one at once
    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    equip_cast(cast, people=("son",), units=("staff",))
    draft = actions.create_draft(
        acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
        data=actions.DraftData(doc_type=types["KH"], subject="Huấn luyện chiến đấu năm 2027",
                               recipient_units=[cast.division], recipient_names=[]),
        file=checked(sample_draft(), "ke-hoach.pdf"))
    actions.submit_for_review(document=draft, acting=cast.quang, signer_authority=cast.son.signing_authorities.get())
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        page = signed_in(browser, base, "son", height=900)
        page.goto(f"{base}/documents/{draft.pk}/")
        page.get_by_role("link", name="Ký số", exact=True).first.click()  # click 1: the dialog
        code = page.get_by_label("Mã xác thực hai lớp")
        expect(code).to_be_visible()
        page.get_by_label("Mã PIN").fill(SIGNING_SECRET)
        code.fill(code_for(cast.son))
        shoot(page, "signing-2fa.png")  # the dialog: the key's PIN and the code in one step
        code.fill("000000" if code_for(cast.son) != "000000" else "111111")
        page.get_by_role("button", name="Xác nhận ký").click()
        expect(page.get_by_text("Mã xác thực không đúng hoặc đã được dùng.")).to_be_visible()
        assert Document.objects.get(pk=draft.pk).status == Status.AWAITING_SIGNATURE

        page.get_by_label("Mã PIN").fill(SIGNING_SECRET)
        page.get_by_label("Mã xác thực hai lớp").fill(code_for(cast.son))
        page.get_by_role("button", name="Xác nhận ký").click()  # click 2, one code
        expect(page.get_by_text("Đã ký số văn bản.")).to_be_visible()
        assert Document.objects.get(pk=draft.pk).status == Status.SIGNED
        browser.close()
