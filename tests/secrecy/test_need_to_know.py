"""Need-to-know inside a unit (issue 16, path 4): a Tối mật document directed to a unit reaches its leader and
clerk, who assign cleared people — not every cleared officer of the unit; configurable per unit."""

from __future__ import annotations

from tests.secrecy.conftest import arrival, set_clearance
from vanthu.core.choices import Secrecy
from vanthu.documents import access
from vanthu.org.models import NeedToKnow
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole


def sees(person, doc, client, api) -> bool:
    client.force_login(person.user)
    page = client.get(f"/documents/{doc.pk}/").status_code
    answer = api(person).get(f"/documents/{doc.pk}").status_code
    listed = doc.pk in {d["id"] for d in api(person).get("/documents").json()["items"]}
    assert (page == 200) == (answer == 200) == listed, (page, answer, listed)
    assert access.can_see(person, doc) == listed
    return listed


def test_a_top_secret_document_for_the_division_reaches_its_commander_not_every_cleared_officer(
    cast, doc_types, incoming_pdf, client, api
):
    set_clearance(cast.minh, Secrecy.SECRET)  # Minh is cleared for Tối mật, but not the one it is meant for
    doc = arrival(cast, doc_types, incoming_pdf, secrecy=Secrecy.SECRET)
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì.", lead=cast.division)
    assert cast.division.need_to_know_from == NeedToKnow.SECRET  # on by default from Tối mật
    assert sees(cast.dung, doc, client, api)
    assert not sees(cast.minh, doc, client, api)
    task = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD)
    workflow.forward(assignment=task, acting=cast.dung, to=cast.minh)  # the commander assigns him
    assert sees(cast.minh, doc, client, api)


def test_below_the_units_level_every_cleared_person_of_the_unit_sees_it(cast, doc_types, incoming_pdf, client,
                                                                         api):
    doc = arrival(cast, doc_types, incoming_pdf, secrecy=Secrecy.CONFIDENTIAL)
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì.", lead=cast.division)
    assert sees(cast.minh, doc, client, api)  # Mật, below the default level


def test_the_level_is_set_per_unit(cast, doc_types, incoming_pdf, client, api):
    cast.division.need_to_know_from = NeedToKnow.CONFIDENTIAL
    cast.division.save(update_fields=["need_to_know_from"])
    doc = arrival(cast, doc_types, incoming_pdf, secrecy=Secrecy.CONFIDENTIAL)
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì.", lead=cast.division)
    assert sees(cast.dung, doc, client, api)
    assert not sees(cast.minh, doc, client, api)
