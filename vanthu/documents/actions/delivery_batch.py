"""Delivery in batches per destination unit (decision 0037): what `delivery.receive_document` and
`delivery.mark_delivered` do for one message, done for several waiting messages to the same unit of this
deployment in one transaction at the destination and one at each sender, each unit's audit chain head
locked once for the batch.

The outcome is the one of delivering the messages one by one in the order of their ids: the same rows
(arrival, incoming document and its files, the status 01 back to the sender), the same audit events — verbs,
targets, chains, data, in the same order within each chain —, and a message delivered once (the arrival's
unique key, as one by one). What one by one would refuse or treat specially is left out of the batch and
delivered alone, where it is refused (or handled) exactly as before: a unit that is inactive or gone, a
receiver not cleared for the mark, an arrival keyed for another unit, a cancellation that came first.

Locks, as one by one: rows of one unit only in each transaction, the arrivals in the order of the messages'
ids (inserted together, then read locked), the unit's audit chain head last.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import F
from django.utils import timezone

from vanthu import written_sql
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.models import StoredFile
from vanthu.documents import access
from vanthu.documents.actions.delivery import Arrived, incoming_document
from vanthu.documents.actions.delivery_status import STATE_OF_STATUS, WITH_REASON, advance, enqueue_many
from vanthu.documents.models import (
    Arrival,
    Document,
    DocumentFile,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Recipient,
    RecipientStatus,
)
from vanthu.org.models import Unit


@dataclass(frozen=True)
class Incoming:
    """One message of a batch as the destination sees it: what `receive_document` takes for one."""

    key: uuid.UUID
    reply_to: str
    arrived: Arrived


def _document(unit: Unit, arrived: Arrived) -> Document:
    # the incoming document exactly as `delivery.receive_document` writes it (not cancelled: those go alone)
    return incoming_document(unit, arrived)


@action("documents.incoming.arrived")
def receive_documents(*, unit: Unit, transport: str, items: Sequence[Incoming],
                      events: dict[uuid.UUID, log.Entry] | None = None,
                      answered: list[int] | None = None) -> dict[uuid.UUID, int]:
    """Several documents arrive at `unit` in one of its transactions. Returns the incoming document's id by
    message key for each message applied (made now, or found: the same message again, in the batch or
    before); a key missing from the answer was left out for delivery alone (see the module). Never refuses: it
    leaves out instead.

    `events`: the audit event of each document made now goes there under its key, not recorded here: the
    caller records it with its own, in the same transaction (the exchange's `receive_many`, decision 0043).
    `answered`: the transport carries the statuses 01 in its answer: their ids go there instead of to their
    delivery jobs (`delivery_status.report_handling`)."""
    unit = Unit.objects.get(pk=unit.pk)
    if not unit.is_active or not items:
        return {}
    cleared = {secrecy: access.can_unit_receive(unit, secrecy) for secrecy in {i.arrived.secrecy for i in items}}
    chosen = [item for item in items if cleared[item.arrived.secrecy]]
    if not chosen:
        return {}
    # the arrivals: inserted unless there (in the messages' order), then read locked — as `arrival_row` does
    Arrival.objects.bulk_create([Arrival(key=i.key, unit=unit, transport=transport, reply_to=i.reply_to)
                                 for i in chosen], ignore_conflicts=True)
    rows = {row.key: row for row in Arrival.objects.select_for_update().filter(key__in=[i.key for i in chosen])
            .order_by("pk")}
    applied: dict[uuid.UUID, int] = {}
    fresh: list[tuple[Incoming, Arrival]] = []
    taken: set[uuid.UUID] = set()
    for item in chosen:
        row = rows[item.key]
        if row.document_id is not None:
            applied[item.key] = row.document_id  # delivered before: the one document
        elif item.key in taken:
            continue  # the key again in the batch: the one document its first makes (as one by one)
        elif row.unit_id == unit.pk and row.cancelled_at is None and row.transport == transport:
            fresh.append((item, row))
            taken.add(item.key)
        # else left out: one by one refuses it (another unit's key) or makes it arrive cancelled
    if not fresh:
        return applied
    documents = Document.objects.bulk_create([_document(unit, item.arrived) for item, _row in fresh])
    DocumentFile.objects.bulk_create([  # one statement for the batch: each document's attachments, then its main file
        file
        for (item, _row), document in zip(fresh, documents, strict=True)
        for file in (
            *(DocumentFile(document=document, kind=DocumentFile.Kind.ATTACHMENT, name=name, file=stored,
                           ordinal=ordinal, added_by=None) for name, stored, ordinal in item.arrived.attachments),
            DocumentFile(document=document, kind=DocumentFile.Kind.MAIN, name=item.arrived.main_name,
                         file=item.arrived.main, added_by=None),
        )
    ])
    for (item, row), document in zip(fresh, documents, strict=True):
        row.document = document
        row.reply_to = row.reply_to or item.reply_to
    _link_arrivals([row for _item, row in fresh])
    # 01 back to each sender, the same day (Decree 30 Điều 21): what `report_handling` writes for an arrival
    # made in this transaction
    statuses = OutboxMessage.objects.bulk_create([
        OutboxMessage(kind=MessageKind.STATUS, unit=unit, document=document, answers=row.key,
                      status=MessageStatus.ARRIVED, reason="", transport=row.transport, address=row.reply_to)
        for (_item, row), document in zip(fresh, documents, strict=True) if row.reply_to
    ])
    if answered is not None:
        answered.extend(s.pk for s in statuses)
    else:
        enqueue_many(statuses)
    entries = [log.Entry(verb="documents.incoming.arrived", target=document, unit=unit,
                         data={"transport": transport, "from": item.reply_to, "key": str(item.key),
                               "cancelled": False})
               for (item, _row), document in zip(fresh, documents, strict=True)]
    if events is not None:
        events.update((item.key, entry) for (item, _row), entry in zip(fresh, entries, strict=True))
    else:
        log.record_many(unit=unit, entries=entries)
    for (item, _row), document in zip(fresh, documents, strict=True):
        applied[item.key] = document.pk
    return applied


_LINK = ("UPDATE {table} SET {document} = CASE {id} {cases} END, {reply_to} = CASE {id} {cases} END "
         "WHERE {id} IN ({ids})")
_LINK_ROWS = 100  # rows a statement (5 parameters a row)


def _link_arrivals(rows: Sequence[Arrival]) -> None:
    """What `Arrival.objects.bulk_update(rows, ["document", "reply_to"])` writes — each row's document and
    reply_to, in one statement — written out: the ORM builds a `Case` of one `When(pk=…)` per row and field,
    most of the cost of a batch's arrivals. Names from the model, quoted by the connection."""
    connection = connections[Arrival.objects.db]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _LINK_ROWS):
            chunk = rows[start:start + _LINK_ROWS]
            cursor.execute(_link_sql(connection, len(chunk)),
                           [*(value for row in chunk for value in (row.pk, row.document_id)),
                            *(value for row in chunk for value in (row.pk, row.reply_to)),
                            *(row.pk for row in chunk)])


@written_sql.per_vendor
def _link_sql(connection: Any, rows: int) -> str:
    return _LINK.format(**written_sql.quoted(connection, Arrival, "id", "document", "reply_to"),
                        cases=" ".join(["WHEN %s THEN %s"] * rows), ids=", ".join(["%s"] * rows))


@action("documents.delivery.delivered")
def mark_delivered_many(*, unit: Unit | int, delivered: Sequence[tuple[OutboxMessage, int | None]]
                        ) -> list[OutboxMessage]:
    """The destination applied these messages of `unit` (the sender): what `mark_delivered` writes for each,
    in one of the sender's transactions, in the order of the messages' ids. Messages already delivered are
    left as they are (the same message marked twice: once)."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    local_ids = {message.pk: local_id for message, local_id in delivered}
    messages = list(OutboxMessage.objects.select_for_update().filter(pk__in=list(local_ids), unit_id=unit_id)
                    .order_by("pk"))
    todo = [m for m in messages if m.state != OutboxMessage.State.DELIVERED]
    if not todo:
        return []
    now = timezone.now()
    for message in todo:
        message.state = OutboxMessage.State.DELIVERED
        message.delivered_at = message.updated_at = now
        message.attempts += 1
        message.failure = message.failure_detail = ""
    # one statement: what differs between the rows (attempts) is counted by the database, as the rows are locked
    OutboxMessage.objects.filter(pk__in=[m.pk for m in todo]).update(
        state=OutboxMessage.State.DELIVERED, delivered_at=now, updated_at=now, attempts=F("attempts") + 1,
        failure="", failure_detail="")
    recipient_of = {m.recipient_id: m for m in todo if m.kind == MessageKind.DOCUMENT and m.recipient_id}
    if recipient_of:
        recipients = list(Recipient.objects.select_for_update().filter(pk__in=list(recipient_of)).order_by("pk"))
        changed = []
        for recipient in recipients:
            advanced = advance(recipient, Recipient.State.RECEIVED)
            local_id = local_ids[recipient_of[recipient.pk].pk]
            if local_id is not None:
                recipient.delivered_id = local_id
            if advanced or local_id is not None:
                changed.append(recipient)
        if changed:
            Recipient.objects.bulk_update(changed, ["state", "delivered"])
    log.record_many(unit=unit_id, entries=[
        log.Entry(verb="documents.delivery.delivered", target=(Document._meta.label_lower, m.document_id),
                  data={"key": str(m.key), "kind": m.kind, "status": m.status, "transport": m.transport,
                        "to": m.address})
        for m in todo
    ])
    return todo


@dataclass(frozen=True)
class StatusIn:
    """One status of a batch as the sender of the document sees it: what `apply_status` takes for one — from
    the local transport (nothing proved: `verified` False), or from the exchange's receive pipeline with what
    it proved of the signed status (its signer, the verified signature, the document's SHA-256 it is bound to,
    and the signed envelope itself as the evidence)."""

    key: uuid.UUID
    answers: uuid.UUID
    status: str
    reason: str
    at: dt.datetime | None
    evidence: StoredFile | None = None
    signer: str = ""
    verified: bool = False
    document_sha256: str = ""


@dataclass(frozen=True)
class _Told:
    item: StatusIn
    message: OutboxMessage  # the document message the status is about (narrow: its ids and transport)
    recipient_id: int
    told: MessageStatus
    state: str  # the recipient's state it tells


@action("documents.outgoing.status_received")
def apply_statuses(*, unit: Unit | None, transport: str, items: Sequence[StatusIn],
                   events: dict[uuid.UUID, log.Entry] | None = None) -> set[uuid.UUID]:
    """Several statuses about documents this deployment sent, in one transaction: what `apply_status` does for
    each, in the given order — the same trail rows, recipients' states and audit events (each in its
    document's unit's chain) — with each table read and written once for the batch. `unit`: the unit whose
    documents they are about (the local transport's batch for one unit: a status about another unit's message
    is left out), None for any unit (the exchange's batch from a peer, decision 0038).

    Returns the keys applied (recorded now, or before: the same status again, once). A key missing from the
    answer was left out for delivery alone, where `apply_status` meets it as before: a status about an unknown
    message, or one that does not apply to a sender (refused there, with its audit). Never refuses.

    `events`: the audit event of each status recorded now goes there under its key, not recorded here: the
    caller records it with its own, in the same transaction (the exchange's `receive_many`, as `apply_status`
    takes `events`)."""
    query = OutboxMessage.objects.select_for_update().filter(key__in={i.answers for i in items},
                                                             kind=MessageKind.DOCUMENT)
    if unit is not None:
        query = query.filter(unit_id=unit.pk)
    messages = {m.key: m for m in query.only("pk", "key", "transport", "recipient_id", "document_id", "unit_id")
                .order_by("pk")}
    chosen: list[_Told] = []
    for item in items:
        message = messages.get(item.answers)
        if (item.status not in MessageStatus.values or message is None or message.transport != transport
                or message.recipient_id is None):
            continue  # an edXML code, an unknown message: alone
        told = MessageStatus(item.status)
        state = STATE_OF_STATUS.get(told)
        if state is not None:  # else alone: refused there
            chosen.append(_Told(item, message, message.recipient_id, told, state))
    if not chosen:
        return set()
    recipients = {r.pk: r for r in Recipient.objects.select_for_update()
                  .only("pk", "state", "reason", "unit_id", "external_name")
                  .filter(pk__in={c.recipient_id for c in chosen}).order_by("pk")}
    seen = set(RecipientStatus.objects.filter(key__in=[c.item.key for c in chosen]).values_list("key", flat=True))
    applied = {c.item.key for c in chosen if c.item.key in seen}  # the same status message again: recorded once
    fresh: list[_Told] = []
    for c in chosen:  # the keys are the status messages' own (a key twice in the batch: once, as one by one)
        if c.item.key not in applied:
            applied.add(c.item.key)
            fresh.append(c)
    RecipientStatus.objects.bulk_create([
        RecipientStatus(key=c.item.key, recipient_id=c.recipient_id, document_id=c.message.document_id,
                        status=c.told, reason=c.item.reason[:500], at=c.item.at, transport=transport,
                        signer=c.item.signer[:300], verified=c.item.verified,
                        document_sha256=c.item.document_sha256[:64], evidence=c.item.evidence)
        for c in fresh
    ])
    changed: dict[int, Recipient] = {}
    entries = []
    for c in fresh:  # in order: a recipient moves forward only, as one by one
        item, message, told = c.item, c.message, c.told
        recipient = recipients[c.recipient_id]
        reason = item.reason[:500]
        if advance(recipient, c.state):
            recipient.reason = reason if c.state in WITH_REASON else ""
            changed[recipient.pk] = recipient
        entry = log.Entry(
            verb="documents.outgoing.status_received", target=(Document._meta.label_lower, message.document_id),
            unit=message.unit_id,
            data={"recipient": recipient.unit_id or recipient.external_name, "status": told.value,
                  "code": told.edxml_code, "reason": reason, "key": str(item.key), "verified": item.verified,
                  "signer": item.signer[:300], "sha256": item.document_sha256[:64],
                  "evidence": item.evidence.sha256 if item.evidence is not None else None})
        if events is not None:
            events[item.key] = entry
        else:
            entries.append(entry)
    by_value: dict[tuple[str, str], list[int]] = {}  # one UPDATE for the recipients moved to the same state
    for recipient in changed.values():
        by_value.setdefault((str(recipient.state), recipient.reason), []).append(recipient.pk)
    for (moved_to, said), pks in by_value.items():
        Recipient.objects.filter(pk__in=pks).update(state=moved_to, reason=said)
    log.record_many(entries)  # each in its document's unit's chain
    return applied
