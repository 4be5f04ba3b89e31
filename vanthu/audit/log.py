"""Write and verify audit events. Called by every app's actions; imports none of them."""

from __future__ import annotations

import hashlib
import json
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
    unit_id = getattr(unit, "pk", unit) if unit is not None else None
    chain = f"u{unit_id}" if unit_id is not None else "global"
    target_type, target_id = _target_ref(target)
    # No savepoint inside the action's transaction (two round trips an event): an error here fails the action.
    with transaction.atomic(savepoint=False):
        head = _lock_head(chain)
        event = AuditEvent(
            chain=chain,
            seq=head.seq + 1,
            at=at or timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_name=str(actor) if actor is not None else "",
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            unit_id=unit_id,
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=head.hash,
        )
        event.hash = _digest(_hashed_fields(event))
        event.save(force_insert=True)
        head.seq = event.seq
        head.hash = event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class Entry:
    """One event for `record_many` (the arguments of `record`)."""

    actor: Any
    verb: str
    target: Any = None
    unit: Any = None
    data: dict[str, Any] | None = None
    at: datetime | None = None


def record_many(entries: list[Entry]) -> list[AuditEvent]:
    """Append many events at once, in their order within each chain: each chain's head is locked once, held
    only while the events are hashed and inserted (one INSERT per 500), then moved once. For batches of reads
    taken from a log (`documents.actions.link_reads`); an action's own event goes through `record`. Must run
    inside the caller's transaction."""
    by_chain: dict[str, list[AuditEvent]] = {}
    now = timezone.now()
    for entry in entries:
        if "." not in entry.verb:
            raise ValueError("audit verbs are namespaced: 'app.thing.done'")
        unit_id = getattr(entry.unit, "pk", entry.unit) if entry.unit is not None else None
        chain = f"u{unit_id}" if unit_id is not None else "global"
        target_type, target_id = _target_ref(entry.target)
        by_chain.setdefault(chain, []).append(AuditEvent(
            chain=chain, at=entry.at or now, actor_id=getattr(entry.actor, "pk", None),
            actor_name=str(entry.actor) if entry.actor is not None else "", verb=entry.verb,
            target_type=target_type, target_id=target_id, unit_id=unit_id,
            data=json.loads(json.dumps(entry.data or {}, default=str)),
        ))
    made: list[AuditEvent] = []
    with transaction.atomic(savepoint=False):
        for chain in sorted(by_chain):  # one order for every batch: two batches never wait on each other in a circle
            head = _lock_head(chain)
            for event in by_chain[chain]:
                event.seq, event.prev_hash = head.seq + 1, head.hash
                event.hash = _digest(_hashed_fields(event))
                head.seq, head.hash = event.seq, event.hash
            head.save(update_fields=["seq", "hash"])
            made.extend(by_chain[chain])
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
