"""`log.record_many` appends several events to one chain under one lock of its head: the chain it leaves is
the chain `log.record` leaves when called for each event in turn, hash for hash."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from vanthu.audit import log
from vanthu.audit.models import AuditChainHead, AuditEvent


class _Undo(Exception):
    """Raised to roll back what was appended one by one."""


def _entries(cast) -> list[log.Entry]:
    at = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)
    return [
        log.Entry(verb="documents.incoming.arrived", target=cast.staff, data={"key": "a", "cancelled": False},
                  at=at),
        log.Entry(verb="documents.delivery.delivered", actor=cast.lan, target=("documents.document", 7),
                  data={"to": "12", "nested": {"n": [1, 2]}}, at=at + dt.timedelta(seconds=1)),
        log.Entry(verb="documents.outgoing.status_received", data={"reason": "Không thuộc thẩm quyền"},
                  at=at + dt.timedelta(seconds=2)),
    ]


def _chain(chain: str) -> list[tuple]:
    return list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list(
        "seq", "at", "actor_id", "actor_name", "verb", "target_type", "target_id", "unit_id", "data", "prev_hash",
        "hash"))


@pytest.mark.parametrize("in_unit", [True, False], ids=["unit chain", "global chain"])
def test_record_many_leaves_the_chain_record_leaves_one_by_one(cast, in_unit):
    unit = cast.division if in_unit else None
    chain = f"u{cast.division.pk}" if in_unit else "global"
    log.record(actor=None, verb="tests.chain.started", unit=unit)  # a chain with events already
    entries = _entries(cast)

    try:
        with transaction.atomic():
            for entry in entries:
                log.record(actor=entry.actor, verb=entry.verb, target=entry.target, unit=unit, data=entry.data,
                           at=entry.at)
            one_by_one = _chain(chain)
            head_after = AuditChainHead.objects.values_list("seq", "hash").get(chain=chain)
            raise _Undo
    except _Undo:
        pass
    assert len(_chain(chain)) == len(one_by_one) - 3  # undone

    events = log.record_many(unit=unit, entries=entries)
    assert _chain(chain) == one_by_one
    assert [(e.seq, e.hash) for e in events] == [(row[0], row[-1]) for row in one_by_one[-3:]]
    assert AuditChainHead.objects.values_list("seq", "hash").get(chain=chain) == head_after
    log.record(actor=None, verb="tests.chain.went_on", unit=unit)  # the head moved: the chain goes on
    assert log.verify_chain(chain).ok


def test_record_many_of_nothing_takes_no_lock_and_writes_nothing(cast):
    chain = f"u{cast.province.pk}"
    before = AuditChainHead.objects.filter(chain=chain).values_list("seq", flat=True).first()
    assert log.record_many(unit=cast.province, entries=[]) == []
    assert AuditChainHead.objects.filter(chain=chain).values_list("seq", flat=True).first() == before


def test_record_many_refuses_a_verb_without_namespace_before_appending_any(cast):
    chain = f"u{cast.division.pk}"
    before = len(_chain(chain))
    with pytest.raises(ValueError, match="namespaced"):
        log.record_many(unit=cast.division, entries=[log.Entry(verb="tests.fine.one"), log.Entry(verb="bad")])
    assert len(_chain(chain)) == before
