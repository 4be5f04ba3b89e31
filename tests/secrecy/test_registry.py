"""One typed registry of access needs (issue 7 item 6): an unknown need is an error, not a silent read check;
replacing a document asks `can_replace` in the action, the page and the API alike."""

from __future__ import annotations

import pytest

from vanthu.documents import access
from vanthu.documents.access import Need
from vanthu.org.second_factor_testing import code_for


def test_every_need_has_its_predicate():
    for need in Need:
        assert callable(access.predicate_for(need)), need


@pytest.mark.parametrize("wrong", ["read", "recall", "replcae", None, 3])
def test_a_need_that_is_not_a_need_is_an_error(cast, wrong):
    with pytest.raises(TypeError):
        access.access_document(cast.hung, 1, need=wrong)
    with pytest.raises(TypeError):
        access.predicate_for(wrong)


def test_a_need_cannot_be_given_two_predicates():
    with pytest.raises(ValueError, match="already has a predicate"):
        access.register_predicate(Need.PRESENT, access.can_read)
    with pytest.raises(TypeError):
        access.register_predicate("present", access.can_read)  # type: ignore[arg-type]


def test_replace_is_can_replace():
    assert access.predicate_for(Need.REPLACE) is access.can_replace
    assert access.predicate_for(Need.RECALL) is access.can_recall


@pytest.fixture
def issued_by_staff(cast, doc_types, draft_pdf):
    """Quang's plan (Operations), signed by Sơn and issued by Lan."""
    from tests.conftest import checked
    from vanthu.documents import actions as documents
    from vanthu.org.models import SigningAuthority
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    equip_cast(cast, people=["son"], units=["staff"])
    doc = documents.create_draft(
        acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
        data=documents.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                                 recipient_units=[cast.division]),
        file=checked(draft_pdf, "ke-hoach.pdf"),
    )
    documents.submit_for_review(document=doc, acting=cast.quang,
                                signer_authority=SigningAuthority.objects.get(person=cast.son))
    documents.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    return documents.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))


def test_the_drafter_replaces_through_the_page_and_the_api_as_the_action_allows(
    cast, doc_types, draft_pdf, issued_by_staff, client, api
):
    from tests.api.conftest import error_of

    assert access.can_replace(cast.quang, issued_by_staff)
    assert not access.can_recall(cast.quang, issued_by_staff)
    client.force_login(cast.quang.user)
    assert client.get(f"/drafts/new/?replaces={issued_by_staff.pk}").status_code == 200
    body = api(cast.quang).get(f"/documents/{issued_by_staff.pk}").json()
    assert "replace" in body["allowed"]
    assert "recall" not in body["allowed"]
    created = api(cast.quang).upload("/drafts", {"doc_type": doc_types["KH"].pk, "subject": "Kế hoạch (thay thế)",
                                                 "drafting_unit": cast.operations.pk, "issuing_unit": cast.staff.pk,
                                                 "replaces": issued_by_staff.pk},
                                     {"file": ("ke-hoach-moi.pdf", draft_pdf)})
    assert created.status_code == 201, created.json()
    assert created.json()["replaces_id"] == issued_by_staff.pk
    # Minh sees nothing of it (404 through the API, as on the page); Sơn may also replace (he may recall)
    missing = api(cast.minh).upload("/drafts", {"doc_type": doc_types["KH"].pk, "subject": "Thay thế",
                                                "replaces": issued_by_staff.pk}, {"file": ("a.pdf", draft_pdf)})
    assert error_of(missing)["code"] == "not_found"
    client.force_login(cast.minh.user)
    assert client.get(f"/drafts/new/?replaces={issued_by_staff.pk}").status_code == 404
