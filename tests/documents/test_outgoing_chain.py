"""Checklist point 10 (issue 14): the whole outgoing flow of Decree 30 — draft → approve → check content and
format → sign → number → register → agency signature → issue → track → archive — and the default of the check
(Điều 12, primary text: required unless the unit's head decided otherwise; VANTHU_FORMAT_CHECK_REQUIRED)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.actions.rules import set_format_check_rule
from vanthu.documents.components import FULL_CHECKLIST
from vanthu.documents.models import Document, Recipient, RegisterKind, ReviewKind, ReviewState, Status
from vanthu.org import actions as org
from vanthu.org.models import Role, SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.records import actions as records
from vanthu.records import catalogue_actions
from vanthu.records.models import ItemKind
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def _draft(cast, doc_types, pdf):
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division])
    return actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                                file=checked(pdf, "du-thao.pdf"))


def test_checklist_point_10_the_whole_outgoing_chain_ends_filed_in_a_work_record(settings, cast, doc_types,
                                                                                   draft_pdf, jobs):
    """Checklist point 10: with the default setting (the check required, no rule of the unit's head), a draft of
    the Operations department goes: approved by its head (content), checked by the Staff's clerk (format, the
    four items), signed by the commander, numbered and registered in the outgoing register, sealed by the
    agency, issued to the division, tracked (the division's registration comes back as status 03), and filed in
    the Staff's work record of the year."""
    settings.FORMAT_CHECK_REQUIRED = True
    equip_cast(cast, people=("son",), units=("staff",))
    son = SigningAuthority.objects.get(person=cast.son)
    doc = _draft(cast, doc_types, draft_pdf)
    # the drafter cannot skip the check: refused, nothing changes
    with pytest.raises(ActionRefused) as refused:
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son,
                                  reviewers=[(ReviewKind.CONTENT, cast.son)])
    assert refused.value.code == "format_check_required"
    doc.refresh_from_db()
    assert (doc.status, doc.review_steps.count()) == (Status.DRAFT, 0)
    # approve (content), then check of content and format by the issuing unit's clerk
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son,
                              reviewers=[(ReviewKind.CONTENT, cast.son), (ReviewKind.FORMAT, cast.lan)])
    actions.decide_review(document=doc, acting=cast.son, approve=True)
    with pytest.raises(ActionRefused) as refused:  # the checker owes the checklist
        actions.decide_review(document=doc, acting=cast.lan, approve=True)
    assert refused.value.code == "checklist_incomplete"
    actions.decide_review(document=doc, acting=cast.lan, approve=True, checklist=FULL_CHECKLIST)
    doc.refresh_from_db()
    assert doc.status == Status.AWAITING_SIGNATURE
    assert doc.review_steps.get(kind=ReviewKind.FORMAT).state == ReviewState.APPROVED
    # sign
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    doc.refresh_from_db()
    assert (doc.status, doc.number) == (Status.SIGNED, None)
    # number, register, agency signature, issue
    jobs(actions.issue_outgoing, document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.status == Status.ISSUED
    assert doc.notation == "01/KH-TM"
    assert doc.issued_date == timezone.localdate()
    assert (doc.register.kind, doc.register.unit) == (RegisterKind.OUTGOING, cast.staff)
    assert [s.kind for s in signing.validate(doc.current_file.read_bytes()).signatures] == [
        "personal", "organisation"]
    # track: the division's copy arrives; its registration comes back to the sender
    copy = Document.objects.get(source=doc, unit=cast.division)
    org.grant_role(person=cast.minh, unit=cast.division, role=Role.CLERK, acting=TEST_FIXTURES)
    jobs(actions.register_received, document=copy, acting=cast.minh)
    assert Recipient.objects.get(document=doc, unit=cast.division).state == Recipient.State.ACCEPTED
    # archive: filed in the Staff's work record of the year
    year = timezone.localdate().year
    catalogue = catalogue_actions.create_catalogue(unit=cast.staff, year=year, acting=cast.lan,
                                                   copy_previous=False)
    heading = catalogue_actions.add_heading(catalogue=catalogue, title="Công tác huấn luyện", code="I",
                                            acting=cast.lan)
    catalogue_actions.add_entry(catalogue=catalogue, code="01.TC", title="Hồ sơ huấn luyện năm",
                                retention_years=10, responsible=cast.lan, heading=heading, acting=cast.lan)
    catalogue = catalogue_actions.approve_catalogue(catalogue=catalogue, acting=cast.son)
    record = records.open_record(entry=catalogue.entries.get(code="01.TC"), acting=cast.lan)
    item = records.file_document(record=record, document=doc, acting=cast.lan)
    assert (item.ordinal, item.kind) == (1, ItemKind.OUTGOING)
    assert list(doc.record_items.values_list("record__code", flat=True)) == ["01.TC"]


def test_checklist_point_10_by_default_only_the_issuing_units_clerk_checks(settings, cast, doc_types, draft_pdf):
    """Checklist point 10 (bad input): under the default rule a format check named for a person who is not a
    clerk of the issuing unit is refused, and the draft stays a draft."""
    settings.FORMAT_CHECK_REQUIRED = True
    doc = _draft(cast, doc_types, draft_pdf)
    with pytest.raises(ActionRefused) as refused:
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=SigningAuthority.objects.get(
            person=cast.son), reviewers=[(ReviewKind.FORMAT, cast.quang)])
    assert refused.value.code == "checker_role"
    doc.refresh_from_db()
    assert doc.status == Status.DRAFT


def test_checklist_point_10_the_setting_off_leaves_the_chain_to_the_drafter(settings, cast, doc_types, draft_pdf):
    """Checklist point 10, the setting the other way: VANTHU_FORMAT_CHECK_REQUIRED=0 and no rule of the head —
    a draft may go straight to its signer."""
    settings.FORMAT_CHECK_REQUIRED = False
    doc = _draft(cast, doc_types, draft_pdf)
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    doc.refresh_from_db()
    assert doc.status == Status.AWAITING_SIGNATURE


def test_checklist_point_10_the_heads_rule_overrides_the_default(settings, cast, doc_types, draft_pdf):
    """Checklist point 10: the unit's own rule replaces the default — here the head lets drafts skip the check
    although the setting requires it by default; another unit still gets the default."""
    settings.FORMAT_CHECK_REQUIRED = True
    set_format_check_rule(acting=cast.son, unit=cast.staff, checker_unit=cast.staff, role=Role.CLERK,
                          required=False)
    doc = _draft(cast, doc_types, draft_pdf)
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    doc.refresh_from_db()
    assert doc.status == Status.AWAITING_SIGNATURE


def test_checklist_point_10_the_rules_page_shows_the_default(settings, client, cast):
    """Checklist point 10: the head's page says which check applies while the head set no rule."""
    settings.FORMAT_CHECK_REQUIRED = True
    client.force_login(cast.son.user)
    page = client.get(f"/numbering/?unit={cast.staff.pk}").content.decode()
    assert "Mặc định (chưa có quy định riêng): Văn thư của" in page
    settings.FORMAT_CHECK_REQUIRED = False
    page = client.get(f"/numbering/?unit={cast.staff.pk}").content.decode()
    assert "Mặc định (chưa có quy định riêng)" not in page
