"""Issue 12 item 2 in Debian Chromium: Hoa registers a letter a second time by mistake, is warned with a link to
the earlier entry, decides to register it anyway (the file is kept), then cancels the wrong entry with a reason:
its number stays in the register, marked cancelled.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/duplicate-warning.png; a normal run writes nothing.
"""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, shoot, signed_in
from tests.conftest import checked
from vanthu.demo.characters import CAST_BUILDER, build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, DocumentType, Status
from vanthu.org.agencies import AgencyRow
from vanthu.org.agency_actions import import_agencies

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registering_twice_is_caught_and_a_wrong_entry_is_cancelled(live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    cast = build_cast()
    today = timezone.localdate()
    earlier = documents.register_incoming(
        unit=cast.command, acting=cast.hoa, file=checked(sample_incoming(), "cv-1530.pdf"),
        data=documents.IncomingData(doc_type=types["Công văn"], organ_name="Bộ Quốc phòng", code_number="1530",
                                    code_notation="BQP-TM", issued_date=today,
                                    subject="V/v ứng phó khẩn cấp với bão số 5"),
    )
    import_agencies(rows=[AgencyRow(line=1, name="Bộ Quốc phòng", short_name="BQP")], acting=CAST_BUILDER)
    scan = tmp_path / "cong-van-1530.pdf"
    scan.write_bytes(sample_incoming())
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "hoa", height=900, errors=errors)
        page.goto(f"{base}/documents/incoming/new/")
        page.get_by_label("Loại văn bản").select_option(label="Công văn")
        page.get_by_label("Số", exact=True).fill("1530")
        page.get_by_label("Ký hiệu").fill("BQP-TM")
        page.get_by_label("Ngày ban hành").fill(today.isoformat())
        organ = page.get_by_label("Cơ quan ban hành")
        organ.fill("bo quoc")  # the catalogue answers without diacritics
        expect(page.locator("#issuing-bodies option[value='Bộ Quốc phòng']")).to_have_count(1)
        organ.fill("Bộ Quốc phòng")
        page.get_by_label("Trích yếu nội dung").fill("V/v ứng phó khẩn cấp với bão số 5")
        page.get_by_label("Tệp văn bản (PDF)").set_input_files(str(scan))
        page.get_by_role("button", name="Vào sổ", exact=True).click()

        warning = page.locator("#duplicate-warning")
        expect(warning).to_contain_text("Văn bản này có thể đã được vào sổ.")
        expect(warning.get_by_role("link", name=f"Số đến {earlier.number}")).to_have_attribute(
            "href", f"/documents/{earlier.pk}/")
        assert Document.objects.count() == 1
        shoot(page, "duplicate-warning.png")

        # the clerk decides: another copy was really received (the file is kept, no need to choose it again)
        page.get_by_role("button", name="Vẫn vào sổ").click()
        page.wait_for_url(re.compile(r".*/documents/\d+/$"))
        second = Document.objects.exclude(pk=earlier.pk).get()
        assert second.number == 2
        expect(page.get_by_role("status")).to_contain_text("dù trùng với văn bản đã có trong sổ")

        # … then finds it was a mistake and cancels the entry with a reason
        page.get_by_role("link", name="Hủy số đến").click()
        page.wait_for_url(f"{base}/documents/{second.pk}/cancel-entry/")
        page.get_by_label("Lý do").fill("Vào sổ trùng văn bản số đến 1")
        page.get_by_role("button", name="Hủy số đến").click()
        page.wait_for_url(f"{base}/documents/{second.pk}/")
        expect(page.get_by_role("status")).to_contain_text("Đã hủy số đến 2; số này không cấp lại.")

        page.goto(f"{base}/registers/incoming/")
        row = page.locator("table.register tbody tr.row-voided")
        expect(row).to_contain_text("Đã hủy số đến")
        expect(row).to_contain_text("Vào sổ trùng văn bản số đến 1")
        expect(row.locator("td").first).to_have_text("2")
        assert not errors, errors
        page.wait_for_load_state("networkidle")
        browser.close()

    second.refresh_from_db()
    assert second.status == Status.VOIDED
    assert second.number == 2
