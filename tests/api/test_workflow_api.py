"""Present → direct → forward → start → complete through the API, and the inbox along the way."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.api.conftest import error_of, register_incoming
from vanthu.core.choices import Urgency
from vanthu.documents.models import Document, Status
from vanthu.workflow.models import Assignment, AssignmentRole


def inbox_kinds(client) -> dict[str, list[int]]:
    result: dict[str, list[int]] = {}
    for item in client.get("/inbox").json()["items"]:
        result.setdefault(item["kind"], []).append(item["document"]["id"])
    return result


def command_document(cast, doc_types, pdf):
    return register_incoming(cast, doc_types, pdf, unit=cast.command, acting=cast.hoa, organ_name="Bộ Quốc phòng",
                             subject="V/v diễn tập phòng thủ", urgency=Urgency.URGENT)


def test_the_whole_incoming_flow_over_the_api(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    hoa, hung, dung, minh = api(cast.hoa), api(cast.hung), api(cast.dung), api(cast.minh)
    assert doc.pk in inbox_kinds(hoa)["present"]

    presented = hoa.post(f"/documents/{doc.pk}/present", {"to": cast.hung.pk, "note": "Kính trình Tư lệnh"})
    assert presented.status_code == 200, presented.content
    assert presented.json()["status"] == "presented"
    assert doc.pk in inbox_kinds(hung)["direct"]

    deadline = timezone.localdate() + dt.timedelta(days=7)
    directed = hung.post(f"/documents/{doc.pk}/direct", {
        "text": "Giao Sư đoàn 301 chủ trì; Bộ Tham mưu phối hợp.", "lead": {"type": "unit", "id": cast.division.pk},
        "cooperate": [{"type": "person", "id": cast.son.pk}], "info": [{"type": "person", "id": cast.binh.pk}],
        "deadline": deadline.isoformat(),
    })
    assert directed.status_code == 200, directed.content
    body = directed.json()
    assert body["status"] == "directed"
    assert body["due_date"] == deadline.isoformat()
    assert body["instructions"][0]["text"].startswith("Giao Sư đoàn 301")
    waiting = ("open", "info")
    assert {(a["role"], (a["unit"] or a["person"])["id"]) for a in body["assignments"] if a["state"] in waiting} == {
        ("lead", cast.division.pk), ("cooperate", cast.son.pk), ("info", cast.binh.pk)}

    unit_item = next(i for i in dung.get("/inbox").json()["items"] if i["kind"] == "unit")
    assert unit_item["deadline"] == deadline.isoformat()
    assert unit_item["overdue"] is False
    forwarded = dung.post(f"/assignments/{unit_item['assignment_id']}/forward", {"to": cast.minh.pk,
                                                                                 "note": "Đồng chí Minh xử lý"})
    assert forwarded.status_code == 200, forwarded.content
    personal = forwarded.json()
    assert personal["person"]["id"] == cast.minh.pk
    assert personal["deadline"] == deadline.isoformat()

    assert minh.post(f"/assignments/{personal['id']}/start").json()["state"] == "in_progress"
    assert Document.objects.get(pk=doc.pk).status == Status.IN_PROGRESS
    done = minh.post(f"/assignments/{personal['id']}/complete", {"result": "Đã xây dựng kế hoạch diễn tập."})
    assert done.status_code == 200
    assert done.json()["state"] == "done"
    assert Document.objects.get(pk=doc.pk).status == Status.IN_PROGRESS  # the division's commander accepts first
    unit_task = done.json()["parent_id"]
    assert dung.post(f"/tasks/{unit_task}/accept").json()["state"] == "done"
    cooperating = next(a for a in body["assignments"] if a["role"] == "cooperate")
    son = api(cast.son)
    assert son.post(f"/tasks/{cooperating['id']}/complete", {"result": "Đã góp ý."}).json()["state"] == "done"
    assert Document.objects.get(pk=doc.pk).status == Status.DONE
    assert minh.get(f"/documents/{doc.pk}").json()["status"] == "done"


def test_direction_to_a_unit_outside_the_leaders_tree_is_refused(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    api(cast.lan).post(f"/documents/{doc.pk}/present", {"to": cast.son.pk})
    response = api(cast.son).post(f"/documents/{doc.pk}/direct", {
        "text": "Giao Sư đoàn 301", "lead": {"type": "unit", "id": cast.division.pk}})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "target_outside_tree"
    assert error["field"] == "lead"
    assert "Sư đoàn 301" in error["message"]
    assert not Assignment.objects.filter(document=doc, role=AssignmentRole.LEAD).exists()
    assert Document.objects.get(pk=doc.pk).status == Status.PRESENTED


def test_direction_with_a_deadline_in_the_past_is_refused(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = api(cast.hung).post(f"/documents/{doc.pk}/direct", {
        "text": "Giao Sư đoàn 301", "lead": {"type": "unit", "id": cast.division.pk},
        "deadline": yesterday.isoformat()})
    assert response.status_code == 400
    assert error_of(response)["field"] == "deadline"
    assert not Assignment.objects.exists()


def test_direction_to_an_unknown_unit_names_the_field(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    response = api(cast.hung).post(f"/documents/{doc.pk}/direct", {
        "text": "Giao", "lead": {"type": "unit", "id": 99999}})
    assert response.status_code == 400
    assert error_of(response) == error_of(response) | {"code": "not_found", "field": "lead"}


def test_direction_with_a_bad_target_type_is_a_422_naming_the_field(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    response = api(cast.hung).post(f"/documents/{doc.pk}/direct", {"text": "Giao", "lead": {"type": "nhom", "id": 1}})
    assert response.status_code == 422
    assert error_of(response)["field"] == "lead.type"


def test_presenting_to_someone_who_is_not_a_leader_is_refused(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    response = api(cast.hoa).post(f"/documents/{doc.pk}/present", {"to": cast.minh.pk})
    assert response.status_code == 400
    assert error_of(response)["code"] == "not_a_leader"


def test_officer_who_may_see_but_not_direct_gets_403(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    response = api(cast.lan).post(f"/documents/{doc.pk}/direct", {
        "text": "Giao", "lead": {"type": "person", "id": cast.quang.pk}})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_outsider_tam_gets_404_for_someone_elses_assignment(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    api(cast.hung).post(f"/documents/{doc.pk}/direct", {"text": "Giao", "lead": {"type": "unit",
                                                                                "id": cast.division.pk}})
    assignment = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD)
    tam = api(cast.tam)
    for action, payload in (("start", {}), ("forward", {"to": cast.tam.pk}), ("complete", {"result": "Xong"})):
        response = tam.post(f"/assignments/{assignment.pk}/{action}", payload)
        assert response.status_code == 404, action
    assert api(cast.tam).get(f"/documents/{doc.pk}").status_code == 404


def test_reply_that_the_person_cannot_see_is_named(cast, doc_types, incoming_pdf, api):
    doc = command_document(cast, doc_types, incoming_pdf)
    api(cast.hung).post(f"/documents/{doc.pk}/direct", {"text": "Giao", "lead": {"type": "person",
                                                                                "id": cast.son.pk}})
    assignment = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD)
    response = api(cast.son).post(f"/assignments/{assignment.pk}/complete", {"result": "Xong", "reply": 99999})
    assert response.status_code == 400
    assert error_of(response)["field"] == "reply"
    assignment.refresh_from_db()
    assert assignment.is_open


def test_inbox_costs_a_fixed_number_of_queries(cast, doc_types, incoming_pdf, api, django_assert_max_num_queries):
    for i in range(8):
        register_incoming(cast, doc_types, incoming_pdf, subject=f"V/v số {i}")
    lan = api(cast.lan)
    lan.get("/me")
    # token, roles, then two small queries per inbox section, and the working-day calendar of the clerk's legal
    # limits (checklist 22, 27), read once per process and year
    with django_assert_max_num_queries(17):
        response = lan.get("/inbox")
    body = response.json()
    assert body["counts"]["present"] == 8
    assert body["total"] == 8


def test_direction_gives_each_lead_and_cooperating_receiver_its_own_deadline(cast, doc_types, incoming_pdf, api):
    """Checklist point 28."""
    doc = command_document(cast, doc_types, incoming_pdf)
    hung = api(cast.hung)
    week, soon, late = (timezone.localdate() + dt.timedelta(days=n) for n in (7, 3, 9))
    body = {"text": "Giao Sư đoàn 301 chủ trì; Bộ Tham mưu phối hợp.",
            "lead": {"type": "unit", "id": cast.division.pk, "deadline": soon.isoformat()},
            "cooperate": [{"type": "unit", "id": cast.staff.pk, "deadline": late.isoformat()}],
            "deadline": week.isoformat()}
    refused = hung.post(f"/documents/{doc.pk}/direct", body)
    assert refused.status_code in (400, 422), refused.content
    assert error_of(refused)["code"] == "deadline_after_parent"
    assert not Assignment.objects.filter(instruction__isnull=False).exists()
    body["cooperate"] = [{"type": "unit", "id": cast.staff.pk}]
    directed = hung.post(f"/documents/{doc.pk}/direct", body)
    assert directed.status_code == 200, directed.content
    deadlines = {a.unit_id: a.deadline for a in Assignment.objects.filter(instruction__isnull=False)}
    assert deadlines == {cast.division.pk: soon, cast.staff.pk: week}
