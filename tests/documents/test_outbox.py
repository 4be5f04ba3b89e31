"""The outbox: an issued document leaves as one message per recipient written with its number and seal; the
delivery job hands each to the local transport, which creates the recipient's incoming document in the
recipient's own transaction; statuses (registered, returned) come back, and cancellations go out, the same
way. Faults: a recipient unit deactivated or gone, a job for a message that no longer exists, a seal that
fails after the number was taken."""

from __future__ import annotations

import datetime as dt
import importlib
import logging

import pytest
from django.apps import apps
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, outbox
from vanthu.documents import jobs as document_jobs
from vanthu.documents.actions import delivery
from vanthu.documents.models import (
    Arrival,
    Document,
    DocumentFile,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Recipient,
    Status,
)
from vanthu.org.models import Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """Run what an action enqueues on commit (the delivery jobs, with the immediate backend)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def copy_at(document: Document, unit: Unit) -> Document:
    return Document.objects.get(source=document, unit=unit)


def test_issuance_writes_the_messages_and_the_jobs_deliver_them_after_the_commit(cast, signed,
                                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    messages = OutboxMessage.objects.filter(document=signed, kind=MessageKind.DOCUMENT).order_by("pk")
    assert {(m.transport, m.address, m.state) for m in messages} == {
        ("local", str(cast.division.pk), "waiting"), ("local", str(cast.province.pk), "waiting")}
    assert not Document.objects.filter(source=signed).exists()  # nothing written in the receivers' units yet
    # the outside body named only has no transport: it waits for the paper copy, never "sent" (issue 12)
    assert set(Recipient.objects.filter(document=signed).values_list("state", flat=True)) == {"sent", "paper_pending"}

    for callback in callbacks:  # the jobs, after the commit
        callback()
    assert set(messages.values_list("state", flat=True)) == {"delivered"}
    copy = copy_at(signed, cast.division)
    assert copy.status == Status.RECEIVED
    assert copy.notation == "01/KH-TM"
    assert copy.created_by is None  # the copy belongs to the division, not to the Staff's clerk
    assert set(DocumentFile.objects.filter(document=copy).values_list("added_by", flat=True)) == {None}
    arrived = AuditEvent.objects.get(verb="documents.incoming.arrived", target_id=str(copy.pk))
    assert arrived.chain == f"u{cast.division.pk}"
    assert arrived.actor_id is None
    recipient = Recipient.objects.get(document=signed, unit=cast.division)
    assert (recipient.state, recipient.delivered) == (Recipient.State.RECEIVED, copy)
    assert Recipient.objects.get(document=signed, external_name="Quân khu 7").state == Recipient.State.PAPER_PENDING


def test_delivering_a_message_twice_creates_one_incoming_document(cast, signed, jobs):
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    message = OutboxMessage.objects.get(document=signed, recipient__unit=cast.division)
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.WAITING)  # as if marked lost
    document_jobs.deliver.call(message.pk)
    first = copy_at(signed, cast.division)
    again = delivery.receive_document(unit=cast.division, key=message.key, transport="local",
                                      reply_to=str(cast.staff.pk), arrived=delivery.Arrived.of(signed))
    assert again == first
    assert Document.objects.filter(source=signed, unit=cast.division).count() == 1
    assert Arrival.objects.filter(key=message.key).count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.DELIVERED


def test_registration_and_return_come_back_as_statuses_applied_by_the_sender(cast, signed, jobs):
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    division_copy, province_copy = copy_at(signed, cast.division), copy_at(signed, cast.province)

    actions.register_received(document=division_copy, acting=cast.minh)  # its job has not run (no commit yet)
    status = OutboxMessage.objects.get(kind=MessageKind.STATUS, document=division_copy, status="registered")
    assert (status.unit, status.status, status.state) == (cast.division, MessageStatus.REGISTERED, "waiting")
    assert Recipient.objects.get(document=signed, unit=cast.division).state == Recipient.State.RECEIVED

    document_jobs.deliver.call(status.pk)
    assert Recipient.objects.get(document=signed, unit=cast.division).state == Recipient.State.ACCEPTED
    applied = AuditEvent.objects.get(verb="documents.outgoing.status_received", data__status="registered")
    assert applied.chain == f"u{cast.staff.pk}"  # written in the sender's own chain

    jobs(actions.return_received, document=province_copy, acting=cast.tam, reason="Không thuộc thẩm quyền")
    returned = Recipient.objects.get(document=signed, unit=cast.province)
    assert (returned.state, returned.reason) == (Recipient.State.RETURNED, "Không thuộc thẩm quyền")


def test_a_late_arrived_status_never_moves_a_recipient_back(cast, signed, jobs):
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    message = OutboxMessage.objects.get(document=signed, recipient__unit=cast.division)
    delivery.apply_status(answers=message.key, status=MessageStatus.REGISTERED, reason="", transport="local")
    delivery.mark_delivered(message=message, local_id=None)  # "arrived" told again, after "registered"
    assert Recipient.objects.get(pk=message.recipient_id).state == Recipient.State.ACCEPTED


def test_recall_cancels_the_copies_through_the_outbox(cast, signed, jobs):
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    jobs(actions.recall_outgoing, document=signed, acting=cast.lan, reason="Sai thời gian")
    assert set(Document.objects.filter(source=signed).values_list("status", flat=True)) == {Status.CANCELLED}
    cancels = OutboxMessage.objects.filter(document=signed, kind=MessageKind.STATUS)
    assert {(m.status, m.state) for m in cancels} == {(MessageStatus.CANCELLED, "delivered")}
    assert set(Recipient.objects.filter(document=signed, unit__isnull=False).values_list("state", flat=True)) == {
        Recipient.State.RECALLED}


def test_a_cancellation_that_overtakes_its_document_makes_it_arrive_cancelled(cast, signed,
                                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as issued:
        actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    with django_capture_on_commit_callbacks(execute=True):
        actions.recall_outgoing(document=signed, acting=cast.lan, reason="Ban hành nhầm")
    assert not Document.objects.filter(source=signed).exists()
    for callback in issued:  # the document messages' jobs run late
        callback()
    assert set(Document.objects.filter(source=signed).values_list("status", flat=True)) == {Status.CANCELLED}
    assert Document.objects.filter(source=signed).count() == 2


def test_a_deactivated_recipient_unit_fails_with_a_reason_and_a_retry_delivers(cast, signed, jobs):
    Unit.objects.filter(pk=cast.province.pk).update(is_active=False)
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    failed = OutboxMessage.objects.get(document=signed, recipient__unit=cast.province)
    assert failed.state == OutboxMessage.State.FAILED
    assert outbox.failure_text(failed) == "Đơn vị nhận đã ngừng hoạt động."
    assert not Document.objects.filter(source=signed, unit=cast.province).exists()
    assert copy_at(signed, cast.division).status == Status.RECEIVED  # the others are not held up
    assert AuditEvent.objects.filter(verb="documents.delivery.failed", chain=f"u{cast.staff.pk}").exists()

    with pytest.raises(ActionRefused) as err:
        actions.retry_delivery(message=failed, acting=cast.quang)  # not the issuing unit's clerk
    assert err.value.code == "forbidden"
    Unit.objects.filter(pk=cast.province.pk).update(is_active=True)
    jobs(actions.retry_delivery, message=failed, acting=cast.lan)
    failed.refresh_from_db()
    assert (failed.state, failed.failure) == (OutboxMessage.State.DELIVERED, "")
    assert copy_at(signed, cast.province).status == Status.RECEIVED
    with pytest.raises(ActionRefused) as err:
        actions.retry_delivery(message=failed, acting=cast.lan)
    assert err.value.code == "not_failed"


def test_a_recipient_unit_gone_from_the_system_fails_with_a_reason(cast, signed, jobs):
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    message = OutboxMessage.objects.get(document=signed, recipient__unit=cast.division)
    ghost = OutboxMessage.objects.create(kind=MessageKind.STATUS, unit=cast.staff, document=signed,
                                         answers=message.key, status=MessageStatus.CANCELLED, transport="local",
                                         address="999999")
    document_jobs.deliver.call(ghost.pk)
    ghost.refresh_from_db()
    assert (ghost.state, ghost.failure) == (OutboxMessage.State.FAILED, "unit_missing")
    assert outbox.failure_text(ghost) == "Đơn vị nhận không còn trong hệ thống."


def test_a_job_for_a_message_that_no_longer_exists_ends_quietly(db, caplog):
    with caplog.at_level(logging.INFO, logger="vanthu.documents.outbox"):
        document_jobs.deliver.call(123456)
    assert "no longer exists" in caplog.text


def test_a_seal_failing_after_the_number_keeps_the_number_for_the_retry(cast, signed, doc_types, draft_pdf,
                                                                       monkeypatch, jobs):
    def unreachable(self, **_kwargs):
        raise signing.SigningRefused("Không kết nối được dịch vụ cấp dấu thời gian.", code="tsa_unreachable")

    real = signing.UnitSeal.seal_issued
    monkeypatch.setattr(signing.UnitSeal, "seal_issued", unreachable)
    with pytest.raises(ActionRefused) as err:
        actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert err.value.code == "tsa_unreachable"
    signed.refresh_from_db()
    assert (signed.status, signed.number, signed.issuing_since) == (Status.SIGNED, 1, None)
    assert not OutboxMessage.objects.filter(document=signed).exists()
    kept = AuditEvent.objects.get(verb="documents.outgoing.number_kept")
    assert kept.data["number"] == 1
    assert AuditEvent.objects.filter(verb="documents.outgoing.issued.refused").exists()

    monkeypatch.setattr(signing.UnitSeal, "seal_issued", real)
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    signed.refresh_from_db()
    assert (signed.status, signed.notation) == (Status.ISSUED, "01/KH-TM")  # the same number: no gap
    assert signing.validate(signed.current_file.read_bytes()).valid
    assert Document.objects.filter(source=signed).count() == 2


def test_a_second_attempt_while_one_is_sealing_is_refused_until_its_lease_ends(cast, signed, jobs):
    Document.objects.filter(pk=signed.pk).update(issuing_since=timezone.now())
    with pytest.raises(ActionRefused) as err:
        actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert err.value.code == "issuing"
    assert Document.objects.get(pk=signed.pk).number is None
    Document.objects.filter(pk=signed.pk).update(issuing_since=timezone.now() - dt.timedelta(minutes=11))
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert Document.objects.get(pk=signed.pk).status == Status.ISSUED


def test_the_migration_takes_the_sending_clerk_off_existing_copies(cast, signed, jobs):
    jobs(actions.issue_outgoing, document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    copy = copy_at(signed, cast.division)
    # the rows as the previous in-transaction delivery wrote them
    Document.objects.filter(pk=copy.pk).update(created_by=cast.lan)
    DocumentFile.objects.filter(document=copy).update(added_by=cast.lan)
    Arrival.objects.all().delete()
    OutboxMessage.objects.all().delete()
    migration = importlib.import_module("vanthu.documents.migrations.0007_delivered_copies_belong_to_receivers")
    migration.forwards(apps, None)
    copy.refresh_from_db()
    assert copy.created_by is None
    assert set(DocumentFile.objects.filter(document=copy).values_list("added_by", flat=True)) == {None}
    arrival = Arrival.objects.get(document=copy)
    assert OutboxMessage.objects.get(key=arrival.key).recipient.unit == cast.division
    # a status about an old copy now travels like any other
    jobs(actions.register_received, document=copy, acting=cast.minh)
    assert Recipient.objects.get(document=signed, unit=cast.division).state == Recipient.State.ACCEPTED


def _clear(unit: Unit, clearance: int) -> None:
    from vanthu.documents.access import receivers_of
    from vanthu.org.models import Person

    Person.objects.filter(pk__in=list(receivers_of(unit).values_list("pk", flat=True))).update(clearance=clearance)


def test_issuance_rechecks_the_recipients_clearance_before_any_number(cast, signed, jobs):
    """Issue 16: a classified document is delivered only to units whose receivers are cleared. Clearance may
    change between drafting and issuance: the clerk is refused, naming the unit, and no number is taken."""
    _clear(cast.division, 3)
    _clear(cast.province, 0)
    Document.objects.filter(pk=signed.pk).update(secrecy=1)
    with pytest.raises(ActionRefused) as err:
        actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    assert cast.province.name in err.value.message
    signed.refresh_from_db()
    assert (signed.status, signed.number) == (Status.SIGNED, None)
    assert not OutboxMessage.objects.filter(document=signed).exists()
    assert AuditEvent.objects.filter(verb="documents.outgoing.issued.refused").exists()


def test_a_unit_whose_receivers_lost_clearance_before_delivery_gets_nothing(cast, signed, jobs):
    """The receiving side's last guard: the copy is not made, the sender sees why."""
    _clear(cast.division, 3)
    _clear(cast.province, 3)
    Document.objects.filter(pk=signed.pk).update(secrecy=1)
    signed.refresh_from_db()
    actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET,
                           otp=code_for(cast.lan))  # no commit: jobs wait
    _clear(cast.province, 0)
    for message in OutboxMessage.objects.filter(document=signed):
        document_jobs.deliver.call(message.pk)
    failed = OutboxMessage.objects.get(document=signed, recipient__unit=cast.province)
    assert failed.state == OutboxMessage.State.FAILED
    assert "chưa được tiếp cận" in outbox.failure_text(failed)
    assert not Document.objects.filter(source=signed, unit=cast.province).exists()
    assert copy_at(signed, cast.division).secrecy == 1
