"""The outgoing flow end to end through the actions: sign, issue (number, date, seal, delivery), recall,
replace; remote signing; and what issuance refuses."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.models import Document, Recipient, RegisterKind, Status
from vanthu.org.models import SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, bind_remote_key, equip_cast, remote_service_signs
from vanthu.workflow import actions as workflow
from vanthu.workflow.queries import inbox_for


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """Run the jobs each action enqueues on commit (the delivery jobs, with the immediate backend)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def equipped(cast):
    equip_cast(cast, people=("son",), units=("staff",))
    return cast


def awaiting(cast, doc_types, pdf, **kw) -> Document:
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division, cast.province], recipient_names=["Bộ Tư lệnh Quân khu 7"],
                             **kw)
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(pdf, "du-thao.pdf"))
    return actions.submit_for_review(document=doc, acting=cast.quang,
                                     signer_authority=SigningAuthority.objects.get(person=cast.son))


def test_signed_then_issued_with_number_date_seal_and_deliveries(equipped, doc_types, draft_pdf, jobs):
    """Checklist point 3."""
    cast = equipped
    doc = awaiting(cast, doc_types, draft_pdf)
    approved = doc.current_file.read_bytes()
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    doc.refresh_from_db()
    assert doc.status == Status.SIGNED
    assert doc.number is None
    assert doc.current_file.read_bytes()[: len(approved)] == approved  # what was approved is what was signed

    jobs(actions.issue_outgoing, document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.status == Status.ISSUED
    assert doc.notation == "01/KH-TM"
    assert doc.issued_date == timezone.localdate()
    assert doc.register.kind == RegisterKind.OUTGOING
    assert doc.register.unit == cast.staff
    result = signing.validate(doc.current_file.read_bytes())
    assert result.valid
    assert [s.kind for s in result.signatures] == ["personal", "organisation"]
    assert result.signatures[0].modified_after == "form_filling"

    copies = Document.objects.filter(source=doc).order_by("unit__path")
    assert [c.unit for c in copies] == [cast.division, cast.province]
    assert all(c.status == Status.RECEIVED and c.notation == "01/KH-TM" for c in copies)
    assert Recipient.objects.get(document=doc, external_name="Bộ Tư lệnh Quân khu 7").state == (
        Recipient.State.PAPER_PENDING)
    division_copy = copies[0]
    # the division's clerk has it waiting to be registered: grant Minh the clerk role to look
    from vanthu.org import actions as org

    org.grant_role(person=cast.minh, unit=cast.division, role="clerk", acting=TEST_FIXTURES)
    assert division_copy.pk in [i.document.pk for i in inbox_for(cast.minh).items if i.kind == "register"]


def test_recall_cancels_the_received_copies_and_their_open_work(equipped, doc_types, draft_pdf, jobs):
    """Checklist point 33."""
    cast = equipped
    doc = awaiting(cast, doc_types, draft_pdf)
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    jobs(actions.issue_outgoing, document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    copy = Document.objects.get(source=doc, unit=cast.division)
    from vanthu.org import actions as org

    org.grant_role(person=cast.minh, unit=cast.division, role="clerk", acting=TEST_FIXTURES)
    jobs(actions.register_received, document=copy, acting=cast.minh)
    workflow.present(document=copy, acting=cast.minh, to=cast.dung)
    assert copy.pk in [i.document.pk for i in inbox_for(cast.dung).items if i.kind == "direct"]

    jobs(actions.recall_outgoing, document=doc, acting=cast.lan, reason="Sai thời gian thực hiện")
    doc.refresh_from_db()
    copy.refresh_from_db()
    assert doc.status == Status.RECALLED
    assert copy.status == Status.CANCELLED
    assert copy.pk not in [i.document.pk for i in inbox_for(cast.dung).items]
    assert Recipient.objects.filter(document=doc, unit__isnull=False, state=Recipient.State.RECALLED).count() == 2


def test_replacement_links_both_and_replaces_on_issue(equipped, doc_types, draft_pdf, jobs):
    """Checklist point 34."""
    cast = equipped
    old = awaiting(cast, doc_types, draft_pdf)
    actions.sign_outgoing(document=old, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    jobs(actions.issue_outgoing, document=old, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    old.refresh_from_db()
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027 (thay thế)",
                             recipient_units=[cast.division])
    new = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(draft_pdf), replaces=old)
    actions.submit_for_review(document=new, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    actions.sign_outgoing(document=new, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    jobs(actions.issue_outgoing, document=new, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == Status.REPLACED
    assert new.replaces == old
    assert new.notation == "02/KH-TM"
    assert Document.objects.get(source=old, unit=cast.division).status == Status.CANCELLED


def test_wrong_seal_pin_refuses_issuance_and_takes_no_number(equipped, doc_types, draft_pdf):
    cast = equipped
    doc = awaiting(cast, doc_types, draft_pdf)
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    with pytest.raises(ActionRefused):
        actions.issue_outgoing(document=doc, acting=cast.lan, secret="000000", otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.status == Status.SIGNED
    assert doc.number is None
    assert not Document.objects.filter(source=doc).exists()
    assert AuditEvent.objects.filter(verb="documents.outgoing.issued.refused").exists()
    actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.number == 1  # the refused attempt left no gap


def test_issuance_refuses_an_unsigned_document(equipped, doc_types, draft_pdf):
    """Checklist point 12."""
    cast = equipped
    doc = awaiting(cast, doc_types, draft_pdf)
    Document.objects.filter(pk=doc.pk).update(status=Status.SIGNED)  # as if someone forced the state
    with pytest.raises(ActionRefused) as err:
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert err.value.code == "unsigned"
    assert Document.objects.get(pk=doc.pk).number is None


def test_only_the_issuing_units_clerk_issues(equipped, doc_types, draft_pdf):
    cast = equipped
    doc = awaiting(cast, doc_types, draft_pdf)
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    with pytest.raises(ActionRefused) as err:
        actions.issue_outgoing(document=doc, acting=cast.hoa, secret=SIGNING_SECRET, otp=code_for(cast.hoa))
    assert err.value.code == "forbidden"


def test_only_the_chosen_signer_signs(equipped, doc_types, draft_pdf):
    cast = equipped
    doc = awaiting(cast, doc_types, draft_pdf)
    with pytest.raises(ActionRefused):
        actions.sign_outgoing(document=doc, acting=cast.hung, secret=SIGNING_SECRET, otp=code_for(cast.hung))
    assert Document.objects.get(pk=doc.pk).status == Status.AWAITING_SIGNATURE


def test_remote_signature_round_trip(cast, doc_types, draft_pdf):
    """Sơn's key is at a remote signing service: vanthu records the digest; the service's answer is checked
    and embedded. The service is played here by a local key (no such service can run on this machine)."""
    equip_cast(cast, people=(), units=("staff",))
    key = bind_remote_key(cast.son, acting=cast.admin)
    doc = awaiting(cast, doc_types, draft_pdf)
    with pytest.raises(ActionRefused) as err:
        actions.sign_outgoing(document=doc, acting=cast.son, secret=None, otp=code_for(cast.son))
    assert err.value.code == "remote_key"

    actions.request_remote_signature(document=doc, acting=cast.son)
    doc.refresh_from_db()
    digest = bytes(doc.remote_request.digest)
    with pytest.raises(ActionRefused):
        actions.complete_remote_signature(document=doc, acting=cast.son, signature=b"\x00" * 256)
    assert Document.objects.get(pk=doc.pk).status == Status.AWAITING_SIGNATURE
    actions.complete_remote_signature(document=doc, acting=cast.son, signature=remote_service_signs(key, digest))
    doc.refresh_from_db()
    assert doc.status == Status.SIGNED
    assert doc.remote_request is None
    actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert signing.validate(doc.current_file.read_bytes()).valid
