"""Who sees which document: unit scope, leaders' subtrees, shares, clearance. Forbidden and missing are both 404."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.documents import actions
from vanthu.documents.access import access_document, documents_visible_to
from vanthu.workflow import actions as workflow


@pytest.fixture
def staff_doc(cast, doc_types, incoming_pdf):
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                subject="V/v huấn luyện")
    return actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))


@pytest.fixture
def secret_doc(cast, doc_types, incoming_pdf):
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                subject="V/v kế hoạch tác chiến", secrecy=Secrecy.CONFIDENTIAL)
    return actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))


def visible(person, doc) -> bool:
    try:
        access_document(person, doc.pk)
    except Http404:
        return False
    return True


def test_clerk_sees_her_units_document(cast, staff_doc):
    assert visible(cast.lan, staff_doc)


def test_commander_sees_everything_below_him(cast, staff_doc, secret_doc):
    assert visible(cast.hung, staff_doc)
    assert visible(cast.hung, secret_doc)


def test_outsider_of_another_unit_gets_404(cast, staff_doc):
    assert not visible(cast.tam, staff_doc)


def test_officer_of_a_division_gets_404_for_the_staffs_document(cast, staff_doc):
    assert not visible(cast.minh, staff_doc)


def test_missing_and_forbidden_look_the_same(cast, staff_doc):
    with pytest.raises(Http404):
        access_document(cast.tam, staff_doc.pk)
    with pytest.raises(Http404):
        access_document(cast.tam, 999_999)
    with pytest.raises(Http404):
        access_document(cast.tam, "not-a-number")


def test_secret_document_needs_clearance_and_need_to_know(cast, secret_doc):
    assert visible(cast.lan, secret_doc)  # the unit's clerk, cleared for Tối mật
    assert not visible(cast.quang, secret_doc)  # cleared for Mật, but no need to know
    assert not visible(cast.admin, secret_doc)  # the IT admin's role grants no documents


def test_assignment_makes_the_document_visible_to_the_assignee(cast, staff_doc):
    assert not visible(cast.minh, staff_doc)
    workflow.present(document=staff_doc, acting=cast.lan, to=cast.hung)
    workflow.direct(document=staff_doc, acting=cast.hung, text="Sư đoàn 301 nghiên cứu, thực hiện.",
                    lead=cast.minh)
    assert visible(cast.minh, staff_doc)
    assert not visible(cast.tam, staff_doc)


def test_clearance_still_applies_to_an_assignee(cast, doc_types, incoming_pdf):
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                subject="V/v mật", secrecy=Secrecy.SECRET)
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))
    from vanthu.core.errors import ActionRefused

    with pytest.raises(ActionRefused) as err:
        workflow.direct(document=doc, acting=cast.hung, text="Nghiên cứu", lead=cast.minh)
    assert err.value.code == "clearance"


def test_visible_queryset_agrees_with_access_function(cast, staff_doc, secret_doc):
    for person in cast.people():
        listed = set(documents_visible_to(person).values_list("pk", flat=True))
        for doc in (staff_doc, secret_doc):
            assert (doc.pk in listed) == visible(person, doc), (person, doc)


def test_people_of_the_unit_see_its_ordinary_documents(cast, staff_doc):
    from vanthu.org import actions as org

    clerk_free = org.create_person(username="tuan", password=None, full_name="Lý Văn Tuấn", unit=cast.staff,
                                   acting=TEST_FIXTURES)
    assert visible(clerk_free, staff_doc)
    assert not visible(cast.quang, staff_doc)  # Operations Department is a different unit, and Quang no leader
