"""Delivery through the outbox (see `documents.outbox`): what the sender writes in its own transactions —
the messages of an issued document, the outcome of each delivery, a clerk's retry — and what the receiver
writes in its own — the incoming document that arrives. The statuses both ways (01–06, the recall 13 and its
answers 15/16) and the sender's trail are in `delivery_status`, exported here under the names transports use.

The actions a transport calls on behalf of another unit (`receive_document`, `cancel_arrival`,
`apply_status`) and the outcome of a delivery (`mark_delivered`, `mark_failed`) have no acting person: they
are recorded as done by the system, in the chain of the unit whose rows they write.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.core.models import StoredFile
from vanthu.documents import access
from vanthu.documents.actions.common import deny
from vanthu.documents.actions.delivery_status import (
    CLOSED_STATES,
    RANK,
    STATE_OF_STATUS,
    accept_recall,
    advance,
    apply_status,
    arrival_row,
    cancel_arrival,
    enqueue,
    refuse_recall,
    report_handling,
)
from vanthu.documents.formatting import notation_file_name
from vanthu.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    RecallAnswer,
    ReceivedVia,
    Recipient,
    Status,
)
from vanthu.org.models import Person, Unit

logger = logging.getLogger(__name__)

__all__ = [  # the statuses live in `delivery_status`; transports call them by this module's name
    "RANK", "STATE_OF_STATUS", "Arrived", "accept_recall", "apply_status", "cancel_arrival", "count_attempt",
    "mark_delivered", "mark_failed", "queue_document", "receive_document", "refuse_recall", "report_handling",
    "retry_delivery", "send_cancellations", "send_reply",
]

# --- the sender's side: what leaves ----------------------------------------------------------------------


def queue_document(document: Document, *, recipients: Sequence[Recipient] | None = None) -> list[OutboxMessage]:
    """In the issuing transaction: every recipient is sent to; one message per recipient a transport carries
    to (units of the tree: the local transport), each delivered by its own job after the commit. `recipients`:
    the document's recipients, when the caller has read them already (issuance, for its checks)."""
    from vanthu.documents import outbox

    now = timezone.now()
    messages, on_paper = [], []
    if recipients is None:  # transports route by unit id or organ id: no join
        recipients = list(document.recipients.order_by("pk"))
    for recipient in recipients:
        found = outbox.route(recipient)
        if found is None:
            # an outside body by name only: nothing carries it; it waits for the clerk to send it on paper
            # and record how and when (`paper.record_paper_sent`), never shown as sent before that
            on_paper.append(recipient.pk)
            continue
        transport, address = found
        messages.append(OutboxMessage(
            kind=MessageKind.DOCUMENT, unit=document.unit, document=document, recipient=recipient,
            transport=transport.name, address=address,
        ))
    # one statement each, whatever the number of recipients
    if on_paper:
        Recipient.objects.filter(pk__in=on_paper).update(state=Recipient.State.PAPER_PENDING)
    if messages:
        Recipient.objects.filter(pk__in=[m.recipient_id for m in messages]).update(state=Recipient.State.SENT,
                                                                                   sent_at=now)
        messages = OutboxMessage.objects.bulk_create(messages)
    for message in messages:
        enqueue(message)
    return messages


def send_reply(document: Document, *, status: str, reason: str = "") -> OutboxMessage | None:
    """What `report_handling` was called before the statuses 01–06 (kept for callers of that name)."""
    return report_handling(document, status, reason=reason)


def send_cancellations(document: Document, *, reason: str) -> list[OutboxMessage]:
    """In the recalling (or replacing) transaction: every recipient the document was carried to, or is on its
    way to, is asked to cancel it (13). The sender's recipient rows say 'recall requested' at once; each
    recipient's answer — 15 accepted, 16 refused — comes back as a status (`delivery_status`)."""
    messages = []
    sent = document.outbox.filter(kind=MessageKind.DOCUMENT).exclude(state=OutboxMessage.State.FAILED)
    for original in sent.order_by("pk"):
        messages.append(OutboxMessage.objects.create(
            kind=MessageKind.STATUS, unit=document.unit, document=document, answers=original.key,
            status=MessageStatus.CANCELLED, reason=reason[:500], transport=original.transport,
            address=original.address,
        ))
    recipient_ids = [m.recipient_id for m in sent]
    # 'recall requested' (13) at once; each recipient's answer (15 or 16) moves it on (see RANK)
    Recipient.objects.filter(pk__in=recipient_ids).exclude(state__in=CLOSED_STATES).update(
        state=Recipient.State.RECALLING)
    for message in messages:
        enqueue(message)
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
    def of(cls, document: Document, *, attachments: list[DocumentFile] | None = None) -> Arrived:
        """`attachments`: the document's attachment rows with their files when read already (a batch reads
        those of all its documents at once), in the files' order."""
        assert document.current_file is not None
        if attachments is None:
            attachments = list(document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file"))
        return cls(
            doc_type=document.doc_type, organ_name=document.organ_name, subject=document.subject,
            main=document.current_file, main_name=notation_file_name(document.notation),
            code_number=document.code_number, code_notation=document.code_notation,
            issued_date=document.issued_date, organ_id=document.organ_id, language=document.language,
            page_amount=document.page_amount, signer_competence=document.signer_competence,
            signer_position=document.signer_position, signer_name=document.signer_name, urgency=document.urgency,
            urgent_until=document.urgent_until, secrecy=document.secrecy, due_date=document.due_date,
            to_places=document.to_places, attachments=[(item.name, item.file, item.ordinal) for item in attachments],
            source=document,
        )


def incoming_document(unit: Unit, arrived: Arrived, *, cancelled: bool = False) -> Document:
    """The incoming document an arrival becomes at `unit` (not saved): one delivered alone or in a batch."""
    return Document(
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


@action("documents.incoming.arrived")
def receive_document(*, unit: Unit, key: uuid.UUID, transport: str, reply_to: str, arrived: Arrived,
                     events: list[log.Entry] | None = None, answered: list[int] | None = None) -> Document:
    """A document arrives at `unit` ('Chờ vào sổ'), in the receiving unit's transaction. The same message
    twice gives the one document. A document whose cancellation came first arrives cancelled. `events`: a batch's
    list (the exchange's `receive_many`): the audit event is appended there and recorded with the batch's others
    (`log.record_many`) in the same transaction, instead of on its own. `answered`: the transport carries the 01
    in its answer (`report_handling`)."""
    unit = Unit.objects.get(pk=unit.pk)
    if not unit.is_active:
        raise ActionRefused(_("Đơn vị nhận đã ngừng hoạt động."), code="unit_inactive")
    if not access.can_unit_receive(unit, arrived.secrecy):
        # The last guard: whoever receives for the unit must be cleared for the mark (see access.unit_refusal).
        raise ActionRefused(_("Chỉ huy, văn thư của đơn vị nhận chưa được tiếp cận văn bản có độ mật này."),
                            code="receivers_not_cleared")
    row = arrival_row(key=key, unit=unit, transport=transport, reply_to=reply_to)
    if row.document is not None:
        return row.document
    if row.unit_id != unit.pk:
        raise ActionRefused(_("Thư này gửi cho đơn vị khác."), code="wrong_unit")
    cancelled = row.cancelled_at is not None
    document = incoming_document(unit, arrived, cancelled=cancelled)
    document.save(force_insert=True)
    DocumentFile.objects.bulk_create([  # one statement: the attachments, then the main file
        *(DocumentFile(document=document, kind=DocumentFile.Kind.ATTACHMENT, name=name, file=stored, ordinal=ordinal,
                       added_by=None) for name, stored, ordinal in arrived.attachments),
        DocumentFile(document=document, kind=DocumentFile.Kind.MAIN, name=arrived.main_name, file=arrived.main,
                     added_by=None),
    ])
    row.document = document
    row.reply_to = row.reply_to or reply_to  # a recall that came first did not know where to answer
    if cancelled:  # the recall came first: nobody has worked on it, so it is accepted (15) as it arrives
        row.recall_answer = RecallAnswer.ACCEPTED
        row.recall_answered_at = timezone.now()
    row.save(update_fields=["document", "reply_to", "recall_answer", "recall_answered_at"])
    # 01, the same day (Decree 30 Điều 21)
    report_handling(document, MessageStatus.ARRIVED, arrived_now=row, answered=answered)
    if cancelled:
        report_handling(document, MessageStatus.RECALL_ACCEPTED, reason=row.cancel_reason)
    entry = log.Entry(verb="documents.incoming.arrived", target=document, unit=unit,
                      data={"transport": transport, "from": reply_to, "key": str(key), "cancelled": cancelled})
    if events is not None:
        events.append(entry)
    else:
        log.record(actor=None, verb=entry.verb, target=document, unit=unit, data=entry.data)
    return document


# --- the sender's side: the outcome of each delivery --------------------------------


@action("documents.delivery.delivered")
def mark_delivered(*, message: OutboxMessage, local_id: int | None) -> OutboxMessage:
    """The destination applied the message: the sender's row says so (a document: 'Đã đến')."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)  # the audit names its document by id
    if message.state == OutboxMessage.State.DELIVERED:
        return message
    message.state = OutboxMessage.State.DELIVERED
    message.delivered_at = timezone.now()
    message.attempts += 1
    message.failure = message.failure_detail = ""
    message.save(update_fields=["state", "delivered_at", "attempts", "failure", "failure_detail", "updated_at"])
    if message.kind == MessageKind.DOCUMENT and message.recipient_id is not None:
        recipient = Recipient.objects.select_for_update().get(pk=message.recipient_id)
        fields = ["state"] if advance(recipient, Recipient.State.RECEIVED) else []
        if local_id is not None:
            recipient.delivered_id = local_id
            fields.append("delivered")
        if fields:
            recipient.save(update_fields=fields)
    log.record(actor=None, verb="documents.delivery.delivered", unit=message.unit_id,
               target=(Document._meta.label_lower, message.document_id),
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
    log.record(actor=None, verb="documents.delivery.failed", target=message.document, unit=message.unit_id,
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
    """Send a failed message again: a document (after the recipient unit was put right, say), or a status
    about one (from the receiving unit's clerk)."""
    message = OutboxMessage.objects.select_for_update(of=("self",)).select_related("document", "document__unit").get(
        pk=message.pk)
    document = message.document
    if not access.is_clerk_for(acting, document):  # a document: the sender's clerk; a status: its unit's
        raise deny(document)
    if message.kind == MessageKind.DOCUMENT and document.status != Status.ISSUED:
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
    enqueue(message)
    return message
