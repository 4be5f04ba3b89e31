"""The statuses 01 (arrived) a batch's answer carries (decision 0046).

A sender that asks (`http.encode_batch`'s `answer_arrivals`, in the signed body) gets, with each document this
deployment accepted, the status 01 its receiving unit signs for it, in the answer to the request that brought it,
instead of a message its deliverer signs and POSTs back later. What the receiver writes is unchanged (the 01 is
an outbox message, written with the incoming document, decision 0043); only its delivery differs:

- While the batch is applied (`receiving.receive_many`'s `answered`), the 01s written get no delivery job, and are
  claimed in the transaction that writes them (`claims.hold`: a `BatchClaim`, as a deliverer's batch claims a
  message), so that no deliverer takes them between the commit and the answer.
- After the batch's transaction has committed, each document's 01 still waiting is signed as the deliverer signs
  it (`sending.signed_for`: an envelope kept from a deliverer's attempt whose outcome is open is used as it is),
  then marked delivered in one short transaction (what the deliverer writes when the peer accepts it) together
  with its signed bytes (`AnsweredArrival`). One signed here is not kept between attempts (`kept`'s file): it
  leaves only after that transaction, which keeps it; if the transaction fails it never left, and its job builds it
  again. A 01 written before (the same
  document delivered again) is claimed then (`claims.claim`: one a deliverer's batch holds is left to it).
- The same delivery again (its answer lost: the same envelope, or the same document in other bytes) gets the same
  bytes again: the sender's trail records a status once by its hash.
- Whatever fails on the way leaves the 01 waiting: its claim is released and its delivery job enqueued, and it
  travels as before. A process that dies between the commit and the answer leaves the 01 waiting without a job
  (claimed for `claims.CLAIM_SECONDS` at most); the sender, which got no answer, delivers the same envelope again
  and gets it then (or, while the claim holds, its job sends it once the claim is stale).

An envelope that made documents for several of our units: the 01 of the one its evidence names (the first) may go
in the answer, the others travel as messages (a retry answered as a duplicate names only the first).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.utils import timezone

from vanthu.core.actions import action
from vanthu.documents.actions import delivery_batch, delivery_status
from vanthu.documents.models import MessageKind, MessageStatus, OutboxMessage
from vanthu.documents.outbox import DeliveryFailed
from vanthu.exchange import claims, kept, receiving, sending
from vanthu.exchange.models import AnsweredArrival, Peer

logger = logging.getLogger(__name__)

KEEP_DAYS = 30  # an answered 01 is given again to a delivery repeated within this time


def arrivals_for(receipts: Sequence[receiving.Receipt | None], *, held: list[int], peer: Peer
                 ) -> dict[int, list[bytes]]:
    """The signed 01 of each accepted document of the batch, by the receipt's index (see the module). `held`: the
    01s written while it was applied (`receiving.receive_many`'s `answered`), claimed there: their claims are
    released and the job of each not delivered here is enqueued. Never raises: a 01 that cannot go in the answer
    goes as a message."""
    waiting: list[int] = []
    try:
        return _arrivals(receipts, peer=peer, held=set(held), waiting=waiting)
    except Exception:
        logger.exception("exchange: the statuses 01 of a batch from %s could not go in its answer; they go as "
                         "messages", peer.name)
        return {}
    finally:
        claims.release(set(held))
        delivery_status.enqueue_again(sorted({*held, *waiting}))


def _arrivals(receipts: Sequence[receiving.Receipt | None], *, peer: Peer, held: set[int], waiting: list[int]
              ) -> dict[int, list[bytes]]:
    document_of: dict[int, int] = {}  # receipt index → the incoming document it made (or found)
    for index, receipt in enumerate(receipts):
        if receipt is None or not receipt.accepted or receipt.envelope.kind != "document":
            continue
        incoming = receipt.incoming or ([receipt.envelope.incoming_id] if receipt.envelope.incoming_id else [])
        if incoming:
            document_of[index] = incoming[0]  # the one the evidence names, as a duplicate finds it
    if not document_of:
        return {}
    rows = list(OutboxMessage.objects.filter(kind=MessageKind.STATUS, status=MessageStatus.ARRIVED,
                                             document_id__in=set(document_of.values()))
                # what signing a status reads: its unit (and parent), the document's unit, file and type
                .select_related("unit__parent", "document__unit__parent", "document__doc_type",
                                "document__current_file", "recipient")
                .order_by("pk"))
    active = list(Peer.objects.filter(is_active=True))
    message_of = {row.document_id: row for row in rows
                  if receiving.peer_for(row.address, among=active) == peer}  # the 01 goes to this peer
    if not message_of:
        return {}
    bodies = dict(AnsweredArrival.objects.filter(message_id__in=[m.pk for m in message_of.values()])
                  .values_list("message_id", "body"))
    todo = [m for m in message_of.values() if m.pk not in bodies and m.state == OutboxMessage.State.WAITING]
    waiting.extend(m.pk for m in todo)
    # those written now are claimed already (`claims.hold`); one written before is claimed now, unless a deliverer's
    # batch holds it (left to it)
    taken = {m.pk for m in todo if m.pk in held} | claims.claim([m.pk for m in todo if m.pk not in held])
    try:
        signed: dict[int, bytes] = {}
        for message in todo:
            if message.pk not in taken:
                continue
            try:
                # not kept between attempts (a file written and removed for each): these bytes leave only
                # once `record_answered` has kept them with the delivery
                signed[message.pk] = sending.signed_for(message, keep=False)
            except DeliveryFailed:
                logger.warning("exchange: status %s could not be signed for the answer; its job tries", message.pk)
        if signed:
            delivered = record_answered(messages=[m for m in todo if m.pk in signed], bodies=signed)
            kept.forget(delivered)
            bodies.update((pk, signed[pk]) for pk in delivered)
    finally:
        claims.release(taken - held)  # the held ones: by the caller
    return {index: [bytes(bodies[message_of[document].pk])] for index, document in document_of.items()
            if document in message_of and message_of[document].pk in bodies}


@action("documents.delivery.delivered")
def record_answered(*, messages: Sequence[OutboxMessage], bodies: dict[int, bytes]) -> list[int]:
    """These statuses 01 go in the answer to the batch of their documents: each still waiting (read locked) is
    marked delivered as the deliverer marks it when the peer accepts it (`delivery_batch.mark_delivered_many`,
    its audit in the unit's chain), and its signed bytes kept for a repeated delivery. The ids delivered."""
    still = set(OutboxMessage.objects.select_for_update().filter(
        pk__in=[m.pk for m in messages], state=OutboxMessage.State.WAITING).order_by("pk").values_list("pk", flat=True))
    by_unit: dict[int, list[tuple[OutboxMessage, int | None]]] = {}
    for message in messages:
        if message.pk in still:
            by_unit.setdefault(message.unit_id, []).append((message, None))
    delivered: list[int] = []
    for unit_id, items in by_unit.items():
        delivered += [m.pk for m in delivery_batch.mark_delivered_many(unit=unit_id, delivered=items)]
    now = timezone.now()
    AnsweredArrival.objects.bulk_create([AnsweredArrival(message_id=pk, body=bodies[pk], answered_at=now)
                                         for pk in delivered], ignore_conflicts=True)
    AnsweredArrival.objects.filter(answered_at__lt=now - dt.timedelta(days=KEEP_DAYS)).delete()
    return delivered
