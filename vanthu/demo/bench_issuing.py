"""`vanthu bench issuing`: issuance under concurrency on PostgreSQL, the outbox against the previous design.

Two workloads, each run with the outbox (decision 0007: number in a short transaction, seal outside any lock,
finalize in a second short transaction, delivery by jobs through the outbox) and with the previous
in-transaction issuance kept for the benchmark (`issuing_baseline`: the counter row locked through the seal,
the recipients' incoming documents and audit events written in the issuer's transaction):

- **one unit**: 32 clerks issue at once in one unit (one register, one counter row), to one recipient unit;
- **pairs**: 16 pairs of units issue to each other at once (A→B and B→A, 32 clerks, 32 registers).

Every document is a 1-page Decree 30 draft (vanthu.demo.pdfs) signed beforehand by its signer, so issuance
makes it dual-signed: number and date filled, the unit's organisation signature (the deployment's level: B-T
with the built-in TSA unless configured), the seal key unlocked with its passphrase (scrypt as in
production). The clerks are threads spread over `--processes` worker processes (Python signs on one core per
process). With the outbox, `--delivery-threads` threads in one more process deliver the waiting messages as
the job workers would (they poll the outbox; no job queue is used in the run).

Figures per run: documents issued per second, issuance time p50/p95 (the clerk's wait, including the
stored signature check after the commit that issuance always did), how long the register's counter row was
held (p50/p95: from taking the number to the commit), deliveries per second (issued to 'Chờ vào sổ' at the
recipient), the checks after issuance per second (`--checkers` processes run the job every issuance enqueues,
`validate_stored_file`, in both modes alike: `bench_issuing_check.py`), the CPU per document issued (every
process of the run, the checkers included, and their PostgreSQL backends), errors by kind (a deadlock is one),
and a check of every register: numbers 1…N, no gap, no duplicate. The run happens in a fresh database
(`--database-url`, dropped and created).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

from django.core.management.base import CommandError
from django.db import connections, transaction

from vanthu.demo.bench_issuing_org import BenchOrg, Kit, build_org, signed_documents

__all__ = ["BenchOrg", "Kit", "build_org", "main", "measure", "plan_work", "run_clerks", "signed_documents"]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vanthu_bench_issuing"
MODES = ("outbox", "baseline")
SCENARIOS = ("one_unit", "pairs")


class BenchError(CommandError):
    """The benchmark cannot run: the message says why."""


@dataclass
class Work:
    """What one run issues: per clerk thread, (document id, clerk id) in order."""

    threads: list[list[tuple[int, int]]]

    @property
    def documents(self) -> int:
        return sum(len(t) for t in self.threads)


@dataclass
class Samples:
    issue_ms: list[float] = field(default_factory=list)
    held_ms: list[float] = field(default_factory=list)
    trip_ms: list[float] = field(default_factory=list)  # the one-statement reservation, seen from the client
    errors: list[str] = field(default_factory=list)
    cpu_s: float = 0.0  # CPU of the processes that issued (and delivered), all their threads
    pg_s: float = 0.0  # CPU of the PostgreSQL backends serving them (nan: not readable here)

    def merge(self, other: Samples) -> None:
        self.issue_ms += other.issue_ms
        self.held_ms += other.held_ms
        self.trip_ms += other.trip_ms
        self.errors += other.errors
        self.cpu_s += other.cpu_s
        self.pg_s += other.pg_s


@dataclass
class Result:
    mode: str
    scenario: str
    documents: int
    issued: int
    seconds: float
    delivery_seconds: float
    deliveries: int
    samples: Samples
    gaps: int
    duplicates: int
    checks: int = 0  # issued files checked after issuance (the job `validate_stored_file`), in both modes
    check_seconds: float = 0.0  # from the start to the last check done

    @property
    def checks_per_second(self) -> float:
        return self.checks / self.check_seconds if self.check_seconds else 0.0

    @property
    def per_second(self) -> float:
        return self.issued / self.seconds if self.seconds else 0.0

    def cpu_per_document(self, which: str) -> float:
        """ms of CPU per document issued, of the run's processes (`cpu_s`) or of their backends (`pg_s`)."""
        return getattr(self.samples, which) * 1000 / self.issued if self.issued else float("nan")

    @property
    def deliveries_per_second(self) -> float:
        return self.deliveries / self.delivery_seconds if self.delivery_seconds else 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- the organisation and the documents ------------------------------------------------------------------


def plan_work(org: BenchOrg, scenario: str, *, per_thread: int, clerks: int, secret: str) -> Work:
    if scenario == "one_unit":
        threads = []
        for _ in range(clerks):
            ids = signed_documents(org.hub, to_unit_id=org.sink_id, count=per_thread, secret=secret)
            threads.append([(pk, org.hub.clerk_id) for pk in ids])
        return Work(threads=threads)
    threads = []
    for a, b in org.pairs:
        threads.append([(pk, a.clerk_id) for pk in signed_documents(a, to_unit_id=b.unit_id, count=per_thread,
                                                                      secret=secret)])
        threads.append([(pk, b.clerk_id) for pk in signed_documents(b, to_unit_id=a.unit_id, count=per_thread,
                                                                      secret=secret)])
    return Work(threads=threads)


# --- measuring -------------------------------------------------------------------------------------------


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


def _process_main(threads: list[list[tuple[int, int]]], mode: str, secret: str, ready: Any, queue: Any) -> None:
    connections.close_all()
    ready.wait()
    began = time.process_time()
    samples = run_clerks(threads, mode=mode, secret=secret)
    samples.cpu_s = time.process_time() - began
    queue.put(samples)


def _delivery_main(threads: int, stop: Any, queue: Any) -> None:
    connections.close_all()
    began = time.process_time()
    pg_s = deliver_until(stop.is_set, threads=threads)
    queue.put((time.process_time() - began, pg_s))


def check_registers(document_ids: list[int]) -> tuple[int, int]:
    """(gaps, duplicates) over the outgoing registers the documents were numbered in."""
    from vanthu.documents.models import Document

    registers = set(Document.objects.filter(pk__in=document_ids).exclude(register=None)
                    .values_list("register_id", flat=True))
    gaps = duplicates = 0
    for register_id in registers:
        numbers = [n for n in Document.objects.filter(register_id=register_id).values_list("number", flat=True)
                   if n is not None]
        counts = Counter(numbers)
        duplicates += sum(c - 1 for c in counts.values() if c > 1)
        top = max(numbers, default=0)
        gaps += top - len(counts)
    return gaps, duplicates


def measure(work: Work, *, mode: str, scenario: str, secret: str, processes: int = 0,
            delivery_threads: int = 4, checkers: int = 0) -> Result:
    """Issue `work` and wait for its deliveries and, with `checkers`, for the check after issuance of each issued
    file (`bench_issuing_check`, the same in both modes). processes=0: the clerks are threads of this process and
    the deliveries run as the configured job backend runs them (the suite: on commit); the checks after them."""
    from vanthu.demo.bench_issuing_check import check_until, checker_main
    from vanthu.documents.models import Document, MessageKind, OutboxMessage

    global PROFILE_TAG
    PROFILE_TAG = f"{scenario} {mode}"
    ids = [pk for thread in work.threads for pk, _ in thread]
    samples = Samples()
    began = time.perf_counter()
    delivered_at = began
    checks, checked_at = 0, began
    if processes <= 0:
        cpu_began = time.process_time()
        samples = run_clerks(work.threads, mode=mode, secret=secret)
        samples.cpu_s = time.process_time() - cpu_began
        issued_at = delivered_at = time.perf_counter()
        if mode == "outbox":
            deliver_until(lambda: True, threads=delivery_threads)  # whatever the backend left waiting
            delivered_at = time.perf_counter()
        if checkers > 0:
            checks = check_until(lambda: True, document_ids=ids)
            checked_at = time.perf_counter()
    else:
        context = multiprocessing.get_context("fork")
        connections.close_all()
        ready, stop, queue, spent = context.Event(), context.Event(), context.Queue(), context.Queue()
        slices = [work.threads[i::processes] for i in range(processes)]
        clerks = [context.Process(target=_process_main, args=(s, mode, secret, ready, queue)) for s in slices if s]
        couriers = []
        if mode == "outbox":
            couriers = [context.Process(target=_delivery_main, args=(delivery_threads, stop, spent))]
        checked_queue = context.Queue()
        checking = [context.Process(target=checker_main, args=(ids, slot, checkers, stop, checked_queue))
                    for slot in range(checkers)]
        for p in [*clerks, *couriers, *checking]:
            p.start()
        time.sleep(1.0)  # let every process open its connection
        began = time.perf_counter()
        ready.set()
        for _ in clerks:
            samples.merge(queue.get())
        issued_at = time.perf_counter()
        for p in clerks:
            p.join()
        stop.set()
        for _ in couriers:
            cpu_s, pg_s = spent.get()
            samples.merge(Samples(cpu_s=cpu_s, pg_s=pg_s))
        for p in couriers:
            p.join()
        delivered_at = time.perf_counter() if couriers else issued_at
        for _ in checking:
            cpu_s, pg_s, checked, done_at = checked_queue.get()
            samples.merge(Samples(cpu_s=cpu_s, pg_s=pg_s))
            checks, checked_at = checks + checked, max(checked_at, done_at)
        for p in checking:
            p.join()
    issued = Document.objects.filter(pk__in=ids, status="issued").count()
    if mode == "outbox":
        deliveries = OutboxMessage.objects.filter(document_id__in=ids, kind=MessageKind.DOCUMENT,
                                                  state=OutboxMessage.State.DELIVERED).count()
    else:
        deliveries = Document.objects.filter(source_id__in=ids).count()
        delivered_at = issued_at
    gaps, duplicates = check_registers(ids)
    return Result(mode=mode, scenario=scenario, documents=len(ids), issued=issued, seconds=issued_at - began,
                  delivery_seconds=delivered_at - began, deliveries=deliveries, samples=samples, gaps=gaps,
                  duplicates=duplicates, checks=checks, check_seconds=checked_at - began if checks else 0.0)


# --- the command -----------------------------------------------------------------------------------------


def table(results: list[Result]) -> list[str]:
    heads = [f"{'một đơn vị' if r.scenario == 'one_unit' else 'các cặp'} · {r.mode}" for r in results]
    rows: list[tuple[str, Callable[[Result], str]]] = [
        ("văn bản phát hành / lỗi", lambda r: f"{r.issued}/{r.documents} · {len(r.samples.errors)}"),
        ("văn bản/s", lambda r: f"{r.per_second:.1f}"),
        ("phát hành p50 ms", lambda r: f"{percentile(r.samples.issue_ms, 0.5):.0f}"),
        ("phát hành p95 ms", lambda r: f"{percentile(r.samples.issue_ms, 0.95):.0f}"),
        ("giữ dòng bộ đếm p50 ms", lambda r: f"{percentile(r.samples.held_ms, 0.5):.1f}"),
        ("giữ dòng bộ đếm p95 ms", lambda r: f"{percentile(r.samples.held_ms, 0.95):.1f}"),
        ("lệnh lấy số, phía app p95", lambda r: f"{percentile(r.samples.trip_ms, 0.95):.1f}" if r.samples.trip_ms
         else "—"),
        ("chuyển đến nơi nhận/s", lambda r: f"{r.deliveries_per_second:.1f} ({r.deliveries})"),
        ("kiểm tra sau phát hành/s", lambda r: f"{r.checks_per_second:.1f} ({r.checks})" if r.checks else "—"),
        ("CPU mỗi văn bản ms", lambda r: f"{r.cpu_per_document('cpu_s'):.0f} + {r.cpu_per_document('pg_s'):.0f}"),
        ("deadlock", lambda r: str(sum(1 for e in r.samples.errors if e == "deadlock"))),
        ("hở số / trùng số", lambda r: f"{r.gaps} / {r.duplicates}"),
    ]
    width = max(len(h) for h in heads) + 2
    lines = [" " * 26 + "".join(h.rjust(width) for h in heads)]
    for label, value in rows:
        lines.append(label.ljust(26) + "".join(value(r).rjust(width) for r in results))
    other = Counter(e for r in results for e in r.samples.errors if e != "deadlock")
    for error, count in other.most_common(5):
        lines.append(f"  lỗi khác ×{count}: {error}")
    return lines


def run_child(args: argparse.Namespace, out: IO[str]) -> None:
    from django.core.management import call_command

    from vanthu import jobs
    from vanthu.signing.testing import SIGNING_SECRET

    call_command("migrate", verbosity=0)
    jobs.enqueue_on_commit = lambda *a, **k: None  # delivery threads poll instead
    if args.profile and not args.sequential:
        global PROFILE_DIR
        PROFILE_DIR = tempfile.mkdtemp(prefix="vanthu-bench-profile-")
    if args.sequential:
        from vanthu.demo import bench_issuing_profile

        bench_issuing_profile.run(args.sequential, out, profile=args.profile)
        return
    began = time.perf_counter()
    org = build_org(pairs=args.pairs, secret=SIGNING_SECRET)
    modes = MODES if args.mode == "both" else (args.mode,)
    works = {(m, s): plan_work(org, s, per_thread=args.docs, clerks=args.clerks, secret=SIGNING_SECRET)
             for m in modes for s in SCENARIOS}
    out.write(f"chuẩn bị {sum(w.documents for w in works.values())} văn bản đã ký: "
              f"{time.perf_counter() - began:.0f} s\n")
    out.flush()
    results = []
    for scenario in SCENARIOS:
        for mode in modes:  # side by side, one after the other on the same data
            results.append(measure(works[(mode, scenario)], mode=mode, scenario=scenario, secret=SIGNING_SECRET,
                                   processes=args.processes, delivery_threads=args.delivery_threads,
                                   checkers=args.checkers))
            out.write(f"  {scenario} · {mode}: {results[-1].seconds:.1f} s\n")
            out.flush()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    from django.conf import settings

    level = settings.PADES_LEVEL or ("B-T" if settings.TSA_URL == "builtin" else "B-LT")
    out.write(f"\nvanthu bench issuing — {args.clerks} văn thư trong một đơn vị, {args.pairs} cặp đơn vị, "
              f"{args.docs} văn bản mỗi văn thư; {args.processes} tiến trình ký, mức {level}\n")
    out.write(f"Máy: {platform.system()} {platform.machine()}, {os.cpu_count()} CPU, Python "
              f"{platform.python_version()}, load average {load:.2f}\n")
    if args.checkers > 0:
        out.write(f"Kiểm tra chữ ký sau phát hành (việc nền validate_stored_file): chạy ở cả hai chế độ, "
                  f"{args.checkers} tiến trình kiểm tra song song với văn thư; CPU mỗi văn bản tính cả việc này\n")
    else:
        out.write("Kiểm tra chữ ký sau phát hành: không chạy (--checkers 0), ở cả hai chế độ\n")
    for line in table(results):
        out.write(line + "\n")
    if PROFILE_DIR is not None:
        _print_thread_profiles(PROFILE_DIR, out)


def _print_thread_profiles(directory: str, out: IO[str]) -> None:
    """The threads' CPU profiles (thread CPU clock), summed by role: clerks per mode, delivery workers."""
    import io
    import pstats
    from pathlib import Path

    roles: dict[str, list[str]] = {}
    for path in sorted(Path(directory).glob("*.prof")):
        roles.setdefault(path.name.split("~")[0], []).append(str(path))
    for role, paths in sorted(roles.items()):
        text = io.StringIO()
        stats = pstats.Stats(*paths, stream=text)
        stats.sort_stats("cumulative").print_stats(r"vanthu/|keystore|scrypt|pyhanko/sign/(signers|validation)/", 40)
        stats.sort_stats("tottime").print_stats(20)
        out.write(f"\n--- cProfile ({role}, đồng hồ CPU của luồng, {len(paths)} luồng) ---\n"
                  f"{text.getvalue()}")


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench issuing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("VANTHU_BENCH_ISSUING_URL", DEFAULT_URL),
                        help="PostgreSQL database to create (dropped first) for the run (default %(default)s)")
    parser.add_argument("--clerks", type=int, default=32, help="clerks issuing at once in one unit")
    parser.add_argument("--pairs", type=int, default=16, help="pairs of units issuing to each other")
    parser.add_argument("--docs", type=int, default=4, help="documents each clerk issues")
    parser.add_argument("--processes", type=int, default=4, help="worker processes the clerks are spread over")
    parser.add_argument("--delivery-threads", type=int, default=4, help="outbox delivery workers")
    parser.add_argument("--checkers", type=int, default=2,
                        help="processes running the check after issuance of each issued file, in both modes alike "
                             "(0: leave it out of both)")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    parser.add_argument("--sequential", type=int, default=0, metavar="N",
                        help="instead: one clerk issues N documents in a row; time and queries of one issuance")
    parser.add_argument("--profile", action="store_true",
                        help="where the CPU goes (with --sequential: and the queries; else each thread's CPU profile)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args, out)
        return
    parts = urlsplit(args.database_url)
    if not parts.scheme.startswith("postgres"):
        raise BenchError("vanthu bench issuing đo trên PostgreSQL / the benchmark runs on PostgreSQL only")
    _fresh_database(args.database_url)
    with tempfile.TemporaryDirectory() as data_dir:
        command = [sys.executable, "-m", "vanthu.cli", "bench", "issuing", "--child", *argv]
        env = {**os.environ, "VANTHU_DATABASE_URL": args.database_url, "VANTHU_DATA_DIR": data_dir}
        env.pop("VANTHU_TESTING", None)
        completed = subprocess.run(command, env=env, check=False)
    if completed.returncode != 0:
        raise BenchError(f"the run failed (exit {completed.returncode})")


def _fresh_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        conn = psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                               user=parts.username or "postgres", password=parts.password or None, dbname="postgres",
                               autocommit=True)
    except Exception as exc:
        raise BenchError(f"cannot connect to PostgreSQL at {url}: {exc}") from exc
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
