"""The stream measurement of `vanthu bench exchange` (decision 0041), run inside a test deployment (`vanthu shell
-c`, see vanthu/demo/peers.py `Deployment.spawn`): the processes that run at the same time, each its own process
writing its deployment's SQLite file beside the deployment's server:

- `hold` parks the issued documents' messages (transport `held`: no delivery takes them);
- `deliver_stream` on the sender releases them into the outbox (back to `http`) at a steady rate, or all at once,
  while its delivery workers (threads, as job workers) carry whatever waits; on the receiver it carries the
  statuses 03 as the clerk writes them, until as many as asked have been delivered;
- `register_stream` is the receiving clerk: registers each arrival as it appears (the same action as the clerk's
  page), noting when each registration committed.

Each waits at a gate (a file the bench writes once all are ready) so that the clock starts at the same moment for
all; each reports its own CPU time (process clock) and the time it waited to begin a write transaction on the
SQLite file (`BEGIN IMMEDIATE`: the lock waits between the processes). Times are wall-clock seconds (time.time():
one machine, one clock for every process)."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from django.db import connection

from vanthu.demo.lockwaits import LockWaits
from vanthu.demo.peers_side import warm_worker
from vanthu.documents.models import Direction, Document, MessageKind, MessageStatus, OutboxMessage, Status

HELD = "held"  # a transport no delivery knows: the message waits to be released
IDLE = (0.01, 0.1)  # seconds a worker or the clerk sleeps when nothing waits: the first time, at most (doubling)


class _Idle:
    """Sleep a little longer each time nothing was found (up to IDLE[1]); at once again after work."""

    def __init__(self) -> None:
        self.pause = IDLE[0]

    def wait(self) -> None:
        time.sleep(self.pause)
        self.pause = min(IDLE[1], self.pause * 2)

    def worked(self) -> None:
        self.pause = IDLE[0]


def hold() -> int:
    """Park every waiting document message of the http transport; how many."""
    return OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, state=OutboxMessage.State.WAITING,
                                        transport="http").update(transport=HELD)


def _gate(gate: str, role: str) -> float:
    """Say this process is ready, wait for the bench's go; the moment it was given (time.time())."""
    Path(f"{gate}.{role}.ready").touch()
    go = Path(f"{gate}.go")
    while not go.exists():
        time.sleep(0.005)
    return float(go.read_text() or time.time())


def deliver_stream(*, gate: str, role: str, workers: int = 2, release: int = 0, rate: float = 0.0,
                   statuses: int = 0, timeout: float = 900.0) -> dict[str, Any]:
    """Carry waiting messages with `workers` threads until done. Sender (`release`: how many held messages to
    release, oldest first, at `rate` a second, all at once for 0): done when every released message has left the
    outbox. Receiver (`statuses`): done when that many more statuses 03 have been delivered.

    Each worker takes the oldest waiting message that no batch in flight holds and no other worker has taken,
    and delivers it as the delivery job does (`delivering.deliver_message`: with the messages after it, up to a
    batch, those not claimed by another worker's batch)."""
    from vanthu.documents.delivering import deliver_message
    from vanthu.exchange.models import BatchClaim

    waits = LockWaits().install()
    warm_worker()
    held = list(OutboxMessage.objects.filter(transport=HELD, state=OutboxMessage.State.WAITING).order_by("pk")
                .values_list("pk", flat=True)[:release])
    registered = OutboxMessage.objects.filter(kind=MessageKind.STATUS, status=MessageStatus.REGISTERED,
                                              state=OutboxMessage.State.DELIVERED)
    goal = registered.count() + statuses
    connection.close()
    released: dict[int, float] = {}
    polling = [0.0]  # CPU seconds spent looking for work and finding none
    sends: list[tuple[float, float]] = []
    taken: set[int] = set()
    lock = threading.Lock()
    feeding = threading.Event()
    stop = threading.Event()

    def feed(start: float) -> None:
        try:
            if rate <= 0:
                OutboxMessage.objects.filter(pk__in=held).update(transport="http")
                now = time.time()
                released.update(dict.fromkeys(held, now))
                return
            for index, pk in enumerate(held):
                pause = start + index / rate - time.time()
                if pause > 0:
                    time.sleep(pause)
                OutboxMessage.objects.filter(pk=pk).update(transport="http")  # as an issuance's commit would
                released[pk] = time.time()
        finally:
            feeding.set()
            connection.close()

    def done() -> bool:
        if release:
            return feeding.is_set() and not OutboxMessage.objects.filter(
                pk__in=held, state=OutboxMessage.State.WAITING).exists()
        return registered.count() >= goal

    def work(deadline: float) -> None:
        idle = _Idle()
        try:
            while not stop.is_set() and time.time() < deadline:
                polled = time.thread_time()
                with lock:
                    claimed = BatchClaim.objects.values("message_id")
                    pk = (OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING)
                          .exclude(transport=HELD).exclude(pk__in=claimed).exclude(pk__in=taken)
                          .order_by("pk").values_list("pk", flat=True).first())
                    if pk is not None:
                        taken.add(pk)
                if pk is None:
                    if done():
                        stop.set()
                        return
                    with lock:
                        polling[0] += time.thread_time() - polled
                    idle.wait()
                    continue
                idle.worked()
                began = time.time()
                with contextlib.suppress(Exception):  # the message stays waiting: taken again
                    deliver_message(pk)
                sends.append((began, time.time()))
                with lock:
                    taken.discard(pk)
        finally:
            connection.close()

    start = _gate(gate, role)
    cpu = time.process_time()
    threads = [threading.Thread(target=feed, args=(start,))] if release else []
    threads += [threading.Thread(target=work, args=(start + timeout,)) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = time.process_time() - cpu
    subjects = dict(OutboxMessage.objects.filter(pk__in=held).values_list("pk", "document__subject"))
    return {"start": start, "cpu": cpu, "sends": sends, "end": max((e for _b, e in sends), default=start),
            "released": {subjects[pk]: at for pk, at in released.items()},
            "left_waiting": OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING).exclude(
                transport=HELD).count(),
            "statuses_delivered": registered.count() - (goal - statuses), "polling_cpu": polling[0],
            **waits.report()}


def register_stream(*, gate: str, count: int, timeout: float = 900.0) -> dict[str, Any]:
    """The division's clerk registers each arrival as it appears, until `count` are registered; when each
    registration committed, by subject."""
    from vanthu.demo.peers_side import cast_from_db
    from vanthu.documents import actions

    waits = LockWaits().install()
    cast = cast_from_db()
    waiting = Document.objects.filter(unit=cast.division, direction=Direction.INCOMING, status=Status.RECEIVED)
    registered: dict[str, float] = {}
    idle = _Idle()
    start = _gate(gate, "clerk")
    cpu = time.process_time()
    polling = 0.0
    while len(registered) < count and time.time() < start + timeout:
        polled = time.thread_time()
        found = False
        for document in waiting.order_by("pk").only("pk"):  # the action re-reads each document, locked
            done = actions.register_received(document=document, acting=cast.minh)
            registered[done.subject] = time.time()
            found = True
        if found:
            idle.worked()
        else:
            polling += time.thread_time() - polled
            idle.wait()
    return {"start": start, "cpu": time.process_time() - cpu, "registered": registered, "polling_cpu": polling,
            **waits.report()}
