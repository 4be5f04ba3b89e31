"""Write and verify audit events. Called by every app's actions; imports none of them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanthu.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _target_ref(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    meta = getattr(target, "_meta", None)
    if meta is None:
        return type(target).__name__, str(getattr(target, "pk", ""))
    return f"{meta.app_label}.{meta.model_name}", str(target.pk)


def _digest(fields: dict[str, Any]) -> str:
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "chain": event.chain,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "unit_id": event.unit_id,
        "data": event.data,
        "prev": event.prev_hash,
    }


def _lock_head(chain: str) -> AuditChainHead:
    # The chain is the key: one row or none, no ORDER BY to build (every event of every action comes through here).
    head = next(iter(AuditChainHead.objects.select_for_update().filter(chain=chain).order_by()[:1]), None)
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(chain=chain)
    except IntegrityError:
        pass  # created concurrently
    return AuditChainHead.objects.select_for_update().get(chain=chain)


@dataclass(frozen=True)
class Entry:
    """One event for `record_many`: the arguments of `record` (`unit` may be given once for all to `record_many`)."""

    verb: str
    actor: Any = None
    target: Any = None
    unit: Any = None
    data: dict[str, Any] | None = None
    at: datetime | None = None


def _chain_of(unit: Any) -> tuple[int | None, str]:
    unit_id = getattr(unit, "pk", unit) if unit is not None else None
    return unit_id, (f"u{unit_id}" if unit_id is not None else "global")


def _next_event(head: AuditChainHead, entry: Entry, *, unit_id: int | None) -> AuditEvent:
    """The event after `head` (not saved); `head` moves to it."""
    if "." not in entry.verb:
        raise ValueError("audit verbs are namespaced: 'app.thing.done'")
    target_type, target_id = _target_ref(entry.target)
    event = AuditEvent(
        chain=head.chain,
        seq=head.seq + 1,
        at=entry.at or timezone.now(),
        actor_id=getattr(entry.actor, "pk", None),
        actor_name=str(entry.actor) if entry.actor is not None else "",
        verb=entry.verb,
        target_type=target_type,
        target_id=target_id,
        unit_id=unit_id,
        data=json.loads(json.dumps(entry.data or {}, default=str)),
        prev_hash=head.hash,
    )
    event.hash = _digest(_hashed_fields(event))
    head.seq = event.seq
    head.hash = event.hash
    return event


def record(
    *,
    actor: Any,
    verb: str,
    target: Any = None,
    unit: Any = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the action's transaction (it is then atomic with it)."""
    if "." not in verb:
        raise ValueError("audit verbs are namespaced: 'app.thing.done'")
    unit_id, chain = _chain_of(unit)
    # No savepoint inside the action's transaction (two round trips an event): an error here fails the action.
    with transaction.atomic(savepoint=False):
        head = _lock_head(chain)
        event = _next_event(head, Entry(verb=verb, actor=actor, target=target, data=data, at=at), unit_id=unit_id)
        event.save(force_insert=True)
        head.save(update_fields=["seq", "hash"])
    return event


_EACH = object()  # record_many: every entry in its own unit's chain


def record_many(entries: Sequence[Entry], *, unit: Any = _EACH) -> list[AuditEvent]:
    """Append several events at once: the same events — sequence numbers, times as given or taken when each is
    built, hashes — as calling `record` for each entry in order, with each chain's head locked once (in the chains'
    sorted order, so two batches never wait on each other in a circle) and the events inserted together: three
    statements a chain instead of three an event. `unit` puts every entry in that unit's chain (a delivery's
    batch); without it each entry goes to its own `unit`'s (reads taken from nginx's link log). Must run inside the
    caller's transaction, like `record`."""
    for entry in entries:  # refused before anything is locked
        if "." not in entry.verb:
            raise ValueError("audit verbs are namespaced: 'app.thing.done'")
    by_chain: dict[str, tuple[int | None, list[Entry]]] = {}
    for entry in entries:
        unit_id, chain = _chain_of(entry.unit if unit is _EACH else unit)
        by_chain.setdefault(chain, (unit_id, []))[1].append(entry)
    made: list[AuditEvent] = []
    if not by_chain:
        return made
    with transaction.atomic(savepoint=False):
        for chain in sorted(by_chain):
            unit_id, chained = by_chain[chain]
            head = _lock_head(chain)
            made.extend(_next_event(head, entry, unit_id=unit_id) for entry in chained)
            head.save(update_fields=["seq", "hash"])
        AuditEvent.objects.bulk_create(made, batch_size=500)
    return made


def record_refusal(*, actor: Any, verb: str, target: Any, reason: str, code: str) -> AuditEvent:
    """Record a refused attempt, after its action rolled back."""
    unit = getattr(actor, "unit_id", None)
    return record(actor=actor, verb=verb, target=target, unit=unit, data={"reason": reason, "code": code})


@dataclass
class ChainReport:
    chain: str
    events: int
    broken_at: int | None  # seq of the first event whose hash does not match

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(chain: str) -> ChainReport:
    prev = GENESIS
    count = 0
    expected_seq = 1
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        count += 1
        if event.seq != expected_seq or event.prev_hash != prev or _digest(_hashed_fields(event)) != event.hash:
            return ChainReport(chain, count, event.seq)
        prev = event.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        return ChainReport(chain, count, expected_seq)
    return ChainReport(chain, count, None)


def verify_all() -> list[ChainReport]:
    chains = AuditChainHead.objects.order_by("chain").values_list("chain", flat=True)
    return [verify_chain(chain) for chain in chains]


def events_for(target: Any) -> Any:
    target_type, target_id = _target_ref(target)
    return AuditEvent.objects.filter(target_type=target_type, target_id=target_id).order_by("id")
