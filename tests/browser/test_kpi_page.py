"""The KPI page in Debian Chromium (issue 14, checklist point 55): Hùng, commander, opens the paperless-office
indicators of the Command for the known world of tests/reports/kpi_world.py and sees each unit's row.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/kpis.png; a normal run writes nothing.
"""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.browser.helpers import launch, shoot, signed_in
from tests.reports import kpi_world
from tests.reports.kpi_world import D
from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_draft
from vanthu.documents.models import DocumentType

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_checklist_point_55_the_commander_reads_the_kpis_of_the_command(live_server):
    """Checklist point 55: the subtree's row and one row per unit, with the known figures."""
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    kpi_world.build(cast, types, sample_draft(), lambda execute: contextlib.nullcontext())
    with sync_playwright() as p:
        browser = launch(p)
        page = signed_in(browser, live_server.url, "hung", height=800)
        page.goto(f"{live_server.url}/reports/kpis/?unit={cast.command.pk}&from={D.isoformat()}&to={D.isoformat()}")
        table = page.locator("[data-kpis]")
        expect(table).to_contain_text("Bộ Tư lệnh Quân khu 10 (cả cấp dưới)")
        expect(table.locator("tr", has_text="Bộ Tham mưu")).to_contain_text("75,0 %")
        expect(table.locator("tr", has_text="Sư đoàn 301")).to_contain_text("50,0 %")
        shoot(page, "kpis.png")
        browser.close()
