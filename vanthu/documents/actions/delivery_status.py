"""Statuses between sender and receiver (issue 8; edXML status codes in brackets), each sent by the action
that causes it, and the sender's trail of them as evidence.

The receiver tells the sender what became of a document that arrived through a transport: arrived (01,
`receive_document`), returned with a reason (02) or registered (03) by the clerk, assigned by the leader's
direction (04), in progress (05, repeatable with the progress text), done (06) — all through
`report_handling`, called inside the causing action's transaction. The sender asks for a recall, update or
replacement (13, `delivery.send_cancellations`); the receiver answers it accepted (15: the document is
frozen, "Đã hủy theo thu hồi") or refused (16, with a reason).

The recall rule (Decree 30 Điều 18: the receiver cancels the recalled document in its System and tells the
sender): a document still in handling — or not yet arrived, or waiting to be registered — is frozen and
answered 15 at once, by the system. A document whose handling is already done (Hoàn thành) waits for a
person — the unit's clerk or a leader over it — to accept (15) or refuse (16, saying why: its results may
already be in force); see decision 0014.

On the sender's side `apply_status` records each status received as a `RecipientStatus` (once per message
key) with what the transport proved — signer, verified signature, the document's SHA-256, the signed envelope
— and moves the recipient's state forward only: statuses may arrive out of order (RANK).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu import written_sql
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.core.models import StoredFile
from vanthu.documents import access
from vanthu.documents.actions.common import bump, lock, lock_for, required_text
from vanthu.documents.models import (
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
from vanthu.org.models import Person, Unit

logger = logging.getLogger(__name__)

State = Recipient.State

# How far a recipient's state has come: a status never moves it back (statuses may arrive out of order).
RANK = {
    State.PLANNED: 0, State.PAPER_PENDING: 0, State.SENT: 1, State.PAPER_SENT: 1, State.RECEIVED: 2,
    State.ACCEPTED: 3, State.RETURNED: 3,
    State.ASSIGNED: 4, State.IN_PROGRESS: 5, State.DONE: 6,
    State.RECALLING: 7, State.RECALLED: 8, State.RECALL_REFUSED: 8,
}
# The recipient's state each status received tells the sender.
STATE_OF_STATUS = {
    MessageStatus.ARRIVED: State.RECEIVED, MessageStatus.RETURNED: State.RETURNED,
    MessageStatus.REGISTERED: State.ACCEPTED, MessageStatus.ASSIGNED: State.ASSIGNED,
    MessageStatus.IN_PROGRESS: State.IN_PROGRESS, MessageStatus.DONE: State.DONE,
    MessageStatus.RECALL_ACCEPTED: State.RECALLED, MessageStatus.RECALL_REFUSED: State.RECALL_REFUSED,
}
# States a recall no longer changes: the recipient's answer has come.
CLOSED_STATES = (State.RECALLED, State.RECALL_REFUSED)
# Statuses whose reason the sender keeps on the recipient row.
WITH_REASON = (State.RETURNED, State.RECALL_REFUSED)
# 05 may be told again, with new progress text; every other status once per document.
REPEATABLE = (MessageStatus.IN_PROGRESS,)
# The handling statuses a frozen (recalled) or returned document no longer sends.
HANDLING = (MessageStatus.ASSIGNED, MessageStatus.IN_PROGRESS, MessageStatus.DONE)
# Where the receiver's answer to a recall needs a person: the handling is complete (its results may be in force).
RECALL_NEEDS_A_DECISION = (Status.DONE,)
# Keys of statuses a transport gives without their message's key (made from what the status says).
_DERIVED = uuid.UUID("0f8a3c1e-5b7d-4e39-8d1a-6c2b9e4f7a13")


def enqueue(message: OutboxMessage) -> None:
    enqueue_many([message])


def enqueue_many(messages: Sequence[OutboxMessage]) -> None:
    """The delivery job of each message, once the transaction commits."""
    from vanthu.jobs import enqueue_on_commit

    for message in messages:
        enqueue_on_commit("vanthu.documents.jobs.deliver", message.pk)


def enqueue_again(message_ids: list[int]) -> None:
    """The delivery job of each of these messages still waiting (the statuses 01 a transport meant to carry in its
    answer, `answered`, and could not)."""
    from vanthu.jobs import enqueue_on_commit

    for pk in OutboxMessage.objects.filter(pk__in=message_ids, state=OutboxMessage.State.WAITING
                                           ).order_by("pk").values_list("pk", flat=True):
        enqueue_on_commit("vanthu.documents.jobs.deliver", pk)


def advance(recipient: Recipient, state: str) -> bool:
    if RANK[State(state)] <= RANK[State(recipient.state)]:
        return False
    recipient.state = state
    return True


def arrival_row(*, key: uuid.UUID, unit: Unit, transport: str, reply_to: str) -> Arrival:
    """The arrival row of a message, locked until the transaction ends; created on first sight. Two deliveries
    of one message at once meet on its unique key: the second waits for the first and finds its row."""
    # Inserted unless the key is there (ON CONFLICT DO NOTHING: a delivery of the same message running at once
    # makes this wait for its commit), then read locked: two statements where a look-up, a savepoint, the insert
    # and its release were four, with the same outcome either way.
    Arrival.objects.bulk_create([Arrival(key=key, unit=unit, transport=transport, reply_to=reply_to)],
                                ignore_conflicts=True)
    return Arrival.objects.select_for_update().get(key=key)


# --- the receiver's side: what it tells the sender -------------------------------------------------------


def report_handling(document: Document, status: str, *, reason: str = "",
                    arrived_now: Arrival | None = None, answered: list[int] | None = None) -> OutboxMessage | None:
    """Inside the causing action's transaction: queue `status` to the sender of `document` when it arrived
    through a transport (it has an Arrival with a reply address); nothing for what came on paper. Each status
    is sent once per document, but 05 (in progress) again when its progress text is new. A frozen or returned
    document sends no more handling statuses. `arrived_now`: the arrival row of a document created in this very
    transaction (nothing was sent about it yet: neither looked up nor looked for). `answered`: the transport that
    brought the document carries this status in its answer (the exchange's batch answer, decision 0046): its id
    goes there instead of to its delivery job; the transport delivers it, or enqueues the job (`enqueue_again`)."""
    status = MessageStatus(status)
    reason = reason.strip()[:500]
    if arrived_now is not None:
        arrival: tuple[uuid.UUID, str, str] | None = (arrived_now.key, arrived_now.transport, arrived_now.reply_to)
    else:
        arrival = _arrival_unsent(document, status, reason)
    if arrival is None or not arrival[2]:
        return None
    if status in HANDLING and document.status in (Status.CANCELLED, Status.RETURNED):
        return None
    key, transport, reply_to = arrival
    message = OutboxMessage.objects.create(
        kind=MessageKind.STATUS, unit_id=document.unit_id, document=document, answers=key, status=status,
        reason=reason, transport=transport, address=reply_to,
    )
    if answered is not None:
        answered.append(message.pk)
    else:
        enqueue(message)
    return message


# The document's arrival (key, transport, reply address) unless `status` was sent about it already: one statement,
# written out because building it through the ORM (a correlated EXISTS) cost ten times its run on every status
# the receiver reports — each registration's 03 among them (decision 0047).
_ARRIVAL_UNSENT = """
SELECT a.{key}, a.{transport}, a.{reply_to} FROM {arrival} a
WHERE a.{document} = %s AND NOT EXISTS (
    SELECT 1 FROM {outbox} m WHERE m.{answers} = a.{key} AND m.{m_document} = %s AND m.{kind} = %s
        AND m.{status} = %s{same_reason})
ORDER BY a.{id} LIMIT 1
"""


def _arrival_unsent(document: Document, status: MessageStatus, reason: str) -> tuple[uuid.UUID, str, str] | None:
    """(key, transport, reply_to) of `document`'s arrival, None when it has none or `status` was sent about it
    already (05: with this very `reason`)."""
    connection = transaction.get_connection()
    repeatable = status in REPEATABLE
    params: list[object] = [document.pk, document.pk, MessageKind.STATUS.value, status.value]
    if repeatable:
        params.append(reason)
    with connection.cursor() as cursor:
        cursor.execute(_arrival_unsent_sql(connection, repeatable), params)
        row = cursor.fetchone()
    if row is None:
        return None
    key = Arrival._meta.get_field("key").to_python(row[0])  # a UUID on PostgreSQL, 32 hex digits on SQLite
    return key, row[1], row[2]


@written_sql.per_vendor
def _arrival_unsent_sql(connection: Any, repeatable: bool) -> str:
    arrival = written_sql.quoted(connection, Arrival, "id", "key", "transport", "reply_to", "document")
    outbox = written_sql.quoted(connection, OutboxMessage, "answers", "kind", "status", "document", "reason")
    return _ARRIVAL_UNSENT.format(
        arrival=arrival.pop("table"), outbox=outbox["table"], **arrival,
        **{name: outbox[name] for name in ("answers", "kind", "status")}, m_document=outbox["document"],
        same_reason=f" AND m.{outbox['reason']} = %s" if repeatable else "",
    )


def _frozen(document: Document, row: Arrival, *, at: dt.datetime) -> None:
    """Accept the recall: the document is frozen ('Đã hủy theo thu hồi'; its open work leaves every inbox,
    workflow refuses any further handling) and 15 goes back."""
    if document.status != Status.RETURNED:  # a returned document is already out of the register's work
        document.status = Status.CANCELLED
        bump(document, "status")
    row.recall_answer = RecallAnswer.ACCEPTED
    row.recall_answered_at = at
    row.save(update_fields=["recall_answer", "recall_answered_at"])
    report_handling(document, MessageStatus.RECALL_ACCEPTED, reason=row.cancel_reason)


@action("documents.incoming.cancelled")
def cancel_arrival(*, unit: Unit, key: uuid.UUID, transport: str, reason: str) -> Document | None:
    """The sender asks to recall (or replaces) a document it sent to `unit` (13). A document in handling is
    frozen and answered 15 at once; one whose handling is done waits for the unit's decision (15 or 16). If it
    has not arrived yet, it will arrive cancelled (and answer 15 then). The same request twice changes nothing."""
    row = arrival_row(key=key, unit=unit, transport=transport, reply_to="")
    if row.transport != transport:
        raise ActionRefused(_("Thư hủy không đến qua kênh của văn bản."), code="wrong_transport")
    now = timezone.now()
    if row.cancelled_at is None:
        row.cancelled_at = now
        row.cancel_reason = reason[:500]
        row.save(update_fields=["cancelled_at", "cancel_reason"])
    if row.document is None or row.recall_answer:
        return row.document
    document = lock(row.document)
    if document.status == Status.CANCELLED:
        return document
    if document.status in RECALL_NEEDS_A_DECISION:
        row.recall_answer = RecallAnswer.PENDING
        row.save(update_fields=["recall_answer"])
        log.record(actor=None, verb="documents.incoming.recall_requested", target=document, unit=document.unit,
                   data={"reason": reason[:500], "transport": transport, "key": str(key)})
        return document
    _frozen(document, row, at=now)
    log.record(actor=None, verb="documents.incoming.cancelled", target=document, unit=document.unit,
               data={"reason": reason[:500], "transport": transport, "key": str(key)})
    return document


def _pending_recall(document: Document) -> Arrival:
    row = Arrival.objects.select_for_update().filter(document=document).first()
    assert row is not None  # the predicate checked it is pending
    assert row.recall_answer == RecallAnswer.PENDING
    return row


@action("documents.incoming.recall_accepted")
def accept_recall(*, document: Document, acting: Person) -> Document:
    """The unit's clerk or leader accepts the sender's recall of a document whose handling was done (15):
    it is frozen with the recall's notice."""
    document = lock_for(document, acting, access.Need.ANSWER_RECALL)
    row = _pending_recall(document)
    _frozen(document, row, at=timezone.now())
    log.record(actor=acting, verb="documents.incoming.recall_accepted", target=document, unit=document.unit,
               data={"reason": row.cancel_reason, "key": str(row.key)})
    return document


@action("documents.incoming.recall_refused")
def refuse_recall(*, document: Document, acting: Person, reason: str) -> Document:
    """The unit's clerk or leader refuses the recall (16), saying why; the document stays as it is."""
    document = lock_for(document, acting, access.Need.ANSWER_RECALL)
    reason = required_text(reason, _("Hãy ghi lý do từ chối thu hồi."), code="reason_required", field="reason")
    if len(reason) > 500:
        raise ActionRefused(_("Lý do dài quá 500 ký tự."), code="too_long", field="reason")
    row = _pending_recall(document)
    row.recall_answer = RecallAnswer.REFUSED
    row.recall_answer_reason = reason
    row.recall_answered_at = timezone.now()
    row.save(update_fields=["recall_answer", "recall_answer_reason", "recall_answered_at"])
    report_handling(document, MessageStatus.RECALL_REFUSED, reason=reason)
    bump(document)
    log.record(actor=acting, verb="documents.incoming.recall_refused", target=document, unit=document.unit,
               data={"reason": reason, "key": str(row.key)})
    return document


# --- the sender's side: what comes back ------------------------------------------------------------------


def _status_of(status: str) -> MessageStatus:
    """A status by its value ("registered") or its edXML code ("03")."""
    if status.isdigit():
        return MessageStatus.from_edxml_code(status)
    return MessageStatus(status)


@action("documents.outgoing.status_received")
def apply_status(
    *,
    answers: uuid.UUID,
    status: str,
    reason: str,
    transport: str,
    evidence: StoredFile | None = None,
    signer: str = "",
    verified: bool = False,
    document_sha256: str = "",
    at: dt.datetime | None = None,
    key: uuid.UUID | None = None,
    events: list[log.Entry] | None = None,
) -> Recipient | None:
    """A recipient's status about a document this deployment sent, in the sender's transaction: recorded in
    the recipient's trail once per status message (`key`; a transport that has none gets one made from what
    the status says), with what the transport proved of it, and applied to the recipient's state, which
    never moves back. `events`: a batch's list (the exchange's `receive_many`): the audit event is appended
    there and recorded with the batch's others in the same transaction, instead of on its own."""
    # the message's own row, narrow: its document and recipient by id (the recipient is read, locked, below)
    message = (OutboxMessage.objects.select_for_update().filter(key=answers, kind=MessageKind.DOCUMENT)
               .only("pk", "transport", "recipient_id", "document_id", "unit_id").first())
    if message is None or message.transport != transport or message.recipient_id is None:
        logger.info("outbox: status %s for unknown message %s via %s ignored", status, answers, transport)
        return None
    try:
        told = _status_of(status)
    except ValueError:
        told = None
    target = STATE_OF_STATUS.get(told) if told is not None else None
    if told is None or target is None:
        raise ActionRefused(_("Trạng thái không áp dụng cho nơi gửi."), code="wrong_status")
    reason = reason[:500]
    if key is None:
        key = uuid.uuid5(_DERIVED, f"{answers}|{told.value}|{reason}|{at.isoformat() if at else ''}")
    recipient = (Recipient.objects.select_for_update().only("pk", "state", "reason", "unit_id", "external_name")
                 .get(pk=message.recipient_id))
    if RecipientStatus.objects.filter(key=key).exists():
        return recipient  # the same status message again: recorded once
    try:
        with transaction.atomic():
            RecipientStatus.objects.create(
                key=key, recipient=recipient, document_id=message.document_id, status=told, reason=reason, at=at,
                transport=transport, signer=signer[:300], verified=verified, document_sha256=document_sha256[:64],
                evidence=evidence,
            )
    except IntegrityError:
        return recipient  # delivered twice at once: the other delivery recorded it
    if advance(recipient, target):
        recipient.reason = reason if target in WITH_REASON else ""
        recipient.save(update_fields=["state", "reason"])
    entry = log.Entry(verb="documents.outgoing.status_received",
                      target=(Document._meta.label_lower, message.document_id), unit=message.unit_id,
                      data={"recipient": recipient.unit_id or recipient.external_name, "status": told.value,
                            "code": told.edxml_code, "reason": reason, "key": str(key), "verified": verified,
                            "signer": signer[:300], "sha256": document_sha256[:64],
                            "evidence": evidence.sha256 if evidence is not None else None})
    if events is not None:
        events.append(entry)
    else:
        log.record(actor=None, verb=entry.verb, target=entry.target, unit=entry.unit, data=entry.data)
    return recipient
