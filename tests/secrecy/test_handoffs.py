"""Clearance at every hand-off (issue 16, path 1): a Tối mật document directed to a unit whose leader is cleared
only for Mật is refused, naming him, through the action, the API and the page; pickers do not offer that unit;
the inbox never shows a document above its reader's clearance, even when a row slipped in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.conftest import error_of
from tests.secrecy.conftest import SUBJECT, arrival, set_clearance
from vanthu.audit.models import AuditEvent
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, DocumentShare, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole
from vanthu.workflow.queries import inbox_for


def nothing_changed(doc: Document) -> None:
    doc.refresh_from_db()
    assert doc.status == Status.PRESENTED
    assert not Assignment.objects.filter(document=doc).exclude(role=AssignmentRole.PRESENT).exists()
    assert not DocumentShare.objects.filter(document=doc, unit__isnull=False).exists()


def test_directing_a_secret_document_to_a_unit_whose_leader_lacks_clearance_is_refused_naming_him(
    cast, doc_types, incoming_pdf, dung_cleared_for_mat
):
    doc = arrival(cast, doc_types, incoming_pdf)
    with pytest.raises(ActionRefused) as err:
        workflow.direct(document=doc, acting=cast.hung, text="Giao Sư đoàn 301 chủ trì.", lead=cast.division)
    assert err.value.code == "clearance"
    assert err.value.field == "lead"
    assert "Đặng Văn Dũng" in err.value.message
    assert "Tối mật" in err.value.message
    nothing_changed(doc)
    refusal = AuditEvent.objects.get(verb="workflow.document.directed.refused")
    assert refusal.data["code"] == "clearance"
    assert "Đặng Văn Dũng" in refusal.data["reason"]


def test_a_unit_without_anyone_to_receive_a_secret_document_is_refused(cast, doc_types, incoming_pdf):
    doc = arrival(cast, doc_types, incoming_pdf)
    with pytest.raises(ActionRefused) as err:  # the Province has no leader or clerk in the system
        workflow.direct(document=doc, acting=cast.hung, text="Giao.", lead=cast.staff, info=[cast.province])
    assert err.value.code == "clearance"
    assert err.value.field == "info"
    assert cast.province.name in err.value.message
    nothing_changed(doc)


def test_a_cleared_unit_and_cleared_people_still_receive_it(cast, doc_types, incoming_pdf):
    doc = arrival(cast, doc_types, incoming_pdf)
    workflow.direct(document=doc, acting=cast.hung, text="Bộ Tham mưu chủ trì.", lead=cast.staff,
                    info=[cast.binh])
    assert doc.pk in {i.document.pk for i in inbox_for(cast.son).items}
    assert doc.pk in {i.document.pk for i in inbox_for(cast.binh).items}


def test_forwarding_or_presenting_to_an_uncleared_person_is_refused_naming_them(cast, doc_types, incoming_pdf):
    doc = arrival(cast, doc_types, incoming_pdf)
    workflow.direct(document=doc, acting=cast.hung, text="Bộ Tham mưu chủ trì.", lead=cast.staff)
    unit_task = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD)
    with pytest.raises(ActionRefused) as err:  # Quang, of the Staff's Operations, is cleared for Mật only
        workflow.forward(assignment=unit_task, acting=cast.son, to=cast.quang)
    assert err.value.code == "clearance"
    assert "Bùi Đức Quang" in err.value.message
    assert not Assignment.objects.filter(parent=unit_task).exists()
    assert AuditEvent.objects.filter(verb="workflow.task.delegated.refused").exists()


def test_a_copy_for_a_unit_whose_receivers_lack_clearance_is_refused(cast, doc_types, incoming_pdf):
    doc = arrival(cast, doc_types, incoming_pdf, present=False)
    set_clearance(cast.hung, Secrecy.CONFIDENTIAL)  # the Command's leader: the copy would be the Command's
    with pytest.raises(ActionRefused) as err:
        documents.make_copy(document=doc, acting=cast.hoa, unit=cast.command, form="SY", secret=None,
                            otp=code_for(cast.hoa))
    assert err.value.code == "clearance"
    assert "Trần Quốc Hùng" in err.value.message
    assert not doc.copies.exists()


def test_pickers_offer_only_units_whose_receivers_are_cleared(cast, doc_types, incoming_pdf, dung_cleared_for_mat,
                                                               client, api):
    doc = arrival(cast, doc_types, incoming_pdf)
    assert access.can_unit_receive(cast.staff, Secrecy.SECRET)
    assert not access.can_unit_receive(cast.division, Secrecy.SECRET)
    assert access.can_unit_receive(cast.division, Secrecy.CONFIDENTIAL)
    assert not access.can_unit_receive(cast.province, Secrecy.CONFIDENTIAL)  # nobody receives for it
    assert access.can_unit_receive(cast.province, Secrecy.NONE)
    # API look-ups
    units = {u["id"] for u in api(cast.hung).get("/units", {"secrecy": 2}).json()}
    assert cast.staff.pk in units
    assert cast.division.pk not in units
    assert cast.province.pk not in units
    assert cast.division.pk in {u["id"] for u in api(cast.hung).get("/units").json()}
    people = {p["id"] for p in api(cast.hung).get("/people", {"secrecy": 2}).json()}
    assert cast.lan.pk in people
    assert cast.dung.pk not in people
    assert cast.minh.pk not in people
    # the direction form: the division is shown greyed out, its radio button disabled
    client.force_login(cast.hung.user)
    page = client.get(f"/documents/{doc.pk}/direct/").content.decode()
    assert f'value="u:{cast.division.pk}" id="lead-u{cast.division.pk}" aria-label="Chủ trì: Sư đoàn 301" disabled' \
        in page
    assert f'value="u:{cast.staff.pk}" id="lead-u{cast.staff.pk}" aria-label="Chủ trì: Bộ Tham mưu">' in page
    assert "Chỉ huy, văn thư chưa được tiếp cận độ mật này" in page


def test_the_api_refuses_it_naming_who_lacks_clearance(cast, doc_types, incoming_pdf, dung_cleared_for_mat, api):
    doc = arrival(cast, doc_types, incoming_pdf)
    response = api(cast.hung).post(f"/documents/{doc.pk}/direct", {
        "text": "Giao Sư đoàn 301 chủ trì.", "lead": {"type": "unit", "id": cast.division.pk},
    })
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "clearance"
    assert error["field"] == "lead"
    assert "Đặng Văn Dũng" in error["message"]
    nothing_changed(doc)
    assert AuditEvent.objects.filter(verb="workflow.document.directed.refused").count() == 1


def test_the_page_refuses_it_naming_who_lacks_clearance(cast, doc_types, incoming_pdf, client):
    doc = arrival(cast, doc_types, incoming_pdf)
    client.force_login(cast.hung.user)
    assert f'value="u:{cast.division.pk}" id="lead-u{cast.division.pk}" aria-label="Chủ trì: Sư đoàn 301">' in \
        client.get(f"/documents/{doc.pk}/direct/").content.decode()  # offered while Dũng is cleared
    set_clearance(cast.dung, Secrecy.CONFIDENTIAL)  # ... and his clearance is lowered before the form is sent
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(f"/documents/{doc.pk}/direct/", {"text": "Giao Sư đoàn 301 chủ trì.",
                                                         "lead": f"u:{cast.division.pk}", "deadline": deadline})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Không thể giao văn bản Tối mật cho “Sư đoàn 301”" in text
    assert "Đặng Văn Dũng" in text
    nothing_changed(doc)


def test_the_inbox_filters_by_clearance_on_its_own(cast, doc_types, incoming_pdf, client, api, dung_cleared_for_mat):
    """A mistake in one action (an assignment written past the checks) never surfaces through the inbox."""
    doc = arrival(cast, doc_types, incoming_pdf)
    Assignment.objects.create(document=doc, role=AssignmentRole.LEAD, unit=cast.division, created_by=cast.hung)
    Assignment.objects.create(document=doc, role=AssignmentRole.INFO, person=cast.minh, created_by=cast.hung)
    for person in (cast.dung, cast.minh):
        assert doc.pk not in {i.document.pk for i in inbox_for(person).items}
        body = api(person).get("/inbox").json()
        assert body["total"] == 0, body
        assert SUBJECT not in str(body)
        client.force_login(person.user)
        inbox_page = client.get("/")
        assert inbox_page.status_code == 200
        page = inbox_page.content.decode()
        assert SUBJECT not in page
        assert "BTTM-TC" not in page
        assert api(person).get(f"/documents/{doc.pk}").status_code == 404
        assert client.get(f"/documents/{doc.pk}/").status_code == 404
