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

from vanthu import written_sql
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


def _body(fields: dict[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(_body(fields).encode("utf-8")).hexdigest()


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


# Every event of every action reads and moves its chain's head: two statements written out (the ORM's building of
# them cost several times their run on SQLite, where `record` goes the long way; decision 0047).
_READ_HEAD = "SELECT {seq}, {hash} FROM {table} WHERE {chain} = %s{lock}"
_MOVE_HEAD = "UPDATE {table} SET {seq} = %s, {hash} = %s WHERE {chain} = %s"
@written_sql.per_vendor
def _head_sql(connection: Any) -> tuple[str, str]:
    names = written_sql.quoted(connection, AuditChainHead, "chain", "seq", "hash")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: the file is locked
    return _READ_HEAD.format(lock=lock, **names), _MOVE_HEAD.format(**names)


def _read_head(chain: str) -> AuditChainHead | None:
    """The chain's head, locked until the transaction ends; None when the chain has none yet."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_head_sql(connection)[0], [chain])
        row = cursor.fetchone()
    if row is None:
        return None
    head = AuditChainHead(chain=chain, seq=row[0], hash=row[1])
    head._state.adding, head._state.db = False, connection.alias  # a row read, as a query makes it
    return head


def _move_head(head: AuditChainHead) -> None:
    """Write the head's new sequence number and hash (its row is locked by `_lock_head`)."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_head_sql(connection)[1], [head.seq, head.hash, head.chain])


def _lock_head(chain: str) -> AuditChainHead:
    head = _read_head(chain)
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(chain=chain)
    except IntegrityError:
        pass  # created concurrently
    head = _read_head(chain)
    if head is None:
        raise AuditChainHead.DoesNotExist(f"no head for the audit chain {chain}")
    return head


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
    entry = Entry(verb=verb, actor=actor, target=target, data=data, at=at)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        appended = _append_at_once(connection, chain, entry, unit_id=unit_id)
        if appended is not None:
            return appended
    # No savepoint inside the action's transaction (two round trips an event): an error here fails the action.
    with transaction.atomic(savepoint=False):
        head = _lock_head(chain)
        event = _next_event(head, entry, unit_id=unit_id)
        event.save(force_insert=True)
        _move_head(head)
    return event


# Stand-ins for the head's sequence number and hash while an event's hashed body is serialised in Python: the
# body is cut at them, and PostgreSQL puts the locked head's values in their place (`_append_at_once`).
_SEQ_MARK = 7391045882116503977
_PREV_MARK = "prev:5d0b7e4a9c2f41e3b8a6d1c7f0e9a2b4"


def _body_around_head(event: AuditEvent) -> tuple[str, str, str] | None:
    """The hashed body of `event` in three pieces, to be joined around the previous hash and the sequence number:
    `before + prev + middle + str(seq) + after` is what `_digest` hashes. None when the event's own content holds
    a stand-in (then it is appended the long way)."""
    fields = _hashed_fields(event)
    fields["seq"], fields["prev"] = _SEQ_MARK, _PREV_MARK
    body = _body(fields)
    seq = str(_SEQ_MARK)
    if body.count(_PREV_MARK) != 1 or body.count(seq) != 1 or body.index(_PREV_MARK) > body.index(seq):
        return None
    before, rest = body.split(_PREV_MARK)
    middle, after = rest.split(seq)
    return before, middle, after


_APPEND = """
WITH head AS (SELECT seq + 1 AS seq, hash AS prev FROM {heads} WHERE chain = %s FOR UPDATE),
appended AS (
    INSERT INTO {events} ({columns}, seq, prev_hash, hash)
    SELECT {values}, head.seq, head.prev,
           encode(sha256(convert_to(%s || head.prev || %s || head.seq::text || %s, 'UTF8')), 'hex')
    FROM head
    RETURNING id, seq, prev_hash, hash)
UPDATE {heads} SET seq = appended.seq, hash = appended.hash FROM appended WHERE {heads}.chain = %s
RETURNING appended.id, appended.seq, appended.prev_hash, appended.hash
"""


def _append_at_once(connection: Any, chain: str, entry: Entry, *, unit_id: int | None) -> AuditEvent | None:
    """`record` in one statement on PostgreSQL instead of three (lock the head, insert the event, move the
    head): the head row is locked by the statement, the event takes its next sequence number and its hash is
    computed by the server — SHA-256 of the same UTF-8 body `_digest` hashes, the head's hash and number put in
    the stand-ins' places — and the head moves to it. The same event, hash for hash, as the long way
    (tests/audit/test_append_at_once.py). None when the chain has no head yet or the content holds a stand-in:
    nothing was written, the caller goes the long way."""
    head = AuditChainHead(chain=chain, seq=_SEQ_MARK - 1, hash=_PREV_MARK)
    event = _next_event(head, entry, unit_id=unit_id)
    pieces = _body_around_head(event)
    if pieces is None:
        return None
    fields = [f for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "seq", "prev_hash", "hash")]
    quote = connection.ops.quote_name
    sql = _APPEND.format(
        heads=quote(AuditChainHead._meta.db_table),
        events=quote(AuditEvent._meta.db_table),
        columns=", ".join(quote(f.column) for f in fields),
        values=", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields),
    )
    params = [chain, *(f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields), *pieces, chain]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    event.pk, event.seq, event.prev_hash, event.hash = row
    event._state.adding, event._state.db = False, connection.alias
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
            _move_head(head)
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
