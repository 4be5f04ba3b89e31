"""Delivering outbox messages (see `documents.outbox` for the messages and the transports): the body of the
delivery job (`documents.jobs.deliver`) and the in-process drain used by the demo's build and
`vanthu outbox deliver`. It sits above the actions it calls; the transports' registry sits below them."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from vanthu.documents.actions import delivery, delivery_batch, long_term
from vanthu.documents.models import LongTermSignature, LongTermState, MessageKind, MessageStatus, OutboxMessage
from vanthu.documents.outbox import MAX_ATTEMPTS, Deferred, DeliveryFailed, Transport, transport_named

logger = logging.getLogger("vanthu.documents.outbox")  # one logger for the outbox

# A message still waiting this long after its last change has no delivery job that will run: each attempt of its
# job changes it (the job retries 4 times within ~8 minutes, then the message has failed), and a batch's claim on
# it (exchange, 10 minutes) is stale by then. Its job was lost: a receiver that died between writing a status 01 it
# meant to carry in its answer and the answer (decision 0046), a jobs server restarted without its queue.
STRANDED_AFTER = dt.timedelta(minutes=15)


def deliver_message(message_id: int) -> None:
    """The delivery job's body (see `documents.jobs.deliver`): re-read the message, hand it to its
    transport, record the outcome on the sender's row. Running it twice has the effect of running it once."""
    # with what the local transport reads of the document (its type and file) and of the sending unit (the
    # exchange's local carrier asks for its code): one query, not five
    message = (OutboxMessage.objects.select_related("unit", "document__doc_type", "document__current_file")
               .filter(pk=message_id).first())
    if message is None:
        logger.info("outbox: message %s no longer exists; nothing to deliver", message_id)
        return
    if message.state != OutboxMessage.State.WAITING:
        return
    transport = transport_named(message.transport)
    batching = (transport is not None and message.status != MessageStatus.CANCELLED
                and getattr(transport, "deliver_many", None) is not None and settings.OUTBOX_BATCH > 1)
    # batching: the message's hold is read with its companions, in one statement; else alone, as before
    if batching:
        held, companions = _companions(message)
    else:
        held = message.kind == MessageKind.DOCUMENT and long_term.holds_delivery(message.document_id)
        companions = []
    if held:
        logger.info("outbox: message %s waits for its document's long-term signature", message_id)
        return  # the enrichment job schedules it again when it is done or has failed
    if companions and transport is not None and message.pk in _deliver_batch(message, companions, transport):
        return
    try:
        if transport is None:
            raise DeliveryFailed("no_transport", message.transport)
        local_id = transport.deliver(message)
    except Deferred:
        return  # waits to be carried (a bundle); the transport marks it delivered
    except DeliveryFailed as exc:
        delivery.mark_failed(message=message, code=exc.code, detail=exc.detail)
        return
    except Exception as exc:
        attempts = delivery.count_attempt(message=message, detail=f"{type(exc).__name__}: {exc}")
        if attempts >= MAX_ATTEMPTS:
            delivery.mark_failed(message=message, code="error", detail=f"{type(exc).__name__}: {exc}")
            return
        raise
    delivery.mark_delivered(message=message, local_id=local_id)


def _companions(message: OutboxMessage) -> tuple[bool, list[OutboxMessage]]:
    """(held, companions), read in one statement: whether `message` is a document waiting for its long-term
    signature (it is then not delivered now), and the other messages of its kind waiting for the same
    destination that may go in its batch (decision 0037: oldest first, up to OUTBOX_BATCH - 1; not a recall,
    which goes alone, nor a document waiting for its long-term signature; [] when there are none: `message`
    goes alone)."""
    pending = LongTermSignature.objects.filter(document_id=OuterRef("document_id"), state=LongTermState.PENDING)
    rows = list(
        OutboxMessage.objects.select_related("unit", "document__doc_type", "document__current_file")
        .filter(Q(pk=message.pk) | (~Q(status=MessageStatus.CANCELLED) & ~Exists(pending)),
                state=OutboxMessage.State.WAITING, kind=message.kind, transport=message.transport,
                address=message.address)
        .annotate(own=Case(When(pk=message.pk, then=Value(0)), default=Value(1)), held=Exists(pending))
        .order_by("own", "pk")[:settings.OUTBOX_BATCH]
    )
    held = message.kind == MessageKind.DOCUMENT and any(row.pk == message.pk and row.held for row in rows)
    return held, [row for row in rows if row.pk != message.pk]


def _deliver_batch(message: OutboxMessage, companions: list[OutboxMessage], transport: Transport) -> set[int]:
    """Deliver `message` with its `companions` (`_companions`) when its transport can (`deliver_many`):
    in one transaction at the destination and one at each sender. Returns the ids of the messages delivered;
    `message`, when not among them, goes alone as before; a companion left out waits for its own job. Nothing
    here fails a message: whatever goes wrong, each message is then delivered alone, where failures are
    counted."""
    deliver_many = getattr(transport, "deliver_many", None)
    assert deliver_many is not None
    assert companions
    batch = sorted([message, *companions], key=lambda m: m.pk)
    try:
        applied: dict[int, int | None] = deliver_many(batch)
    except Exception:
        logger.exception("outbox: a batch of %s messages to %s:%s was rolled back; each goes alone",
                         len(batch), message.transport, message.address)
        return set()
    done: set[int] = set()
    senders: dict[int, list[tuple[OutboxMessage, int | None]]] = {}
    for item in batch:
        if item.pk in applied:
            senders.setdefault(item.unit_id, []).append((item, applied[item.pk]))
    for unit_id, delivered in senders.items():  # each sender's rows in its own transaction
        try:
            delivery_batch.mark_delivered_many(unit=unit_id, delivered=delivered)
        except Exception:
            logger.exception("outbox: the deliveries of %s messages of unit %s were not recorded; each goes alone",
                             len(delivered), unit_id)
            continue
        done.update(item.pk for item, _local_id in delivered)
    return done


def stranded(*, now: dt.datetime | None = None, limit: int = 10_000) -> list[int]:
    """The waiting messages whose delivery job was lost (`STRANDED_AFTER`), oldest first: not those of a
    transport whose messages wait to be carried by hand (`carried_by_hand`), nor a document waiting for its
    long-term signature (the enrichment job schedules it). One statement (the index on state)."""
    pending = LongTermSignature.objects.filter(document_id=OuterRef("document_id"), state=LongTermState.PENDING)
    rows = (OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING,
                                         updated_at__lt=(now or timezone.now()) - STRANDED_AFTER)
            .exclude(Exists(pending)).order_by("pk").values_list("pk", "transport")[:limit])
    by_hand: dict[str, bool] = {}
    found = []
    for pk, name in rows:
        if name not in by_hand:
            by_hand[name] = bool(getattr(transport_named(name), "carried_by_hand", False))
        if not by_hand[name]:
            found.append(pk)
    return found


def deliver_waiting(*, document_id: int | None = None, limit: int = 100_000) -> int:
    """Deliver waiting messages now, in this process (the demo's build, `vanthu outbox deliver`), oldest
    first, including the statuses their delivery causes: the same work as the jobs, which then find them
    delivered and do nothing. A message that raises stays waiting for its job. Returns how many were tried."""
    tried, after = 0, 0
    while tried < limit:
        rows = OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING, pk__gt=after)
        if document_id is not None:
            rows = rows.filter(document_id=document_id)
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:200])
        if not ids:
            break
        for pk in ids:
            tried += 1
            after = pk
            try:
                deliver_message(pk)
            except Exception:
                logger.exception("outbox: message %s could not be delivered now; its job retries", pk)
    return tried
