"""Reading documents through the API: what each character may see, pages, one document, history, files."""

from __future__ import annotations

import hashlib

from tests.api.conftest import error_of, register_incoming
from vanthu.core.choices import Secrecy
from vanthu.org.second_factor_testing import code_for


def test_outsider_tam_gets_404_for_staff_document(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    tam = api(cast.tam)
    for path in (f"/documents/{doc.pk}", f"/documents/{doc.pk}/history",
                 f"/documents/{doc.pk}/files/{doc.current_file_id}"):
        response = tam.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_missing_and_forbidden_look_the_same(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    tam = api(cast.tam)
    forbidden = tam.get(f"/documents/{doc.pk}")
    missing = tam.get(f"/documents/{doc.pk + 1000}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_list_shows_only_what_the_person_may_see(cast, doc_types, incoming_pdf, api):
    staff_doc = register_incoming(cast, doc_types, incoming_pdf)
    command_doc = register_incoming(cast, doc_types, incoming_pdf, unit=cast.command, acting=cast.hoa,
                                    subject="V/v của Bộ Tư lệnh")
    ids = lambda person: [d["id"] for d in api(person).get("/documents").json()["items"]]  # noqa: E731
    assert ids(cast.lan) == [staff_doc.pk]
    assert ids(cast.tam) == []
    assert ids(cast.hung) == [command_doc.pk, staff_doc.pk]  # the commander leads the whole tree, newest first


def test_secret_document_is_hidden_from_the_officer_without_clearance(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf, secrecy=Secrecy.SECRET)
    assert api(cast.lan).get(f"/documents/{doc.pk}").status_code == 200
    assert api(cast.quang).get(f"/documents/{doc.pk}").status_code == 404


def test_keyset_pages_walk_newest_first_without_gaps(cast, doc_types, incoming_pdf, api):
    made = [register_incoming(cast, doc_types, incoming_pdf, subject=f"V/v số {i}").pk for i in range(5)]
    lan = api(cast.lan)
    seen: list[int] = []
    params: dict[str, object] = {"limit": 2}
    while True:
        page = lan.get("/documents", params).json()
        seen += [d["id"] for d in page["items"]]
        if page["next"] is None:
            break
        params["before"] = page["next"]
    assert seen == sorted(made, reverse=True)


def test_list_filters_by_direction_status_unit_and_year(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    hung = api(cast.hung)
    year = doc.created_at.year
    assert [d["id"] for d in hung.get("/documents", {"direction": "in", "status": "registered",
                                                      "unit": cast.staff.pk, "year": year}).json()["items"]] == [doc.pk]
    assert hung.get("/documents", {"direction": "out"}).json()["items"] == []
    assert hung.get("/documents", {"year": year - 1}).json()["items"] == []
    bad = hung.get("/documents", {"limit": 500})
    assert bad.status_code == 422
    assert error_of(bad)["field"] == "limit"


def test_list_costs_a_fixed_number_of_queries(cast, doc_types, incoming_pdf, api, django_assert_max_num_queries):
    for i in range(12):
        register_incoming(cast, doc_types, incoming_pdf, subject=f"V/v số {i}")
    hung = api(cast.hung)
    hung.get("/me")  # last_used_at is written on the first call, then at most once a minute
    with django_assert_max_num_queries(3):  # token, the commander's roles, one page
        response = hung.get("/documents", {"limit": 100})
    assert len(response.json()["items"]) == 12


def test_detail_has_the_phu_luc_vi_fields_files_and_what_the_caller_may_do(cast, doc_types, incoming_pdf, api):
    """Checklist point 32."""
    doc = register_incoming(cast, doc_types, incoming_pdf, code_number="125", code_notation="BQP-TM",
                            signer_name="Nguyễn Văn A", signer_position="Thứ trưởng")
    body = api(cast.lan).get(f"/documents/{doc.pk}").json()
    assert body["notation"] == "125/BQP-TM"
    assert body["signer_name"] == "Nguyễn Văn A"
    assert body["organ_name"] == "Bộ Tổng Tham mưu"
    assert body["current_file"]["sha256"] == hashlib.sha256(incoming_pdf).hexdigest()
    assert body["allowed"] == ["present", "copy"]  # the same registry (Need) the page's buttons ask
    assert body["validation"] is None
    assert api(cast.son).get(f"/documents/{doc.pk}").json()["allowed"] == ["direct"]


def test_history_lists_the_audit_events(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    events = api(cast.lan).get(f"/documents/{doc.pk}/history").json()
    assert [e["verb"] for e in events] == ["documents.incoming.registered"]
    assert events[0]["actor_name"] == "Nguyễn Thị Lan"
    assert events[0]["data"]["number"] == 1


def test_file_download_returns_the_pdf_bytes(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    response = api(cast.lan).get(f"/documents/{doc.pk}/files/{doc.current_file_id}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == incoming_pdf


def test_a_file_of_another_document_is_not_served_through_this_one(cast, doc_types, incoming_pdf, draft_pdf, api):
    mine = register_incoming(cast, doc_types, incoming_pdf)
    other = register_incoming(cast, doc_types, draft_pdf, unit=cast.command, acting=cast.hoa)
    response = api(cast.lan).get(f"/documents/{mine.pk}/files/{other.current_file_id}")
    assert response.status_code == 404
    assert api(cast.lan).get(f"/documents/{mine.pk}/files/not-a-hash").status_code in (404, 422)


def test_electronic_copy_over_the_api(cast, doc_types, incoming_pdf, api):
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    equip_cast(cast, people=(), units=("staff",))
    document = register_incoming(cast, doc_types, incoming_pdf)
    lan = api(cast.lan)
    made = lan.post(f"/documents/{document.pk}/copies", {"form": "SY", "unit": cast.staff.pk, "secret": SIGNING_SECRET,
                                                         "otp": code_for(cast.lan)})
    assert made.status_code == 201, made.content
    assert made.json()["form"] == "SY"
    assert lan.get(f"/documents/{document.pk}/files/{made.json()['sha256']}").status_code == 200
    wrong_unit = lan.post(f"/documents/{document.pk}/copies", {"form": "SY", "unit": cast.command.pk})
    assert wrong_unit.status_code == 403
    outsider = api(cast.tam).post(f"/documents/{document.pk}/copies", {"form": "SY", "unit": cast.staff.pk})
    assert outsider.status_code == 404
