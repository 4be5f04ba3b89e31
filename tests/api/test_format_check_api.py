"""Checklist point 10 through the API: at the format step the checker sends the checklist with the review; where
the check is required (the default), approving without every item ticked is refused and changes nothing."""

from __future__ import annotations

from tests.api.conftest import error_of
from tests.conftest import checked
from vanthu.documents import actions
from vanthu.documents.models import Document, ReviewKind, Status
from vanthu.org.models import SigningAuthority

FULL = {"layout": True, "components": True, "recipients": True, "secrecy": True}


def test_checklist_point_10_the_checker_sends_the_checklist_through_the_api(settings, cast, doc_types, draft_pdf,
                                                                            api):
    """Checklist point 10: under the default rule the Staff's clerk approves the format step only with the four
    items; a missing item is a 400 `checklist_incomplete` and the draft stays in review."""
    settings.FORMAT_CHECK_REQUIRED = True
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division])
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(draft_pdf, "du-thao.pdf"))
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son),
                              reviewers=[(ReviewKind.FORMAT, cast.lan)])
    lan = api(cast.lan)
    refused = lan.post(f"/documents/{doc.pk}/review", {"approve": True, "checklist": {**FULL, "secrecy": False}})
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "checklist_incomplete"
    assert Document.objects.get(pk=doc.pk).status == Status.IN_REVIEW
    done = lan.post(f"/documents/{doc.pk}/review", {"approve": True, "checklist": FULL})
    assert done.status_code == 200
    assert Document.objects.get(pk=doc.pk).status == Status.AWAITING_SIGNATURE
    assert doc.review_steps.get().checklist == FULL
