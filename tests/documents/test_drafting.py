"""Draft → review chain → awaiting signature; versions; the hash that binds approval to the PDF."""

from __future__ import annotations

import pytest

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.models import Document, ReviewKind, ReviewState, Status
from vanthu.org.models import SigningAuthority
from vanthu.workflow.queries import inbox_for


def draft(cast, doc_types, pdf, **kw):
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division, cast.province], **kw)
    return actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                data=data, file=checked(pdf, "du-thao.pdf"))


def authority(person):
    return SigningAuthority.objects.get(person=person)


def test_draft_has_no_number(cast, doc_types, draft_pdf):
    doc = draft(cast, doc_types, draft_pdf)
    assert doc.status == Status.DRAFT
    assert doc.number is None
    assert doc.code_number == ""
    assert doc.versions.get().pdf.sha256 == doc.current_file.sha256
    assert doc.recipients.count() == 2


def test_review_chain_then_awaiting_signature_bound_to_the_reviewed_pdf(cast, doc_types, draft_pdf):
    """Checklist point 11."""
    doc = draft(cast, doc_types, draft_pdf)
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority(cast.son),
                              reviewers=[(ReviewKind.CONTENT, cast.son), (ReviewKind.FORMAT, cast.lan)])
    assert [i.kind for i in inbox_for(cast.son).items if i.document.pk == doc.pk] == ["review"]
    assert not [i for i in inbox_for(cast.lan).items if i.kind == "review"]
    actions.decide_review(document=doc, acting=cast.son, approve=True, comment="Đồng ý nội dung")
    assert [i.kind for i in inbox_for(cast.lan).items if i.document.pk == doc.pk] == ["review"]
    actions.decide_review(document=doc, acting=cast.lan, approve=True)
    doc.refresh_from_db()
    assert doc.status == Status.AWAITING_SIGNATURE
    assert doc.approved_sha256 == doc.current_file.sha256
    assert doc.signer == cast.son
    assert doc.signer_competence == "THAM MƯU TRƯỞNG"
    assert [i.kind for i in inbox_for(cast.son).items if i.document.pk == doc.pk] == ["sign"]


def test_returned_draft_goes_back_to_the_drafter_and_a_new_version_is_reviewed_again(cast, doc_types, draft_pdf):
    """Checklist point 11."""
    from vanthu.demo.pdfs import sample_draft

    doc = draft(cast, doc_types, draft_pdf)
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority(cast.son),
                              reviewers=[(ReviewKind.CONTENT, cast.son)])
    with pytest.raises(ActionRefused):
        actions.decide_review(document=doc, acting=cast.son, approve=False, comment="")
    actions.decide_review(document=doc, acting=cast.son, approve=False, comment="Bổ sung mục bảo đảm")
    doc.refresh_from_db()
    assert doc.status == Status.DRAFT
    version = actions.add_draft_version(document=doc, acting=cast.quang,
                                        file=checked(sample_draft(subject="Huấn luyện 2027 (sửa)"), "v2.pdf"),
                                        note="Đã bổ sung", expected_version=doc.version)
    assert version.number == 2
    doc.refresh_from_db()
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority(cast.son),
                              reviewers=[(ReviewKind.CONTENT, cast.son)])
    step = doc.review_steps.get(round=2)
    assert step.state == ReviewState.PENDING
    assert step.version == version


def test_signer_must_hold_authority_for_the_issuing_unit(cast, doc_types, draft_pdf):
    """Checklist point 9."""
    doc = draft(cast, doc_types, draft_pdf)
    with pytest.raises(ActionRefused) as err:
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority(cast.dung))
    assert err.value.code == "signer_authority"
    assert Document.objects.get(pk=doc.pk).status == Status.DRAFT


def test_expired_delegation_cannot_sign(cast, doc_types, draft_pdf):
    """Checklist point 9."""
    import datetime as dt

    from vanthu.org import actions as org

    tuq = org.grant_signing_authority(person=cast.lan, unit=cast.staff, prefix="TUQ.",
                                      on_behalf_title="Tham mưu trưởng", title="Trưởng phòng", acting=TEST_FIXTURES,
                                      valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 6, 30),
                                      delegated_by=cast.son)
    doc = draft(cast, doc_types, draft_pdf)
    with pytest.raises(ActionRefused) as err:
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=tuq)
    assert err.value.code == "signer_authority"


def test_tuq_without_time_limit_is_refused(cast):
    """Checklist point 9."""
    from vanthu.org import actions as org

    with pytest.raises(ActionRefused):
        org.grant_signing_authority(person=cast.lan, unit=cast.staff, prefix="TUQ.", on_behalf_title="Tham mưu trưởng",
                                    title="Trưởng phòng", acting=TEST_FIXTURES, delegated_by=cast.son)


def test_outsider_cannot_draft_for_another_unit(cast, doc_types, draft_pdf):
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch")
    with pytest.raises(ActionRefused):
        actions.create_draft(acting=cast.tam, drafting_unit=cast.staff, issuing_unit=cast.staff, data=data,
                             file=checked(draft_pdf))


def test_issuer_must_be_the_drafting_unit_or_above(cast, doc_types, draft_pdf):
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch")
    with pytest.raises(ActionRefused) as err:
        actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.division,
                             data=data, file=checked(draft_pdf))
    assert err.value.code == "issuer_outside_tree"


def test_secret_document_cannot_go_to_outside_bodies(cast, doc_types, draft_pdf):
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch mật", secrecy=1,
                             recipient_names=["Ủy ban nhân dân tỉnh A"])
    with pytest.raises(ActionRefused) as err:
        actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                             file=checked(draft_pdf))
    assert err.value.code == "secret_external"
    assert not Document.objects.exists()
