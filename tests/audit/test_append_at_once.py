"""Issue 7, seventh pass: on PostgreSQL `log.record` appends an event in one statement (the head locked, the event
inserted with its hash computed by the server, the head moved) instead of three. The chain it leaves is the chain
the long way leaves, hash for hash, and appends racing on one chain still make one unbroken chain."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from vanthu.audit import log
from vanthu.audit.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.postgres_only

AWKWARD = {
    "reason": 'Không thuộc thẩm quyền "giải quyết"\n\\ 😀',
    "nested": {"n": [1, 2.5, None, True]},
    "empty": "",
    "tab": "a\tb",
}


def _columns(chain: str) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values_list(
            "seq",
            "at",
            "actor_id",
            "actor_name",
            "verb",
            "target_type",
            "target_id",
            "unit_id",
            "data",
            "prev_hash",
            "hash",
        )
    )


class _Undo(Exception):
    """Rolls back what the long way appended."""


@pytest.mark.django_db
def test_one_statement_leaves_the_chain_the_long_way_leaves(cast, monkeypatch):
    at = dt.datetime(2026, 12, 6, 10, 0, 0, 123456, tzinfo=dt.UTC)
    chain = f"u{cast.division.pk}"

    def append() -> None:
        log.record(
            actor=cast.lan,
            verb="documents.outgoing.issued",
            target=cast.division,
            unit=cast.division,
            data=AWKWARD,
            at=at,
        )
        log.record(
            actor=None,
            verb="documents.delivery.delivered",
            target=("documents.document", 7),
            unit=cast.division.pk,
            data={"to": "12"},
            at=at + dt.timedelta(seconds=1),
        )

    try:
        with transaction.atomic():
            monkeypatch.setattr(log, "_append_at_once", lambda *a, **k: None)  # the long way: three statements
            append()
            long_way = _columns(chain)
            raise _Undo
    except _Undo:
        pass
    monkeypatch.undo()
    with CaptureQueriesContext(connection) as queries:
        append()
    assert len(queries.captured_queries) == 2  # one statement an event
    assert _columns(chain) == long_way
    assert log.verify_chain(chain).ok
    head = AuditChainHead.objects.get(chain=chain)
    assert (head.seq, head.hash) == long_way[-1][0:1] + long_way[-1][-1:]


@pytest.mark.django_db
def test_the_event_returned_is_the_row_written(cast):
    event = log.record(
        actor=cast.lan, verb="documents.outgoing.issued", target=cast.staff, unit=cast.staff, data={"number": 12}
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.prev_hash, stored.hash, stored.verb) == (
        event.seq,
        event.prev_hash,
        event.hash,
        event.verb,
    )
    assert not event._state.adding


@pytest.mark.django_db
def test_a_new_chain_and_content_holding_a_stand_in_go_the_long_way_and_verify(cast):
    with CaptureQueriesContext(connection) as first:
        log.record(actor=None, verb="ops.test.first", unit=987654)  # no head yet: created the long way
    assert len(first.captured_queries) > 1
    log.record(actor=None, verb="ops.test.marked", unit=987654, data={"x": log._PREV_MARK, "n": log._SEQ_MARK})
    with CaptureQueriesContext(connection) as after:
        log.record(actor=None, verb="ops.test.after", unit=987654)
    assert len(after.captured_queries) == 1
    report = log.verify_chain("u987654")
    assert report.ok
    assert report.events == 3


@pytest.mark.django_db(transaction=True)
def test_appends_racing_on_one_chain_make_one_unbroken_chain(cast):
    chain = f"u{cast.staff.pk}"
    before = AuditEvent.objects.filter(chain=chain).count()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def clerk(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(5):
                with transaction.atomic():
                    log.record(actor=None, verb="ops.test.raced", unit=cast.staff, data={"clerk": n, "i": i})
        except BaseException as exc:  # kept, to be asserted on
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, before + 41))
    assert log.verify_chain(chain).ok
