"""Delivery through the outbox (see `documents.outbox`): what the sender writes in its own transactions —
the messages of an issued document, the outcome of each delivery, the statuses received, a clerk's retry —
and what the receiver writes in its own — the incoming document that arrives, a cancellation.

The actions a transport calls on behalf of another unit (`receive_document`, `cancel_arrival`,
`apply_status`) and the outcome of a delivery (`mark_delivered`, `mark_failed`) have no acting person: they
are recorded as done by the system, in the chain of the unit whose rows they write.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.core.models import StoredFile
from vanthu.documents import access
from vanthu.documents.actions.common import bump, deny, lock
from vanthu.documents.models import (
    Arrival,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    ReceivedVia,
    Recipient,
    Status,
)
from vanthu.org.models import Person, Unit

logger = logging.getLogger(__name__)

# How far a recipient's state has come: a status never moves it back (statuses may arrive out of order).
RANK = {
    Recipient.State.PLANNED: 0, Recipient.State.SENT: 1, Recipient.State.RECEIVED: 2,
    Recipient.State.ACCEPTED: 3, Recipient.State.RETURNED: 3, Recipient.State.RECALLED: 4,
}
STATE_OF_STATUS = {MessageStatus.REGISTERED: Recipient.State.ACCEPTED, MessageStatus.RETURNED: Recipient.State.RETURNED}


def _enqueue(message: OutboxMessage) -> None:
    from vanthu.jobs import enqueue_on_commit

    enqueue_on_commit("vanthu.documents.jobs.deliver", message.pk)


def _advance(recipient: Recipient, state: str) -> bool:
    if RANK[Recipient.State(state)] <= RANK[Recipient.State(recipient.state)]:
        return False
    recipient.state = state
    return True


# --- the sender's side: what leaves ----------------------------------------------------------------------


def queue_document(document: Document) -> list[OutboxMessage]:
    """In the issuing transaction: every recipient is sent to; one message per recipient a transport carries
    to (units of the tree: the local transport), each delivered by its own job after the commit."""
    from vanthu.documents import outbox

    now = timezone.now()
    messages = []
    for recipient in document.recipients.select_related("unit").order_by("pk"):
        recipient.state = Recipient.State.SENT
        recipient.sent_at = now
        recipient.save(update_fields=["state", "sent_at"])
        found = outbox.route(recipient)
        if found is None:
            continue  # an outside body by name only: sent on paper or by hand
        transport, address = found
        messages.append(OutboxMessage.objects.create(
            kind=MessageKind.DOCUMENT, unit=document.unit, document=document, recipient=recipient,
            transport=transport.name, address=address,
        ))
    for message in messages:
        _enqueue(message)
    return messages


def send_reply(document: Document, *, status: str, reason: str = "") -> OutboxMessage | None:
    """In the receiving unit's transaction: tell the sender what became of a document that arrived through a
    transport (registered, returned). Nothing to tell for what came on paper."""
    arrival = Arrival.objects.filter(document=document).first()
    if arrival is None or not arrival.reply_to:
        return None
    message = OutboxMessage.objects.create(
        kind=MessageKind.STATUS, unit=document.unit, document=document, answers=arrival.key, status=status,
        reason=reason[:500], transport=arrival.transport, address=arrival.reply_to,
    )
    _enqueue(message)
    return message


def send_cancellations(document: Document, *, reason: str) -> list[OutboxMessage]:
    """In the recalling (or replacing) transaction: every recipient the document was carried to, or is on its
    way to, is told it is cancelled. The sender's recipient rows say 'recalled' at once."""
    messages = []
    sent = document.outbox.filter(kind=MessageKind.DOCUMENT).exclude(state=OutboxMessage.State.FAILED)
    for original in sent.order_by("pk"):
        messages.append(OutboxMessage.objects.create(
            kind=MessageKind.STATUS, unit=document.unit, document=document, answers=original.key,
            status=MessageStatus.CANCELLED, reason=reason[:500], transport=original.transport,
            address=original.address,
        ))
    recipient_ids = [m.recipient_id for m in sent]
    Recipient.objects.filter(pk__in=recipient_ids).update(state=Recipient.State.RECALLED)
    for message in messages:
        _enqueue(message)
    return messages


# --- the receiver's side: what arrives -------------------------------------------------------------------


@dataclass(frozen=True)
class Arrived:
    """What comes with a document: its Phụ lục VI metadata and its files. The local transport reads them off
    the issued document; the exchange between deployments off an edXML envelope."""

    doc_type: DocumentType
    organ_name: str
    subject: str
    main: StoredFile
    main_name: str
    code_number: str = ""
    code_notation: str = ""
    issued_date: dt.date | None = None
    organ_id: str = ""
    language: str = "Tiếng Việt"
    page_amount: int | None = None
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    urgency: int = 0
    urgent_until: dt.datetime | None = None
    secrecy: int = 0
    due_date: dt.date | None = None
    to_places: str = ""
    attachments: list[tuple[str, StoredFile, int]] = field(default_factory=list)  # name, file, ordinal
    source: Document | None = None  # the issued document, when it is in this database
    via: str = ReceivedVia.INTERNAL

    @classmethod
    def of(cls, document: Document) -> Arrived:
        assert document.current_file is not None
        attachments = [
            (item.name, item.file, item.ordinal)
            for item in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file")
        ]
        return cls(
            doc_type=document.doc_type, organ_name=document.organ_name, subject=document.subject,
            main=document.current_file, main_name=f"{document.notation.replace('/', '_')}.pdf",
            code_number=document.code_number, code_notation=document.code_notation,
            issued_date=document.issued_date, organ_id=document.organ_id, language=document.language,
            page_amount=document.page_amount, signer_competence=document.signer_competence,
            signer_position=document.signer_position, signer_name=document.signer_name, urgency=document.urgency,
            urgent_until=document.urgent_until, secrecy=document.secrecy, due_date=document.due_date,
            to_places=document.to_places, attachments=attachments, source=document,
        )


def _arrival(*, key: uuid.UUID, unit: Unit, transport: str, reply_to: str) -> Arrival:
    """The arrival row of a message, locked until the transaction ends; created on first sight. Two deliveries
    of one message at once meet on its unique key: the second waits for the first and finds its row."""
    row = Arrival.objects.select_for_update().filter(key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Arrival.objects.create(key=key, unit=unit, transport=transport, reply_to=reply_to)
    except IntegrityError:
        return Arrival.objects.select_for_update().get(key=key)


@action("documents.incoming.arrived")
def receive_document(*, unit: Unit, key: uuid.UUID, transport: str, reply_to: str, arrived: Arrived) -> Document:
    """A document arrives at `unit` ('Chờ vào sổ'), in the receiving unit's transaction. The same message
    twice gives the one document. A document whose cancellation came first arrives cancelled."""
    unit = Unit.objects.get(pk=unit.pk)
    if not unit.is_active:
        raise ActionRefused(_("Đơn vị nhận đã ngừng hoạt động."), code="unit_inactive")
    if not access.can_unit_receive(unit, arrived.secrecy):
        # The last guard: whoever receives for the unit must be cleared for the mark (see access.unit_refusal).
        raise ActionRefused(_("Chỉ huy, văn thư của đơn vị nhận chưa được tiếp cận văn bản có độ mật này."),
                            code="receivers_not_cleared")
    row = _arrival(key=key, unit=unit, transport=transport, reply_to=reply_to)
    if row.document is not None:
        return row.document
    if row.unit_id != unit.pk:
        raise ActionRefused(_("Thư này gửi cho đơn vị khác."), code="wrong_unit")
    cancelled = row.cancelled_at is not None
    document = Document(
        direction=Direction.INCOMING, status=Status.CANCELLED if cancelled else Status.RECEIVED, unit=unit,
        doc_type=arrived.doc_type, code_number=arrived.code_number, code_notation=arrived.code_notation,
        issued_date=arrived.issued_date, organ_id=arrived.organ_id, organ_name=arrived.organ_name,
        subject=arrived.subject, language=arrived.language, page_amount=arrived.page_amount,
        signer_competence=arrived.signer_competence, signer_position=arrived.signer_position,
        signer_name=arrived.signer_name, urgency=arrived.urgency, urgent_until=arrived.urgent_until,
        secrecy=arrived.secrecy, due_date=arrived.due_date, to_places=arrived.to_places,
        arrival_at=timezone.now(), received_via=arrived.via, source=arrived.source, current_file=arrived.main,
        created_by=None,
    )
    document.save(force_insert=True)
    for name, stored, ordinal in arrived.attachments:
        DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.ATTACHMENT, name=name, file=stored,
                                    ordinal=ordinal, added_by=None)
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name=arrived.main_name,
                                file=arrived.main, added_by=None)
    row.document = document
    row.save(update_fields=["document"])
    log.record(actor=None, verb="documents.incoming.arrived", target=document, unit=unit,
               data={"transport": transport, "from": reply_to, "key": str(key), "cancelled": cancelled})
    return document


@action("documents.incoming.cancelled")
def cancel_arrival(*, unit: Unit, key: uuid.UUID, transport: str, reason: str) -> Document | None:
    """The sender recalled or replaced a document it sent to `unit`: the incoming document is cancelled (its
    open work leaves every inbox). If it has not arrived yet, it will arrive cancelled."""
    row = _arrival(key=key, unit=unit, transport=transport, reply_to="")
    if row.transport != transport:
        raise ActionRefused(_("Thư hủy không đến qua kênh của văn bản."), code="wrong_transport")
    if row.cancelled_at is None:
        row.cancelled_at = timezone.now()
        row.cancel_reason = reason[:500]
        row.save(update_fields=["cancelled_at", "cancel_reason"])
    if row.document is None:
        return None
    document = lock(row.document)
    if document.status in (Status.CANCELLED, Status.RETURNED):
        return document
    document.status = Status.CANCELLED
    bump(document, "status")
    log.record(actor=None, verb="documents.incoming.cancelled", target=document, unit=document.unit,
               data={"reason": reason[:500], "transport": transport, "key": str(key)})
    return document


# --- the sender's side: what comes back, and the outcome of each delivery --------------------------------


@action("documents.outgoing.status_received")
def apply_status(*, answers: uuid.UUID, status: str, reason: str, transport: str,
                 evidence: StoredFile | None = None, signer: str = "", verified: bool = False,
                 document_sha256: str = "", at: dt.datetime | None = None) -> Recipient | None:
    """A recipient's status about a document this deployment sent (registered, returned with a reason),
    applied to the sender's own recipient row. A status never moves a recipient back. The exchange passes
    the signed envelope (`evidence`), its `signer`, whether it `verified`, the `document_sha256` it is bound
    to and the time `at` the receiver (kept by the status trail; accepted here, not stored yet)."""
    message = (OutboxMessage.objects.select_for_update(of=("self",)).filter(key=answers, kind=MessageKind.DOCUMENT)
               .select_related("document", "recipient").first())
    if message is None or message.transport != transport or message.recipient is None:
        logger.info("outbox: status %s for unknown message %s via %s ignored", status, answers, transport)
        return None
    target = STATE_OF_STATUS.get(MessageStatus(status))
    if target is None:
        raise ActionRefused(_("Trạng thái không áp dụng cho nơi gửi."), code="wrong_status")
    recipient = Recipient.objects.select_for_update().get(pk=message.recipient.pk)
    if _advance(recipient, target):
        recipient.reason = reason[:500] if target == Recipient.State.RETURNED else ""
        recipient.save(update_fields=["state", "reason"])
    log.record(actor=None, verb="documents.outgoing.status_received", target=message.document, unit=message.unit,
               data={"recipient": recipient.unit_id or recipient.external_name, "status": status,
                     "reason": reason[:500]})
    return recipient


@action("documents.delivery.delivered")
def mark_delivered(*, message: OutboxMessage, local_id: int | None) -> OutboxMessage:
    """The destination applied the message: the sender's row says so (a document: 'Đã đến')."""
    message = OutboxMessage.objects.select_for_update(of=("self",)).select_related("document").get(pk=message.pk)
    if message.state == OutboxMessage.State.DELIVERED:
        return message
    message.state = OutboxMessage.State.DELIVERED
    message.delivered_at = timezone.now()
    message.attempts += 1
    message.failure = message.failure_detail = ""
    message.save(update_fields=["state", "delivered_at", "attempts", "failure", "failure_detail", "updated_at"])
    if message.kind == MessageKind.DOCUMENT and message.recipient_id is not None:
        recipient = Recipient.objects.select_for_update().get(pk=message.recipient_id)
        fields = ["state"] if _advance(recipient, Recipient.State.RECEIVED) else []
        if local_id is not None:
            recipient.delivered_id = local_id
            fields.append("delivered")
        if fields:
            recipient.save(update_fields=fields)
    log.record(actor=None, verb="documents.delivery.delivered", target=message.document, unit=message.unit,
               data={"key": str(message.key), "kind": message.kind, "status": message.status,
                     "transport": message.transport, "to": message.address})
    return message


@action("documents.delivery.failed")
def mark_failed(*, message: OutboxMessage, code: str, detail: str) -> OutboxMessage:
    """The message cannot be delivered as it is: the sender sees why and may retry."""
    message = OutboxMessage.objects.select_for_update(of=("self",)).select_related("document").get(pk=message.pk)
    if message.state != OutboxMessage.State.WAITING:
        return message
    message.state = OutboxMessage.State.FAILED
    message.failure = code[:30]
    message.failure_detail = detail[:500]
    message.save(update_fields=["state", "failure", "failure_detail", "updated_at"])
    log.record(actor=None, verb="documents.delivery.failed", target=message.document, unit=message.unit,
               data={"key": str(message.key), "kind": message.kind, "transport": message.transport,
                     "to": message.address, "failure": code, "detail": detail[:500]})
    return message


def count_attempt(*, message: OutboxMessage, detail: str) -> int:
    """One more attempt that raised (the job engine retries it): kept with the message, not audited."""
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.WAITING).update(
            attempts=F("attempts") + 1, failure_detail=detail[:500], updated_at=timezone.now())
        return OutboxMessage.objects.filter(pk=message.pk).values_list("attempts", flat=True).first() or 0


@action("documents.delivery.retried")
def retry_delivery(*, message: OutboxMessage, acting: Person) -> OutboxMessage:
    """Send a failed document message again (after the recipient unit was put right, say)."""
    message = OutboxMessage.objects.select_for_update(of=("self",)).select_related("document", "document__unit").get(
        pk=message.pk)
    document = message.document
    if message.kind != MessageKind.DOCUMENT or not access.is_clerk_for(acting, document):
        raise deny(document)
    if document.status != Status.ISSUED:
        raise ActionRefused(_("Văn bản không còn hiệu lực; không gửi lại."), code="not_issued", target=document)
    if message.state != OutboxMessage.State.FAILED:
        raise ActionRefused(_("Chỉ gửi lại được nơi nhận chưa chuyển được."), code="not_failed", target=document)
    before = message.failure
    message.state = OutboxMessage.State.WAITING
    message.failure = message.failure_detail = ""
    message.attempts = 0
    message.save(update_fields=["state", "failure", "failure_detail", "attempts", "updated_at"])
    log.record(actor=acting, verb="documents.delivery.retried", target=document, unit=document.unit,
               data={"key": str(message.key), "to": message.address, "failure": before})
    _enqueue(message)
    return message
