"""GET /registers/{kind}: a unit's register for its clerks and leaders, newest number first."""

from __future__ import annotations

from tests.api.conftest import error_of, register_incoming
from vanthu.core.choices import Secrecy


def test_clerk_lan_reads_the_staff_incoming_register(cast, doc_types, incoming_pdf, api):
    for i in range(3):
        register_incoming(cast, doc_types, incoming_pdf, subject=f"V/v số {i}")
    body = api(cast.lan).get("/registers/in", {"unit": cast.staff.pk}).json()
    assert body["total"] == 3
    assert [r["number"] for r in body["rows"]] == [3, 2, 1]
    assert body["rows"][0]["subject"] == "V/v số 2"
    assert body["register_info"]["kind"] == "in"
    assert body["next"] is None


def test_leader_son_reads_the_register_of_the_unit_he_leads(cast, doc_types, incoming_pdf, api):
    register_incoming(cast, doc_types, incoming_pdf)
    assert api(cast.son).get("/registers/in", {"unit": cast.staff.pk}).json()["total"] == 1


def test_officer_and_outsider_get_404_for_the_register(cast, doc_types, incoming_pdf, api):
    register_incoming(cast, doc_types, incoming_pdf)
    for person in (cast.quang, cast.tam):
        response = api(person).get("/registers/in", {"unit": cast.staff.pk})
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_a_register_without_documents_is_empty_not_missing(cast, api):
    body = api(cast.lan).get("/registers/out", {"unit": cast.staff.pk}).json()
    assert body == body | {"total": 0, "rows": [], "register_info": None, "next": None}


def test_rows_above_the_readers_clearance_show_only_the_number(cast, doc_types, incoming_pdf, api):
    register_incoming(cast, doc_types, incoming_pdf, secrecy=Secrecy.SECRET, subject="Kế hoạch tác chiến")
    cast.lan.clearance = Secrecy.CONFIDENTIAL  # Lan's clearance was lowered after she registered it
    cast.lan.save(update_fields=["clearance"])
    rows = api(cast.lan).get("/registers/in", {"unit": cast.staff.pk, "series": "mat"}).json()["rows"]
    assert [(r["number"], r["restricted"], r["subject"]) for r in rows] == [(1, True, "")]
    full = api(cast.son).get("/registers/in", {"unit": cast.staff.pk, "series": "mat"}).json()["rows"]
    assert full[0]["subject"] == "Kế hoạch tác chiến"
    assert not full[0]["restricted"]


def test_register_page_costs_a_fixed_number_of_queries(cast, doc_types, incoming_pdf, api,
                                                       django_assert_max_num_queries):
    for i in range(10):
        register_incoming(cast, doc_types, incoming_pdf, subject=f"V/v số {i}")
    lan = api(cast.lan)
    lan.get("/me")
    with django_assert_max_num_queries(8):
        response = lan.get("/registers/in", {"unit": cast.staff.pk})
    assert len(response.json()["rows"]) == 10
