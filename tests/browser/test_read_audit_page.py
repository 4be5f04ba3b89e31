"""The security officer's read-audit page in Debian Chromium (issue 13 item 3): Bảo, made security officer of
the Command by the administrator, filters who opened and downloaded the Command's documents from one address.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/read-audit.png; a normal run writes nothing.
"""

from __future__ import annotations

import os

import pytest
from django.test import RequestFactory

from tests.browser.helpers import launch, shoot, signed_in
from tests.browser.test_clerk_registers_commander_directs import earlier_documents
from vanthu.audit import reads
from vanthu.core.choices import Secrecy
from vanthu.demo.characters import CAST_BUILDER, DEMO_PASSWORD, build_cast
from vanthu.documents.models import Document, DocumentType
from vanthu.org import actions as org
from vanthu.org.models import Rank, Role

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reads(cast) -> None:
    """A morning's reads, as the pages record them (the address is the client's)."""
    factory = RequestFactory()
    docs = list(Document.objects.filter(unit=cast.command).order_by("pk"))
    plan = [(cast.hoa, docs[0], reads.VIEWED, "10.10.1.21"), (cast.hung, docs[0], reads.VIEWED, "10.10.1.5"),
            (cast.hung, docs[2], reads.DOWNLOADED, "10.10.1.5"), (cast.son, docs[1], reads.VIEWED, "10.20.3.14"),
            (cast.son, docs[1], reads.DOWNLOADED, "10.20.3.14"), (cast.hoa, docs[3], reads.PRINTED, "10.10.1.21"),
            (cast.binh, docs[3], reads.VIEWED, "10.10.1.7")]
    for person, doc, verb, ip in plan:
        request = factory.get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT="Mozilla/5.0 Chromium")
        reads.record_read(request=request, actor=person, verb=verb, target=doc, unit=doc.unit_id)
    request = factory.get("/", REMOTE_ADDR="10.20.3.14", HTTP_USER_AGENT="Mozilla/5.0 Chromium")
    reads.record_read(request=request, actor=cast.son, verb=reads.SEARCHED, unit=cast.command.pk,
                      data={"q": "tìm kiếm cứu nạn", "total": 2})


def test_the_security_officer_filters_the_reads_of_the_command(live_server):
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    earlier_documents(cast, {t.abbreviation or t.name: t for t in DocumentType.objects.all()})
    officer = org.create_person(username="baomat", password=DEMO_PASSWORD, full_name="Đỗ Văn Bảo",
                                unit=cast.office, acting=CAST_BUILDER, rank=Rank.DAI_UY,
                                position="Cán bộ bảo mật", clearance=Secrecy.TOP_SECRET, roles=())
    org.grant_role(person=officer, unit=cast.command, role=Role.SECURITY, acting=cast.admin)
    _reads(cast)
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "baomat", errors=errors)
        page.goto(f"{base}/reports/reads/")
        rows = page.locator("#reads-table tbody tr")
        expect(rows).to_have_count(8)
        page.get_by_label("Từ địa chỉ").fill("10.20.")
        page.get_by_role("button", name="Lọc").click()
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text(cast.son.full_name)
        page.get_by_label("Từ địa chỉ").fill("")
        page.get_by_label("Hành động").select_option(reads.VIEWED)
        page.get_by_role("button", name="Lọc").click()
        expect(rows).to_have_count(4)
        shoot(page, "read-audit.png")
        browser.close()
    assert errors == []
