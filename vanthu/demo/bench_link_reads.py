"""`vanthu bench link-reads`: the CPU it costs to turn nginx's log of link downloads into read audit events
(issue 17, decision 0035), on the configured database (PostgreSQL for the figure the issue asks).

The fixed characters and 40 incoming documents (20 of the Command's, 20 of the Staff's: two chains) are made
once; then each round writes a log of `--lines` downloads (10,000 by default: random characters, documents,
addresses, request ids, 200 and some 206) and records it with `documents.actions.link_reads` — side by side,
alternating in one run:
- `batched`: the action as it is (`reads.record_reads` → `log.record_many`: each chain's head locked once a
  batch of 2,000 lines, the events inserted 500 a statement);
- `one-by-one`: the same action with every read appended by `reads.record_read` (`log.record`: the chain's head
  locked, the event inserted, the head moved, for each line).
It prints, per round, the wall time, this process's CPU and the database server process's CPU (PostgreSQL's
backend, read from /proc: same machine), per recorded read. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import IO

from django.db import connection

from vanthu.audit import reads
from vanthu.audit.models import AuditEvent
from vanthu.core import measure
from vanthu.core.actors import SystemActor
from vanthu.documents.actions import link_reads
from vanthu.documents.models import Document
from vanthu.org.models import Person

PREFIX = "/_vanthu_link/"
ACTOR = SystemActor("bench link reads")


def _world(out: IO[str]) -> tuple[list[int], list[tuple[int, str]]]:
    """(person ids, (document id, file sha256)) — the characters and 40 documents, made on the first run."""
    if not Person.objects.filter(user__username="lan").exists():
        from vanthu.demo.characters import build_cast

        build_cast()
    docs = list(Document.objects.filter(subject__startswith="Bench link reads ").exclude(current_file=None)
                .values_list("pk", "current_file_id"))
    if len(docs) < 40:
        import datetime as dt

        from django.utils import timezone

        from vanthu.demo.pdfs import sample_incoming
        from vanthu.documents import actions as documents
        from vanthu.documents.models import DocumentType
        from vanthu.documents.uploads import check

        pdf = sample_incoming()
        doc_type = DocumentType.objects.get(name="Công văn")
        lan, hoa = Person.objects.get(user__username="lan"), Person.objects.get(user__username="hoa")
        for i in range(len(docs), 40):
            clerk = lan if i % 2 else hoa
            unit = clerk.unit if clerk is lan else clerk.unit.parent  # Hoa is the Command's clerk
            assert unit is not None
            data = documents.IncomingData(doc_type=doc_type, organ_name="Bộ Tổng Tham mưu",
                                          subject=f"Bench link reads {i}", code_number=str(100 + i),
                                          code_notation="BTTM-TC", issued_date=timezone.localdate())
            documents.register_incoming(unit=unit, acting=clerk, data=data, file=check(pdf, name=f"cv-{i}.pdf"),
                                        arrival_at=timezone.now() - dt.timedelta(days=1))
        out.write("made 40 documents\n")
        docs = list(Document.objects.filter(subject__startswith="Bench link reads ").exclude(current_file=None)
                    .values_list("pk", "current_file_id"))
    people = list(Person.objects.filter(user__is_active=True).values_list("pk", flat=True))
    return people, docs


def _write_log(path: Path, *, lines: int, people: list[int], docs: list[tuple[int, str]], tag: str) -> None:
    rng = random.Random(tag)
    start = time.time() - lines * 0.36  # a download every 0.36 s: 10,000 an hour
    with open(path, "w", encoding="ascii") as log:
        for i in range(lines):
            doc_id, sha = rng.choice(docs)
            status, size = (206, rng.randrange(1, 1 << 20)) if i % 10 == 0 else (200, rng.randrange(1 << 14, 1 << 24))
            log.write(f"{start + i * 0.36:.3f} {status} {size} {tag}{i:024x} 10.{rng.randrange(256)}."
                      f"{rng.randrange(256)}.{rng.randrange(1, 255)} {PREFIX}{rng.choice('pa')}/"
                      f"{rng.choice(people)}/{doc_id}/{sha}/cong-van-{doc_id}.pdf\n")


def _one_by_one(items: list[reads.Read]) -> list[AuditEvent]:
    return [reads.record_read(request=None, actor=r.actor, verb=r.verb, target=r.target, unit=r.unit, data=r.data,
                              via=r.via, at=r.at) for r in items]


def _round(mode: str, *, folder: Path, lines: int, people: list[int], docs: list[tuple[int, str]],
           number: int) -> dict[str, float]:
    tag = f"{'b' if mode == 'batched' else '1'}{number:03d}{os.getpid() % 10000:04d}"
    path = folder / f"links-{tag}.log"
    _write_log(path, lines=lines, people=people, docs=docs, tag=tag)
    batched = reads.record_reads
    if mode == "one-by-one":
        reads.record_reads = _one_by_one  # the baseline, for this round only
    with measure.ServerCPU() as measured:
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        try:
            outcome = link_reads.record_link_reads(acting=ACTOR, path=path, prefix=PREFIX)
        finally:
            reads.record_reads = batched
        wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
    server = measured.seconds if measured.seconds is not None else float("nan")
    recorded = max(outcome.recorded, 1)
    return {"recorded": outcome.recorded, "skipped": sum(outcome.skipped.values()), "wall_s": wall, "app_cpu_s": cpu,
            "db_cpu_s": server, "app_cpu_ms_per_read": cpu * 1000 / recorded,
            "db_cpu_ms_per_read": server * 1000 / recorded, "reads_per_s": outcome.recorded / wall}


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench link-reads")
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each mode, alternating")
    args = parser.parse_args(argv)
    people, docs = _world(out)
    out.write(f"database: {connection.vendor}; {len(people)} people, {len(docs)} documents; {args.lines} lines a log\n")
    out.write(f"{'round':>5} {'mode':>10} {'recorded':>8} {'wall s':>7} {'reads/s':>8} {'app CPU s':>9} "
              f"{'db CPU s':>8} {'app ms/read':>11} {'db ms/read':>10}\n")
    with tempfile.TemporaryDirectory(prefix="vanthu-bench-links-") as folder:
        for number in range(args.rounds):
            for mode in ("batched", "one-by-one"):
                r = _round(mode, folder=Path(folder), lines=args.lines, people=people, docs=docs, number=number)
                out.write(f"{number + 1:>5} {mode:>10} {r['recorded']:>8} {r['wall_s']:>7.2f} {r['reads_per_s']:>8.0f} "
                          f"{r['app_cpu_s']:>9.2f} {r['db_cpu_s']:>8.2f} {r['app_cpu_ms_per_read']:>11.3f} "
                          f"{r['db_cpu_ms_per_read']:>10.3f}\n")
