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

This module plans a run and drives it (the command, the processes, the register check); the clerks' and the
delivery workers' threads are in `bench_issuing_workers.py`, the printed report in `bench_issuing_report.py`,
the types they share in `bench_issuing_types.py`, the organisation and its signed drafts in
`bench_issuing_org.py`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import IO
from urllib.parse import urlsplit

from django.core.management.base import CommandError
from django.db import connections

from vanthu.demo import bench_issuing_report as report
from vanthu.demo import bench_issuing_workers as workers
from vanthu.demo.bench_issuing_org import BenchOrg, Kit, build_org, signed_documents
from vanthu.demo.bench_issuing_types import Result, Samples, Work
from vanthu.demo.bench_issuing_workers import clerks_main, deliver_until, delivery_main, run_clerks

__all__ = ["BenchOrg", "Kit", "build_org", "main", "measure", "plan_work", "run_clerks", "signed_documents"]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vanthu_bench_issuing"
MODES = ("outbox", "baseline")
SCENARIOS = ("one_unit", "pairs")


class BenchError(CommandError):
    """The benchmark cannot run: the message says why."""


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

    workers.PROFILE_TAG = f"{scenario} {mode}"
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
        clerks = [context.Process(target=clerks_main, args=(s, mode, secret, ready, queue)) for s in slices if s]
        couriers = []
        if mode == "outbox":
            couriers = [context.Process(target=delivery_main, args=(delivery_threads, stop, spent))]
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


def run_child(args: argparse.Namespace, out: IO[str]) -> None:
    from django.core.management import call_command

    from vanthu import jobs
    from vanthu.signing.testing import SIGNING_SECRET

    call_command("migrate", verbosity=0)
    jobs.enqueue_on_commit = lambda *a, **k: None  # delivery threads poll instead
    if args.profile and not args.sequential:
        workers.PROFILE_DIR = tempfile.mkdtemp(prefix="vanthu-bench-profile-")
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
    report.write(results, args=args, out=out)
    if workers.PROFILE_DIR is not None:
        report.print_thread_profiles(workers.PROFILE_DIR, out)


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
