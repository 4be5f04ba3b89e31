"""Issue 8, statuses: each status code is sent by the action that causes it (01 arrival, 02 return, 03
registration, 04 direction, 05 handling, 06 done; 13 recall with its answers 15 and 16), once — 05 again with
new progress text —; the sender keeps the trail as evidence, a duplicate recorded once, and the recipient's
state never moves back when statuses arrive out of order. A recalled document is frozen at the receiver."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from tests.outbox_helpers import signed_plan
from vanthu.core import files
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.actions import delivery
from vanthu.documents.models import (
    EDXML_CODES,
    Arrival,
    Document,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    RecallAnswer,
    Recipient,
    RecipientStatus,
    Status,
)
from vanthu.exchange.edxml.model import StatusCode
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole

S = MessageStatus


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """Run what an action enqueues on commit (the delivery jobs, and the statuses their delivery causes)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def issued(cast, doc_types, draft_pdf, jobs):
    document = signed_plan(cast, doc_types, draft_pdf)
    jobs(actions.issue_outgoing, document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return document


def copy_at(document: Document, unit) -> Document:
    return Document.objects.get(source=document, unit=unit)


def recipient(document: Document, unit) -> Recipient:
    return Recipient.objects.get(document=document, unit=unit)


def trail(document: Document, unit) -> list[str]:
    return list(RecipientStatus.objects.filter(recipient__document=document, recipient__unit=unit)
                .order_by("received_at", "pk").values_list("status", flat=True))


def sent(copy: Document, status: str) -> int:
    return OutboxMessage.objects.filter(kind=MessageKind.STATUS, document=copy, status=status).count()


def handled(cast, issued, jobs) -> tuple[Document, Assignment]:
    """The division registers the plan; Dũng directs Minh to lead it."""
    copy = copy_at(issued, cast.division)
    jobs(actions.register_received, document=copy, acting=cast.minh)
    jobs(workflow.direct, document=copy, acting=cast.dung, text="Đồng chí Minh chủ trì triển khai.", lead=cast.minh)
    return copy, Assignment.objects.get(document=copy, person=cast.minh, role=AssignmentRole.LEAD)


def test_every_status_maps_to_its_edxml_code():
    assert {S(value).edxml_code for value in EDXML_CODES} == {code.value for code in StatusCode}
    assert S.from_edxml_code("03") == S.REGISTERED
    assert S.CANCELLED.edxml_code == "13"  # the stored value of before the handshake keeps working


def test_each_status_is_sent_by_its_cause_exactly_once_and_the_sender_keeps_the_trail(cast, issued, jobs):
    """Checklist points 26 and 49."""
    copy = copy_at(issued, cast.division)
    assert trail(issued, cast.division) == [S.ARRIVED]  # 01 the moment it arrived
    copy, lead = handled(cast, issued, jobs)
    assert trail(issued, cast.division) == [S.ARRIVED, S.REGISTERED, S.ASSIGNED]
    assert recipient(issued, cast.division).state == Recipient.State.ASSIGNED

    jobs(workflow.start, assignment=lead, acting=cast.minh)
    jobs(workflow.complete, assignment=lead, acting=cast.minh, result="Đã triển khai kế hoạch tới các trung đoàn.")
    assert trail(issued, cast.division) == [S.ARRIVED, S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.DONE]
    assert recipient(issued, cast.division).state == Recipient.State.DONE
    for status in (S.ARRIVED, S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.DONE):
        assert sent(copy, status) == 1
    assigned = RecipientStatus.objects.get(recipient__document=issued, status=S.ASSIGNED)
    assert assigned.reason == ""  # the status only: the direction stays with the receiving unit
    done = RecipientStatus.objects.get(recipient__document=issued, status=S.DONE)
    assert (done.transport, done.verified, done.signer, done.evidence) == ("local", False, "", None)
    assert done.at is not None  # the time at the receiver

    # asked again, nothing more goes; 05 goes again only with new progress text
    assert delivery.report_handling(copy, S.REGISTERED) is None
    assert delivery.report_handling(copy, S.IN_PROGRESS) is None
    assert delivery.report_handling(copy, S.IN_PROGRESS, reason="Đã họp triển khai") is not None
    assert delivery.report_handling(copy, S.IN_PROGRESS, reason="Đã họp triển khai") is None
    assert sent(copy, S.IN_PROGRESS) == 2


def test_done_waits_for_the_cooperating_work(cast, issued, jobs):
    """Checklist point 28."""
    copy = copy_at(issued, cast.division)
    jobs(actions.register_received, document=copy, acting=cast.minh)
    jobs(workflow.direct, document=copy, acting=cast.dung, text="Minh chủ trì, Dũng phối hợp.", lead=cast.minh,
         cooperate=[cast.dung])
    lead = Assignment.objects.get(document=copy, role=AssignmentRole.LEAD)
    cooperating = Assignment.objects.get(document=copy, role=AssignmentRole.COOPERATE)
    jobs(workflow.complete, assignment=lead, acting=cast.minh, result="Xong phần chủ trì.")
    assert sent(copy, S.DONE) == 0
    assert recipient(issued, cast.division).state == Recipient.State.IN_PROGRESS
    jobs(workflow.complete, assignment=cooperating, acting=cast.dung, result="Xong phần phối hợp.")
    assert sent(copy, S.DONE) == 1
    assert recipient(issued, cast.division).state == Recipient.State.DONE


def test_paper_documents_send_nothing(cast, issued, jobs):
    copy, lead = handled(cast, issued, jobs)
    Arrival.objects.filter(document=copy).update(reply_to="")
    jobs(workflow.start, assignment=lead, acting=cast.minh)
    assert sent(copy, S.IN_PROGRESS) == 0


def test_a_return_sends_02_with_its_reason(cast, issued, jobs):
    """Checklist point 25."""
    copy = copy_at(issued, cast.province)
    jobs(actions.return_received, document=copy, acting=cast.tam, reason="Không thuộc thẩm quyền")
    returned = recipient(issued, cast.province)
    assert (returned.state, returned.reason) == (Recipient.State.RETURNED, "Không thuộc thẩm quyền")
    assert trail(issued, cast.province) == [S.ARRIVED, S.RETURNED]
    assert sent(copy, S.RETURNED) == 1


def test_statuses_out_of_order_never_move_the_recipient_back(cast, issued):
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    for status in (S.DONE, S.REGISTERED, S.IN_PROGRESS, S.ASSIGNED):
        delivery.apply_status(answers=message.key, status=status, reason="", transport="local", key=uuid.uuid4())
    assert recipient(issued, cast.division).state == Recipient.State.DONE
    assert trail(issued, cast.division) == [S.ARRIVED, S.DONE, S.REGISTERED, S.IN_PROGRESS, S.ASSIGNED]


def test_a_duplicate_status_is_recorded_once(cast, issued, jobs):
    copy = copy_at(issued, cast.division)
    jobs(actions.register_received, document=copy, acting=cast.minh)
    status = OutboxMessage.objects.get(kind=MessageKind.STATUS, document=copy, status=S.REGISTERED)
    OutboxMessage.objects.filter(pk=status.pk).update(state=OutboxMessage.State.WAITING)  # as if marked lost
    from vanthu.documents import jobs as document_jobs

    document_jobs.deliver.call(status.pk)
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    delivery.apply_status(answers=message.key, status=S.REGISTERED, reason="", transport="local", key=status.key)
    assert trail(issued, cast.division) == [S.ARRIVED, S.REGISTERED]
    # a transport without the message's key: the same status, reason and time are one status
    at = timezone.now()
    for _ in range(2):
        delivery.apply_status(answers=message.key, status="05", reason="Đang xử lý", transport="local", at=at)
    assert trail(issued, cast.division) == [S.ARRIVED, S.REGISTERED, S.IN_PROGRESS]


def test_what_the_wire_proves_is_kept_with_the_status(cast, issued):
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    envelope = files.store_bytes(b"<edXML:Status/>", content_type="application/xml")
    at = timezone.now()
    delivery.apply_status(answers=message.key, status="03", reason="", transport="local", evidence=envelope,
                          signer="Sư đoàn 301 (000.00.31.H01)", verified=True, document_sha256="ab" * 32, at=at,
                          key=uuid.uuid4())
    row = RecipientStatus.objects.get(recipient__document=issued, status=S.REGISTERED)
    assert (row.evidence, row.signer, row.verified, row.document_sha256, row.at) == (
        envelope, "Sư đoàn 301 (000.00.31.H01)", True, "ab" * 32, at)
    assert row.edxml_code == "03"


def test_a_status_the_sender_cannot_apply_is_refused(cast, issued):
    message = OutboxMessage.objects.get(document=issued, recipient__unit=cast.division)
    with pytest.raises(ActionRefused) as refused:
        delivery.apply_status(answers=message.key, status=S.CANCELLED, reason="", transport="local")
    assert refused.value.code == "wrong_status"


def test_a_recall_freezes_the_copy_and_15_comes_back(cast, issued, jobs):
    """Checklist point 33."""
    copy, lead = handled(cast, issued, jobs)
    jobs(actions.recall_outgoing, document=issued, acting=cast.lan, reason="Sai thời gian huấn luyện")
    copy.refresh_from_db()
    assert copy.status == Status.CANCELLED
    arrival = Arrival.objects.get(document=copy)
    assert (arrival.recall_answer, arrival.cancel_reason) == (RecallAnswer.ACCEPTED, "Sai thời gian huấn luyện")
    assert recipient(issued, cast.division).state == Recipient.State.RECALLED
    assert trail(issued, cast.division)[-1] == S.RECALL_ACCEPTED
    assert sent(copy, S.RECALL_ACCEPTED) == 1
    with pytest.raises(ActionRefused):  # frozen: no further handling
        workflow.start(assignment=lead, acting=cast.minh)
    assert delivery.report_handling(copy, S.IN_PROGRESS, reason="muộn") is None


def test_a_recall_of_a_done_document_waits_for_the_units_decision_and_may_be_refused(cast, issued, jobs):
    copy, lead = handled(cast, issued, jobs)
    jobs(workflow.complete, assignment=lead, acting=cast.minh, result="Đã thực hiện xong.")
    jobs(actions.recall_outgoing, document=issued, acting=cast.lan, reason="Ban hành nhầm")
    copy.refresh_from_db()
    assert copy.status == Status.DONE
    assert Arrival.objects.get(document=copy).recall_answer == RecallAnswer.PENDING
    assert recipient(issued, cast.division).state == Recipient.State.RECALLING
    with pytest.raises(ActionRefused):  # the sending clerk has no say at the receiver
        actions.refuse_recall(document=copy, acting=cast.lan, reason="Không")
    with pytest.raises(ActionRefused) as refused:
        actions.refuse_recall(document=copy, acting=cast.dung, reason="  ")
    assert refused.value.code == "reason_required"

    jobs(actions.refuse_recall, document=copy, acting=cast.dung, reason="Kết quả đã báo cáo Tư lệnh")
    copy.refresh_from_db()
    assert copy.status == Status.DONE
    answered = recipient(issued, cast.division)
    assert (answered.state, answered.reason) == (Recipient.State.RECALL_REFUSED, "Kết quả đã báo cáo Tư lệnh")
    assert trail(issued, cast.division)[-1] == S.RECALL_REFUSED
    with pytest.raises(ActionRefused):  # answered once
        actions.accept_recall(document=copy, acting=cast.dung)


def test_a_pending_recall_accepted_by_the_clerk_freezes_the_document(cast, issued, jobs):
    copy, lead = handled(cast, issued, jobs)
    jobs(workflow.complete, assignment=lead, acting=cast.minh, result="Đã thực hiện xong.")
    jobs(actions.recall_outgoing, document=issued, acting=cast.lan, reason="Ban hành nhầm")
    jobs(actions.accept_recall, document=copy, acting=cast.minh)
    copy.refresh_from_db()
    assert copy.status == Status.CANCELLED
    assert recipient(issued, cast.division).state == Recipient.State.RECALLED
    assert sent(copy, S.RECALL_ACCEPTED) == 1


def test_a_recall_that_overtakes_its_document_is_answered_when_it_arrives(cast, doc_types, draft_pdf,
                                                                         django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks() as late:
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    with django_capture_on_commit_callbacks(execute=True):
        actions.recall_outgoing(document=document, acting=cast.lan, reason="Ban hành nhầm")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in late:
            callback()
    copy = copy_at(document, cast.division)
    assert copy.status == Status.CANCELLED
    assert [m.status for m in OutboxMessage.objects.filter(kind=MessageKind.STATUS, document=copy).order_by("pk")] == [
        S.ARRIVED, S.RECALL_ACCEPTED]
    assert recipient(document, cast.division).state == Recipient.State.RECALLED


def test_a_failed_status_is_sent_again_by_the_receiving_clerk(cast, issued, jobs):
    copy = copy_at(issued, cast.division)
    with pytest.MonkeyPatch.context() as patch:
        def refuse(**kwargs):
            raise ActionRefused("no", code="refused")

        patch.setattr(delivery, "apply_status", refuse)
        jobs(actions.register_received, document=copy, acting=cast.minh)
    status = OutboxMessage.objects.get(kind=MessageKind.STATUS, document=copy, status=S.REGISTERED)
    assert status.state == OutboxMessage.State.FAILED
    with pytest.raises(ActionRefused):
        actions.retry_delivery(message=status, acting=cast.lan)  # not the sending clerk's message
    jobs(actions.retry_delivery, message=status, acting=cast.minh)
    assert OutboxMessage.objects.get(pk=status.pk).state == OutboxMessage.State.DELIVERED
    assert recipient(issued, cast.division).state == Recipient.State.ACCEPTED


def test_the_migration_gives_earlier_deliveries_their_trail(cast, issued, jobs):
    import importlib

    from django.apps import apps

    copy = copy_at(issued, cast.division)
    jobs(actions.register_received, document=copy, acting=cast.minh)
    OutboxMessage.objects.filter(document=copy, status=S.ARRIVED).delete()  # before 01 was a message
    RecipientStatus.objects.all().delete()
    migration = importlib.import_module("vanthu.documents.migrations.0009_status_trail")
    migration.trail_from_the_outbox(apps, None)
    assert trail(issued, cast.division) == [S.ARRIVED, S.REGISTERED]
    assert trail(issued, cast.province) == [S.ARRIVED]
    assert not RecipientStatus.objects.filter(verified=True).exists()
