"""The workers of `vanthu bench issuing`: the clerks' threads (each issuing its documents in order on its own
connection, the register's counter row timed), the outbox's delivery workers, the processes they run in, and
the optional CPU profile of each thread."""

from __future__ import annotations

import os
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

from django.db import connections, transaction

from vanthu.demo.bench_issuing_types import Samples


def install_counter_timing(held_ms: list[float], trip_ms: list[float]) -> Callable[[], None]:
    """Time each register counter row from taking the number to the commit that releases it. The outbox on
    PostgreSQL takes the number in one autocommitted statement: there the database's own clock says how long
    the statement held the row (to the end of the statement, its commit not included)."""
    from vanthu.documents import numbering
    from vanthu.documents.actions import issuance

    real, real_at_once = numbering.take_next, issuance._number_at_once

    def timed(register: Any) -> int:
        number = real(register)
        taken = time.perf_counter()
        transaction.on_commit(lambda: held_ms.append((time.perf_counter() - taken) * 1000))
        return number

    def timed_at_once(**kwargs: Any) -> tuple[int, float] | None:
        began = time.perf_counter()
        taken = real_at_once(**kwargs)
        if taken is not None:
            held_ms.append(taken[1])
            trip_ms.append((time.perf_counter() - began) * 1000)
        return taken

    numbering.take_next = timed
    issuance._number_at_once = timed_at_once

    def restore() -> None:
        numbering.take_next = real
        issuance._number_at_once = real_at_once

    return restore


def _issue(mode: str, document_id: int, clerk_id: int, secret: str) -> None:
    from vanthu.demo.issuing_baseline import issue_in_one_transaction
    from vanthu.documents import actions
    from vanthu.documents.models import Document
    from vanthu.org.models import Person
    from vanthu.org.second_factor_testing import backup_code_for

    document = Document.objects.get(pk=document_id)
    clerk = Person.objects.get(pk=clerk_id)
    if mode == "baseline":
        issue_in_one_transaction(document=document, acting=clerk, secret=secret)
    else:
        actions.issue_outgoing(document=document, acting=clerk, secret=secret, otp=backup_code_for(clerk))


def _kind(exc: BaseException) -> str:
    text = str(exc).lower()
    if "deadlock" in text:
        return "deadlock"
    return f"{type(exc).__name__}: {str(exc)[:80]}"


PROFILE_DIR: str | None = None  # --profile without --sequential: each thread's CPU profile is written here
PROFILE_TAG = ""  # the workload being measured (the processes are forked after it is set)


def _profiled(name: str, body: Callable[[], None]) -> None:
    """Run `body`; with PROFILE_DIR, under a profiler of this thread's CPU clock, its stats kept in a file."""
    if PROFILE_DIR is None:
        body()
        return
    import cProfile

    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    try:
        body()
    finally:
        profiler.disable()
        where = f"{PROFILE_TAG} {name}~{os.getpid()}-{threading.get_ident()}.prof"
        profiler.dump_stats(os.path.join(PROFILE_DIR, where))


def run_clerks(threads: list[list[tuple[int, int]]], *, mode: str, secret: str,
               start: threading.Barrier | None = None) -> Samples:
    """Each list of documents issued in order by its own thread (its own database connection)."""
    samples = Samples()
    lock = threading.Lock()
    restore = install_counter_timing(samples.held_ms, samples.trip_ms)
    barrier = start or threading.Barrier(len(threads))

    def issue_all(work: list[tuple[int, int]]) -> None:
        for document_id, clerk_id in work:
            began = time.perf_counter()
            try:
                _issue(mode, document_id, clerk_id, secret)
            except Exception as exc:
                with lock:
                    samples.errors.append(_kind(exc))
                continue
            with lock:
                samples.issue_ms.append((time.perf_counter() - began) * 1000)

    def clerk(work: list[tuple[int, int]]) -> None:
        try:
            backend_began = _backend_cpu()
            barrier.wait(timeout=120)
            _profiled("clerk", lambda: issue_all(work))
            with lock:
                samples.pg_s += _backend_cpu() - backend_began
        finally:
            connections.close_all()

    workers = [threading.Thread(target=clerk, args=(w,)) for w in threads]
    try:
        for t in workers:
            t.start()
        for t in workers:
            t.join()
    finally:
        restore()
    return samples


def _backend_cpu() -> float:
    from vanthu.core.measure import backend_cpu

    value = backend_cpu()
    return float("nan") if value is None else value


def deliver_until(stop: Callable[[], bool], *, threads: int) -> float:
    """Delivery workers: each takes the waiting messages of its slot (their destination, modulo `threads`:
    the messages to one unit are delivered by one worker, in batches — decision 0037) and delivers them,
    until `stop()` and nothing is left waiting. Returns the CPU seconds their PostgreSQL backends used."""
    from vanthu.documents import delivering
    from vanthu.documents.models import OutboxMessage

    used: list[float] = []

    def deliver(slot: int) -> None:
        idle = 0.01
        while True:
            finished = stop()
            waiting = (OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING).order_by("pk")
                       .values_list("pk", "transport", "address")[:200])
            ids = [pk for pk, transport, address in waiting
                   if zlib.crc32(f"{transport}:{address}".encode()) % threads == slot][:50]
            for pk in ids:
                delivering.deliver_message(pk)
            if ids:
                idle = 0.01
            elif finished:
                return
            else:  # polling less while nothing waits: an empty poll costs both cores' time
                time.sleep(idle)
                idle = min(idle * 2, 0.2)

    def worker(slot: int) -> None:
        backend_began = _backend_cpu()
        try:
            _profiled("delivery", lambda: deliver(slot))
        finally:
            used.append(_backend_cpu() - backend_began)
            connections.close_all()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return sum(used)


def clerks_main(threads: list[list[tuple[int, int]]], mode: str, secret: str, ready: Any, queue: Any) -> None:
    connections.close_all()
    ready.wait()
    began = time.process_time()
    samples = run_clerks(threads, mode=mode, secret=secret)
    samples.cpu_s = time.process_time() - began
    queue.put(samples)


def delivery_main(threads: int, stop: Any, queue: Any) -> None:
    connections.close_all()
    began = time.process_time()
    pg_s = deliver_until(stop.is_set, threads=threads)
    queue.put((time.process_time() - began, pg_s))
