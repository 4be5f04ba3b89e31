"""Delivering outbox messages to a peer over HTTP, in batches (decision 0029).

The delivery job of one message (`documents.jobs.deliver` → `carriers.HttpTransport.deliver` → `deliver`)
takes with it the other messages waiting for the same peer, up to `EXCHANGE_BATCH` envelopes (at most
`http.BATCH_MAX`) and
`EXCHANGE_MAX_BYTES` of body: each is built and signed on its own (its unit's seal), the request is signed
once, and the peer answers each on its own (`POST /exchange/v1/batch`). The companions' outcomes are recorded
here, in one transaction (delivered; failed with the peer's signed 02 kept as evidence; an error leaves it
waiting with one more attempt counted); the job's own message goes back to `delivering.deliver_message` as a
single delivery would. A companion is claimed (`BatchClaim`) so that the job of that message, or another
worker's batch, does not send it again meanwhile; a batch takes no message another batch holds, so several
workers each carry their own batch (pipelining, decision 0041). The claimed message's own job carries the next
batch meanwhile (the messages waiting after it that no batch holds), then waits for its own batch's outcome
(or, once the claim is stale, sends it itself). A peer that has no batch endpoint (404) gets the
job's message alone, as before. A batch asks the peer for the statuses 01 of the documents it accepts inside its
answer (decision 0046, `EXCHANGE_ANSWER_ARRIVALS`): they are verified and applied together before the documents
are marked delivered.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.documents.actions import delivery, delivery_batch, long_term
from vanthu.documents.models import MessageKind, OutboxMessage
from vanthu.documents.outbox import MAX_ATTEMPTS, Deferred, DeliveryFailed
from vanthu.exchange import claims, edxml, kept, outgoing, receiving, sealing
from vanthu.exchange.models import BatchClaim, Peer
from vanthu.exchange.transports import http
from vanthu.org.models import Unit
from vanthu.signing.types import SigningRefused

logger = logging.getLogger(__name__)

WAIT_SECONDS = 120.0  # how long a claimed message's own job waits for the batch that carries it
NETWORK_TRIES = (0.5, 1.0, 2.0)  # seconds before each retry of an unreachable peer, inside one attempt


def send(*, peer: Peer, unit: Unit, body: bytes, seal: sealing.Seal, path: str = http.PATH) -> http.Answer:
    """POST `body` to the peer with a freshly signed request. A peer that does not answer (restarting, a
    dropped link) is tried again a few times here before the outbox counts an attempt and backs off."""
    for pause in (*NETWORK_TRIES, None):
        headers = http.signed_headers(organ_id=unit.code or "", body=body, sign=seal.sign,
                                      certificate_der=seal.certificate_der, path=path)
        if path == http.BATCH_PATH:
            headers["Content-Type"] = "application/json"
        try:
            return http.post(base_url=peer.base_url, body=body, headers=headers,
                             timeout=settings.EXCHANGE_HTTP_TIMEOUT, path=path)
        except OSError:
            if pause is None:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def outcome(answer: http.Answer, *, peer: Peer) -> None:
    """200: applied there. 422: refused, with the receiver's signed status 02 (kept here as evidence, and
    applied to the recipient: 'returned' with the reason). Other 4xx: refused by the HTTP layer. 5xx: retried."""
    if answer.status == 200:
        return
    if answer.status == 422 and answer.body.lstrip().startswith(b"<"):
        raise DeliveryFailed("refused", _refused_with(answer.body, peer=peer))
    if 400 <= answer.status < 500:
        raise DeliveryFailed("refused", _reason(answer.body))
    raise RuntimeError(f"peer {peer.name} answered HTTP {answer.status}: {_reason(answer.body)}")


def _refused_with(reply: bytes, *, peer: Peer) -> str:
    """Keep the peer's signed 02 (it goes through the receive pipeline: verified, applied to the trail); the
    reason to show."""
    receipt = receiving.receive(reply, transport="http", peer=peer)
    return _description(reply) or receipt.reason


def _description(body: bytes) -> str:
    try:
        parsed = edxml.parse(body)
    except edxml.EnvelopeInvalid:
        return ""
    return parsed.status.description if parsed.status is not None else ""


def _arrivals_in(results: list[object], states: list[object]) -> list[bytes]:
    """The signed statuses 01 of an answer's accepted documents (decision 0046); what is not base64 is left out
    (the receiver's 01 then never reaches this trail, as when its message is lost)."""
    found: list[bytes] = []
    for result, state in zip(results, states, strict=True):
        if state != "accepted" or not isinstance(result, dict) or not isinstance(result.get("statuses"), list):
            continue
        for item in result["statuses"]:
            try:
                found.append(base64.b64decode(str(item), validate=True))
            except ValueError:
                logger.warning("exchange: an answer's status 01 is not base64; left out")
    return found


def _reason(body: bytes) -> str:
    try:
        return str(json.loads(body).get("reason", ""))[:500]
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", errors="replace")


# --- batches ------------------------------------------------------------------------------------------


def may_carry(message: OutboxMessage, peer: Peer) -> None:
    """DeliveryFailed when this message may not go to the peer (its secrecy)."""
    if message.kind == MessageKind.DOCUMENT and message.document.secrecy > peer.max_secrecy:
        raise DeliveryFailed("refused", _("Hệ thống nhận không được cấu hình để nhận văn bản có độ mật này."))


def signed_for(message: OutboxMessage, *, keep: bool = True) -> bytes:
    """The message's signed envelope or status for its recipient at the peer (DeliveryFailed if it cannot be):
    the one kept from an earlier attempt whose outcome is still open (`kept`), else built and signed now.
    `keep=False`: one built now is not kept for a later attempt — for bytes recorded before they leave this
    process (the statuses 01 of a batch's answer, `answering`: kept in `AnsweredArrival` in the transaction that
    marks them delivered; should that fail, they never left, and their job builds them again)."""
    name = message.recipient.external_name if message.recipient else message.document.organ_name
    to = edxml.Organization(organ_id=message.address, organ_name=(name or message.address)[:200])
    try:
        seal = sealing.seal_for(message.unit)
        made_of = kept.mark(message.key, message.kind, message.status, message.reason, message.address,
                            to.organ_name, message.document.current_file_id, seal.certificate_der, *seal.chain_der)
        body = kept.get(message.pk, made_of=made_of)
        if body is None:
            body = (outgoing.signed_document(message, to=to) if message.kind == MessageKind.DOCUMENT
                    else outgoing.signed_bytes(message, to=to))
            if keep:
                kept.keep(message.pk, made_of=made_of, body=body)
        return body
    except SigningRefused as exc:
        raise DeliveryFailed("refused", exc.message) from exc
    except edxml.EnvelopeInvalid as exc:
        raise DeliveryFailed("refused", exc.message) from exc


def _companions(message: OutboxMessage, peer: Peer) -> list[OutboxMessage]:
    """Other messages waiting for the same peer that may travel with this one, oldest first, leaving out those
    claimed by a batch in flight (pipelining: several workers each carry their own batch)."""
    batch = min(settings.EXCHANGE_BATCH, http.BATCH_MAX)
    if batch <= 1:
        return []
    # not those another worker's batch holds (a live claim): a second worker builds the next batch from the
    # messages after them while the first batch is in flight, rather than finding only claimed ones
    live = claims.live()
    # chosen from narrow rows (what the choice reads: whether each document waits for its long-term signature
    # too), then read whole, with what building each reads: the choice made from the same rows in the same
    # order, without building every candidate's dozen objects in the statement that finds them (its joins,
    # compiled again for every batch, cost more than the rows)
    candidates = (OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING, transport=message.transport)
                  .exclude(pk=message.pk).exclude(pk__in=live.values("message_id"))
                  .annotate(held=long_term.holding())
                  .order_by("pk").values_list("pk", "address", "kind", "document__secrecy", "held"))
    active = list(Peer.objects.filter(is_active=True))
    found: list[int] = []
    documents = False
    # read a batch's worth at a time, up to four batches' worth in all, until the batch is full: usually one read
    after = 0
    for _read in range(4):
        chunk = list(candidates.filter(pk__gt=after)[:batch])
        for pk, address, kind, secrecy, held in chunk:
            if len(found) >= batch - 1:
                break
            if receiving.peer_for(address, among=active) != peer:
                continue
            if kind == MessageKind.DOCUMENT and (secrecy > peer.max_secrecy or held):
                continue  # its own job says why (or waits for the long-term signature)
            found.append(pk)
            documents = documents or kind == MessageKind.DOCUMENT
        if len(found) >= batch - 1 or len(chunk) < batch:
            break
        after = chunk[-1][0]
    if not found:
        return []
    # the units (and their parents, named in From), the document's type and file; a document's attachments
    # (a status has none to read)
    rows = (OutboxMessage.objects.filter(pk__in=found, state=OutboxMessage.State.WAITING,
                                         transport=message.transport)
            .select_related("unit__parent", "document__unit__parent", "document__doc_type",
                            "document__current_file", "recipient")
            .order_by("pk"))
    if documents:
        rows = rows.prefetch_related(outgoing.attachments_prefetch())
    return list(rows)


def _wait_for_batch(message: OutboxMessage) -> None:
    """The message is in another worker's batch: wait for its outcome (Deferred: recorded there), and return
    when the claim is gone (or stale) with the message still waiting: this job sends it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        state = OutboxMessage.objects.filter(pk=message.pk).values_list("state", flat=True).first()
        if state != OutboxMessage.State.WAITING:
            raise Deferred("delivered in a batch")
        claim = BatchClaim.objects.filter(message_id=message.pk).first()
        if claim is None or claims.stale(claim.claimed_at):
            return
        time.sleep(0.2)
    raise RuntimeError("still in another worker's batch")  # the job retries later


@dataclass
class _Item:
    message: OutboxMessage
    body: bytes


def deliver(message: OutboxMessage, *, peer: Peer) -> None:
    """Deliver `message` to `peer`, with the other messages waiting for it (see the module docstring).
    Returns when the peer accepted `message`; raises as a single delivery does otherwise."""
    may_carry(message, peer)
    companions = _companions(message, peer)
    taken = claims.claim([message.pk, *(c.pk for c in companions)])
    try:
        if message.pk not in taken:
            # its message rides in another worker's batch, in flight: this worker carries the next batch
            # meanwhile (pipelining, decision 0041), then waits for its own message's outcome. The companions
            # are read again: that batch's claims, made since they were read, are seen now.
            claims.release(taken)
            again = _companions(message, peer)
            taken = claims.claim([c.pk for c in again])
            _carry_meanwhile([c for c in again if c.pk in taken], peer=peer)
            claims.release(taken)
            taken = set()
            _wait_for_batch(message)
            _deliver_alone(message, peer=peer)
            return
        items = _filled([_Item(message, signed_for(message))], [c for c in companions if c.pk in taken])
        if len(items) == 1:
            _post_alone(items[0], peer=peer)
            return
        _post_batch(items, peer=peer)
    finally:
        claims.release(taken)


def _carry_meanwhile(companions: list[OutboxMessage], *, peer: Peer) -> None:
    """Deliver `companions` in one batch for their own jobs, each outcome recorded as a companion's (a
    refusal fails it, an error counts an attempt); whatever else goes wrong leaves them waiting for their jobs."""
    items: list[_Item] = []
    try:
        items = _filled([], companions)
        if items:
            _post_batch(items, peer=peer, own=False)
    except Exception:
        logger.exception("exchange: a batch of %s messages to %s carried meanwhile failed; each waits for its "
                         "job", len(items), peer.name)


def _filled(items: list[_Item], companions: list[OutboxMessage]) -> list[_Item]:
    """`items` with as many of `companions` as the request's size allows, each signed; one that cannot be built is
    failed with its reason, one that does not fit is left to its own job (alone, or in a later batch)."""
    room = settings.EXCHANGE_MAX_BYTES - 1024 - sum(http.batch_size(item.body) for item in items)
    for companion in companions:
        try:
            body = signed_for(companion)
        except DeliveryFailed as exc:
            delivery.mark_failed(message=companion, code=exc.code, detail=exc.detail)
            continue
        if http.batch_size(body) > room:
            continue
        room -= http.batch_size(body)
        items.append(_Item(companion, body))
    return items


def _deliver_alone(message: OutboxMessage, *, peer: Peer) -> None:
    _post_alone(_Item(message, signed_for(message)), peer=peer)


def _post_alone(item: _Item, *, peer: Peer) -> None:
    seal = _seal(item.message.unit)
    try:
        outcome(send(peer=peer, unit=item.message.unit, body=item.body, seal=seal), peer=peer)
    except DeliveryFailed:
        kept.forget([item.message.pk])  # refused: a retry by hand builds it again
        raise
    kept.forget([item.message.pk])


def _seal(unit: Unit) -> sealing.Seal:
    try:
        return sealing.seal_for(unit)
    except SigningRefused as exc:
        raise DeliveryFailed("refused", exc.message) from exc


def _post_batch(items: list[_Item], *, peer: Peer, own: bool = True) -> None:
    """One request for every item, and every item's outcome recorded here (the job's own message too: the
    outbox's marking after it finds it done); for the job's own message, raises as a single delivery would.
    `own=False`: the first item is not the job's message (`_carry_meanwhile`): it is recorded as the others."""
    first = items[0]
    body = http.encode_batch([i.body for i in items], answer_arrivals=settings.EXCHANGE_ANSWER_ARRIVALS)
    answer = send(peer=peer, unit=first.message.unit, body=body, seal=_seal(first.message.unit),
                  path=http.BATCH_PATH)
    if answer.status in (404, 413):  # no batch endpoint there, or a lower size limit: this job's message alone
        if own:
            _post_alone(first, peer=peer)
        return
    if answer.status != 200:
        outcome(answer, peer=peer)  # the request itself refused (4xx) or failed (5xx): as for one message
        raise RuntimeError(f"peer {peer.name} answered HTTP {answer.status} to a batch")
    try:
        results = json.loads(answer.body)["results"]
        if not isinstance(results, list) or len(results) != len(items):
            raise ValueError("not one result per envelope")
    except (ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"peer {peer.name} answered a batch with {exc}") from exc
    states = [result.get("state") if isinstance(result, dict) else None for result in results]
    # the statuses 01 the peer signed for the documents it accepted (decision 0046), verified and applied together
    # before the documents are marked delivered: a process that dies between the two delivers again and gets them
    # again (the same bytes: recorded once). One that does not verify is refused as evidence, as any status.
    arrivals = _arrivals_in(results, states)
    if arrivals:
        receiving.receive_many(arrivals, transport="http", peer=peer)
    kept.forget(item.message.pk for item, state in zip(items, states, strict=True) if state in ("accepted", "refused"))
    by_unit: dict[int, list[tuple[OutboxMessage, int | None]]] = {}
    for item, state in zip(items, states, strict=True):
        if state == "accepted":
            by_unit.setdefault(item.message.unit_id, []).append((item.message, None))
    with transaction.atomic():  # one commit for everything the peer accepted
        for unit_id, delivered in by_unit.items():
            # what `mark_delivered` writes for each, for all of one sending unit at once (its audit head locked once)
            delivery_batch.mark_delivered_many(unit=unit_id, delivered=delivered)
    # Refusals one by one, as single deliveries would meet them: each 02 is verified and applied to the trail
    # (it finds its message among those still waiting), then its message is failed.
    problem: Exception | None = None
    for item, state, result in zip(items, states, results, strict=True):
        if state == "accepted":
            continue
        if state == "refused":
            reply = base64.b64decode(str(result.get("status") or ""))
            reason = (_refused_with(reply, peer=peer) if reply.lstrip().startswith(b"<")
                      else str(result.get("reason", ""))[:500])
            delivery.mark_failed(message=item.message, code="refused", detail=reason)
            if own and item is first:
                problem = DeliveryFailed("refused", reason)
            continue
        detail = f"peer {peer.name} could not apply it now"
        if own and item is first:
            problem = RuntimeError(detail)  # the outbox counts the attempt; the job retries
        elif delivery.count_attempt(message=item.message, detail=detail) >= MAX_ATTEMPTS:
            delivery.mark_failed(message=item.message, code="error", detail=detail)
    if problem is not None:
        raise problem
