"""Checklist point 55 (issue 14): the KPIs of a unit and its subtree over a period, computed for a small known
world (tests/reports/kpi_world.py) with exact figures; the page for leaders with its XLSX; leaders only."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.reports import kpi_world
from tests.reports.kpi_world import D
from vanthu.records import kpis


@pytest.fixture
def world(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    return kpi_world.build(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks)


def test_checklist_point_55_the_kpis_of_a_small_known_world(cast, world):
    """Checklist point 55: the Staff issued 4 (3 dual-signed: 75 %; of the 3 signed in vanthu, 2 sent the day
    they were signed: 66.7 %), opened 1 work record and filed 1 of its 4 documents (25 %); the division got 2
    electronically (1 acknowledged the same day: 50 %), reached 04 after 2 and 26 hours (mean 14) and 06 once
    after 24 hours."""
    staff = kpis.compute(cast.staff, D, D)
    assert (staff.outgoing_issued, staff.dual_signed, staff.dual_signed_pct) == (4, 3, 75.0)
    assert (staff.signed_in_system, staff.same_day_sent, staff.same_day_sent_pct) == (3, 2, 66.7)
    assert (staff.incoming_electronic, staff.same_day_acknowledged_pct) == (0, None)
    assert (staff.records_opened, staff.records_closed_pct, staff.records_transferred_pct) == (1, 0.0, 0.0)
    assert (staff.documents, staff.documents_filed, staff.documents_filed_pct) == (4, 1, 25.0)

    division = kpis.compute(cast.division, D, D)
    assert (division.outgoing_issued, division.dual_signed_pct) == (0, None)
    assert (division.incoming_electronic, division.same_day_acknowledged, division.same_day_acknowledged_pct) == (
        2, 1, 50.0)
    assert (division.reached_04, division.hours_to_04) == (2, 14.0)
    assert (division.reached_06, division.hours_to_06) == (1, 24.0)
    assert (division.documents, division.documents_filed_pct, division.records_opened) == (2, 0.0, 0)


def test_checklist_point_55_the_subtree_adds_up_and_lists_its_units(cast, world):
    """Checklist point 55: the Command's figures are its subtree's (the province's arrival too), with one row
    per unit under it; a period without the world's days counts nothing."""
    command = kpis.compute(cast.command, D, D, with_children=True)
    assert (command.outgoing_issued, command.dual_signed, command.same_day_sent) == (4, 3, 2)
    assert (command.incoming_electronic, command.same_day_acknowledged) == (3, 1)
    assert [c.unit for c in command.children] == [cast.office, cast.staff, cast.politics, cast.division,
                                                  cast.province]
    assert [c.outgoing_issued for c in command.children] == [0, 4, 0, 0, 0]
    before = kpis.compute(cast.command, D.replace(day=1, month=1), D.replace(month=2, day=28))
    assert (before.outgoing_issued, before.incoming_electronic, before.records_opened) == (0, 0, 0)
    assert before.dual_signed_pct is None


def test_checklist_point_55_the_kpi_page_and_its_xlsx_for_the_leader(client, cast, world):
    """Checklist point 55: the commander's page shows the subtree and each unit; the XLSX holds the same rows."""
    client.force_login(cast.hung.user)
    query = {"unit": cast.command.pk, "from": D.isoformat(), "to": D.isoformat()}
    page = client.get("/reports/kpis/", query).content.decode()
    assert "Chỉ số văn phòng điện tử" in page
    assert "Bộ Tư lệnh Quân khu 10 (cả cấp dưới)" in page
    assert "75,0 %" in page
    assert "66,7 %" in page
    assert "33,3 %" in page
    response = client.get("/reports/kpis/", {**query, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[str(c.value) for c in row if c.value is not None] for row in sheet.iter_rows()]
    staff_row = next(row for row in values if row and row[0] == "Bộ Tham mưu")
    assert staff_row[1:5] == ["4", "75,0 %", "66,7 %", "0"]


def test_checklist_point_55_a_leader_sees_only_their_subtree(client, cast, world):
    """Checklist point 55: the head of the Staff sees the Staff, not the division (404); a clerk sees none."""
    client.force_login(cast.son.user)
    assert client.get("/reports/kpis/", {"unit": cast.staff.pk, "from": D.isoformat(),
                                         "to": D.isoformat()}).status_code == 200
    assert client.get("/reports/kpis/", {"unit": cast.division.pk}).status_code == 404
    assert client.get("/reports/kpis/", {"unit": cast.command.pk}).status_code == 404
    client.force_login(cast.lan.user)
    assert client.get("/reports/kpis/").status_code == 404
