"""Delivery in batches per destination unit (decision 0037): the waiting messages to one unit are applied in
one transaction there and marked in one of each sender's, the audit chain heads locked once a batch. The rows
and the audit events are those of delivering the same messages one by one; a message one by one would refuse
goes alone and is refused as before without holding up the others; a batch that fails, or a worker that dies
between the destination's commit and the sender's, leaves every message delivered exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import checked
from tests.outbox_helpers import signed_plan
from vanthu.audit import log
from vanthu.audit.models import AuditChainHead, AuditEvent
from vanthu.documents import actions, delivering, outbox
from vanthu.documents.actions import delivery_batch
from vanthu.documents.models import (
    Arrival,
    Document,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Recipient,
    RecipientStatus,
)
from vanthu.org.models import SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


class _Undo(Exception):
    """Raised to roll back the one-by-one delivery once it is described."""


@pytest.fixture
def issued(cast, doc_types, draft_pdf):
    """Three plans of the Staff issued to the division and the province; their delivery jobs not run yet."""
    documents = [signed_plan(cast, doc_types, draft_pdf)]
    for n in (2, 3):
        data = actions.DraftData(doc_type=doc_types["KH"], subject=f"Kế hoạch số {n}",
                                 recipient_units=[cast.division, cast.province])
        draft = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                     data=data, file=checked(draft_pdf))
        actions.submit_for_review(document=draft, acting=cast.quang,
                                  signer_authority=SigningAuthority.objects.get(person=cast.son))
        actions.sign_outgoing(document=draft, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
        draft.refresh_from_db()
        documents.append(draft)
    for document in documents:  # no commit in this test: the jobs wait
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return documents


def _chains(cast) -> list[str]:
    return [f"u{cast.staff.pk}", f"u{cast.division.pk}", f"u{cast.province.pk}", "global"]


def _heads(cast) -> dict[str, int]:
    return {chain: AuditChainHead.objects.filter(chain=chain).values_list("seq", flat=True).first() or 0
            for chain in _chains(cast)}


def _described(cast, since: dict[str, int]) -> dict[str, object]:
    """What the deliveries wrote, with the ids and keys they made replaced by what they stand for (a copy by
    its source and unit, a status message by the message it answers and what it says)."""
    copies = {str(d.pk): f"copy of {d.source_id} at {d.unit_id}" for d in Document.objects.exclude(source=None)}
    statuses = {str(m.key): f"{m.status} about {m.answers}"
                for m in OutboxMessage.objects.filter(kind=MessageKind.STATUS)}

    def named(value: str) -> str:
        return copies.get(value) or statuses.get(value) or value

    events = []
    for chain in _chains(cast):
        for event in AuditEvent.objects.filter(chain=chain, seq__gt=since[chain]).order_by("seq"):
            data = {**event.data, "key": named(event.data["key"])} if "key" in event.data else event.data
            events.append((chain, event.seq, event.verb, event.actor_id, event.target_type, named(event.target_id),
                           event.unit_id, data))
    return {
        "events": events,
        "messages": sorted((m.kind, named(str(m.key)) if m.kind == MessageKind.STATUS else str(m.key), m.state,
                            m.attempts, m.failure) for m in OutboxMessage.objects.all()),
        "recipients": sorted((r.pk, r.state, named(str(r.delivered_id)) if r.delivered_id else None, r.reason)
                             for r in Recipient.objects.all()),
        "trail": sorted((named(str(s.key)), s.recipient_id, s.status, s.at is not None)
                        for s in RecipientStatus.objects.all()),
        "copies": sorted((named(str(d.pk)), d.status, d.created_by_id, d.current_file_id, d.subject,
                          sorted(d.files.values_list("kind", "name", "file_id", "added_by_id")))
                         for d in Document.objects.exclude(source=None)),
        "arrivals": sorted((str(a.key), a.unit_id, a.reply_to, named(str(a.document_id)))
                           for a in Arrival.objects.all()),
    }


def _deliver_in_destination_order(cast) -> None:
    """One by one, in the order the batches take them: the division's documents, then the province's, then
    the statuses 01 back to the Staff (oldest first)."""
    division = str(cast.division.pk)
    for _round in ("documents", "statuses"):
        waiting = list(OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING))
        for message in sorted(waiting, key=lambda m: (m.kind != MessageKind.DOCUMENT, m.address != division, m.pk)):
            delivering.deliver_message(message.pk)


def test_a_batch_writes_what_one_by_one_writes_in_fewer_statements(cast, issued, settings):
    since = _heads(cast)
    settings.OUTBOX_BATCH = 1
    try:
        with transaction.atomic():
            _deliver_in_destination_order(cast)
            one_by_one = _described(cast, since)
            raise _Undo
    except _Undo:
        pass
    assert not Document.objects.exclude(source=None).exists()  # undone

    settings.OUTBOX_BATCH = 25
    first = OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, address=str(cast.division.pk)).order_by("pk")[0]
    with CaptureQueriesContext(transaction.get_connection()) as batch:
        delivering.deliver_message(first.pk)  # the job of the oldest takes the other two for the division
    assert set(OutboxMessage.objects.filter(address=str(cast.division.pk)).values_list("state", flat=True)) == {
        "delivered"}
    assert OutboxMessage.objects.filter(address=str(cast.province.pk), state="waiting").count() == 3
    delivering.deliver_waiting()  # the province's three, then the statuses 01 back, six in one batch
    batched = _described(cast, since)

    assert batched == one_by_one
    assert len(batched["events"]) == 6 + 6 + 6 + 6  # arrived, delivered, status received, delivered (01)
    assert {e[2] for e in batched["events"]} == {"documents.incoming.arrived", "documents.delivery.delivered",
                                                 "documents.outgoing.status_received"}
    assert all(log.verify_chain(chain).ok for chain in _chains(cast))
    assert len(batch.captured_queries) < 3 * 27  # three documents one by one: 27 statements each


def test_a_message_one_by_one_refuses_goes_alone_and_the_others_are_delivered(cast, issued):
    """The division's receivers are not cleared for the second plan's mark: it fails with that reason, as it
    did alone, and the other two arrive in the batch."""
    from vanthu.documents.access import receivers_of
    from vanthu.org.models import Person

    for unit, clearance in ((cast.division, 0), (cast.province, 3)):
        Person.objects.filter(pk__in=list(receivers_of(unit).values_list("pk", flat=True))).update(
            clearance=clearance)
    Document.objects.filter(pk=issued[1].pk).update(secrecy=1)
    delivering.deliver_waiting()

    refused = OutboxMessage.objects.get(document=issued[1], recipient__unit=cast.division)
    assert refused.state == OutboxMessage.State.FAILED
    assert "chưa được tiếp cận" in outbox.failure_text(refused)
    assert not Document.objects.filter(source=issued[1], unit=cast.division).exists()
    assert AuditEvent.objects.filter(verb="documents.incoming.arrived.refused").count() == 1
    for document in (issued[0], issued[2]):
        assert Document.objects.get(source=document, unit=cast.division).status == "received"
    assert Document.objects.filter(source__in=issued, unit=cast.province).count() == 3


def test_a_batch_that_fails_rolls_back_and_each_message_goes_alone(cast, issued, monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("the destination's transaction failed")

    monkeypatch.setattr(delivery_batch, "receive_documents", broken)
    delivering.deliver_waiting()
    assert Document.objects.filter(source__in=issued).count() == 6  # each delivered alone, once
    assert set(OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT).values_list("state", "attempts")) == {
        ("delivered", 1)}
    assert AuditEvent.objects.filter(verb="documents.incoming.arrived").count() == 6


class _Killed(BaseException):
    """The worker dies (nothing catches it)."""


def test_a_worker_dying_between_the_destination_and_the_sender_delivers_each_message_once(cast, issued,
                                                                                       monkeypatch):
    def dies(**_kwargs):
        raise _Killed

    monkeypatch.setattr(delivery_batch, "mark_delivered_many", dies)
    first = OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, address=str(cast.division.pk)).order_by("pk")[0]
    with pytest.raises(_Killed):
        delivering.deliver_message(first.pk)
    assert Document.objects.filter(source__in=issued, unit=cast.division).count() == 3  # committed there
    assert OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, state="waiting").count() == 6  # not here
    monkeypatch.undo()

    delivering.deliver_waiting()  # the jobs run again
    assert Document.objects.filter(source__in=issued).count() == 6
    assert AuditEvent.objects.filter(verb="documents.incoming.arrived").count() == 6
    assert set(OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT).values_list("state", "attempts")) == {
        ("delivered", 1)}
    for recipient in Recipient.objects.filter(document__in=issued, unit__isnull=False):
        assert recipient.delivered == Document.objects.get(source=recipient.document, unit=recipient.unit)
    assert OutboxMessage.objects.filter(kind=MessageKind.STATUS, status=MessageStatus.ARRIVED).count() == 6


def test_registrations_coming_back_are_applied_together_in_the_senders_transaction(cast, issued):
    delivering.deliver_waiting()
    copies = Document.objects.filter(source__in=issued, unit=cast.division).order_by("pk")
    for copy in copies:
        actions.register_received(document=copy, acting=cast.minh)
    statuses = OutboxMessage.objects.filter(kind=MessageKind.STATUS, status=MessageStatus.REGISTERED)
    assert statuses.count() == 3
    since = AuditChainHead.objects.get(chain=f"u{cast.staff.pk}").seq
    delivering.deliver_message(statuses.order_by("pk")[0].pk)  # the three in one batch
    assert set(statuses.values_list("state", flat=True)) == {"delivered"}
    assert set(Recipient.objects.filter(document__in=issued, unit=cast.division).values_list("state", flat=True)) == {
        Recipient.State.ACCEPTED}
    received = AuditEvent.objects.filter(chain=f"u{cast.staff.pk}", seq__gt=since).order_by("seq")
    assert [(e.verb, e.data["status"], e.data["key"]) for e in received] == [
        ("documents.outgoing.status_received", "registered", str(s.key)) for s in statuses.order_by("pk")]
    delivering.deliver_message(statuses.order_by("pk")[1].pk)  # its job, after the batch: nothing more
    assert RecipientStatus.objects.filter(status=MessageStatus.REGISTERED).count() == 3


@pytest.fixture
def no_delivery_jobs(monkeypatch):
    """The delivery jobs are not run on commit (the test runs them itself, at once)."""
    import vanthu.jobs

    monkeypatch.setattr(vanthu.jobs, "enqueue_on_commit", lambda *args, **kwargs: None)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_jobs_batching_the_same_messages_at_once_deliver_each_once(no_delivery_jobs, cast, issued):
    """Six jobs at the same moment, three per destination: each forms a batch with the others' messages. They
    meet on the arrivals' keys; no deadlock, no error, each message delivered once."""
    messages = list(OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT).order_by("pk"))
    assert len(messages) == 6
    start = threading.Barrier(len(messages))
    errors: list[BaseException] = []

    def job(pk: int) -> None:
        try:
            start.wait(timeout=60)
            delivering.deliver_message(pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job, args=(m.pk,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Document.objects.filter(source__in=issued).count() == 6
    assert AuditEvent.objects.filter(verb="documents.incoming.arrived").count() == 6
    assert AuditEvent.objects.filter(verb="documents.delivery.delivered").count() == 6
    assert set(OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT).values_list("state", "attempts")) == {
        ("delivered", 1)}
    assert all(log.verify_chain(chain).ok for chain in _chains(cast))


@pytest.mark.parametrize("rows_a_statement", [100, 2])
def test_the_arrivals_are_linked_as_bulk_update_links_them(cast, issued, monkeypatch, rows_a_statement):
    """`_link_arrivals` writes each row's document and reply_to, as `bulk_update(rows, ["document", "reply_to"])`
    did, in one statement (one a chunk of rows); a row it is not given is left alone."""
    import uuid

    monkeypatch.setattr(delivery_batch, "_LINK_ROWS", rows_a_statement)
    rows = Arrival.objects.bulk_create([Arrival(key=uuid.uuid4(), unit=cast.division, transport="http",
                                                reply_to=reply_to) for reply_to in ("", "000.00.01.Q10", "", "x")])
    for row, document, reply_to in zip(rows[:3], issued, ("000.00.02.Q10", "000.00.01.Q10", "y"), strict=True):
        row.document, row.reply_to = document, reply_to
    with CaptureQueriesContext(connections["default"]) as queries:
        delivery_batch._link_arrivals(rows[:3])
    assert len(queries) == (1 if rows_a_statement >= 3 else 2)
    stored = {a.pk: (a.document_id, a.reply_to) for a in Arrival.objects.filter(pk__in=[r.pk for r in rows])}
    assert stored == {rows[0].pk: (issued[0].pk, "000.00.02.Q10"), rows[1].pk: (issued[1].pk, "000.00.01.Q10"),
                      rows[2].pk: (issued[2].pk, "y"), rows[3].pk: (None, "x")}
