"""Checklist point 55 (issue 14): GET /api/v1/kpis gives the page's figures for the known world of
tests/reports/kpi_world.py, to the leaders of the unit or above it only."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_of
from tests.reports import kpi_world
from tests.reports.kpi_world import D


@pytest.fixture
def world(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    return kpi_world.build(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks)


def test_checklist_point_55_the_kpis_endpoint_gives_the_figures_and_each_unit(cast, world, api):
    """Checklist point 55: the commander asks for the Command over D; the answer has the subtree's figures and
    one entry per unit under it, with the Staff's and the division's exact figures."""
    response = api(cast.hung).get("/kpis", {"unit": cast.command.pk, "date_from": D.isoformat(),
                                            "date_to": D.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert (body["unit"], body["date_from"], body["date_to"]) == (cast.command.pk, D.isoformat(), D.isoformat())
    assert (body["outgoing_issued"], body["dual_signed_pct"], body["same_day_sent_pct"]) == (4, 75.0, 66.7)
    assert (body["incoming_electronic"], body["same_day_acknowledged_pct"]) == (3, 33.3)
    children = {c["unit_name"]: c for c in body["children"]}
    assert set(children) == {"Văn phòng Bộ Tư lệnh", "Bộ Tham mưu", "Cục Chính trị", "Sư đoàn 301",
                             "Bộ Chỉ huy Quân sự tỉnh A"}
    assert (children["Bộ Tham mưu"]["documents_filed_pct"], children["Bộ Tham mưu"]["records_opened"]) == (25.0, 1)
    division = children["Sư đoàn 301"]
    assert (division["hours_to_04"], division["reached_04"], division["hours_to_06"]) == (14.0, 2, 24.0)
    assert children["Cục Chính trị"]["dual_signed_pct"] is None


def test_checklist_point_55_kpis_of_a_unit_outside_ones_subtree_are_not_found(cast, api):
    """Checklist point 55 (access): the head of the Staff gets 404 for the division; a clerk for her own unit;
    a period ending before it starts is a 400 naming the field."""
    response = api(cast.son).get("/kpis", {"unit": cast.division.pk})
    assert response.status_code == 404
    assert api(cast.lan).get("/kpis", {"unit": cast.staff.pk}).status_code == 404
    response = api(cast.son).get("/kpis", {"unit": cast.staff.pk, "date_from": "2027-03-02",
                                           "date_to": "2027-03-01"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "date_to"
    assert api(cast.son).get("/kpis").status_code == 200  # his own unit by default
