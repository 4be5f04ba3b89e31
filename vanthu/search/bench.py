"""`vanthu bench search`: look-up latency over the documents in the database (make them with `vanthu gen`).

For 50 fixed queries (common words, medium and rare words, phrases, notations, typed without diacritics, with
filters) and three people of different scope (the commander: the whole tree; a clerk: her unit; an officer of a
province unit), it prints median and p95 of a first page with its total — vanthu's search (`queries.search`) —
beside, in the same run, a plain ILIKE scan (the naive baseline, on a subset: it takes seconds) and textbook
PostgreSQL full-text search (the calibration's design: one stored tsvector of unaccented subject and body, GIN,
page by ts_rank plus an exact count). `--engines database,tantivy` measures vanthu's search on each engine
in turn, in the same run over the same documents (decision 0028); beside wall time it prints the mean CPU
time a search costs (this process's CPU clock plus the PostgreSQL backend's), which a loaded machine disturbs
less. Then, for each engine, the indexing rate and the time to searchable of a new document.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from vanthu.search.engines import engine_for

QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    # common words
    *[("common", q, {}) for q in ["công tác", "kế hoạch", "đơn vị", "huấn luyện", "báo cáo", "thực hiện",
                                  "chính trị", "tổ chức", "Bộ Tư lệnh", "năm 2025"]],
    # medium
    *[("medium", q, {}) for q in ["bão lũ", "ma túy", "Điện Biên", "chữ ký số", "tìm kiếm cứu nạn", "xăng dầu",
                                  "quân y", "doanh trại"]],
    # rare
    *[("rare", q, {}) for q in ["tàu ngầm Kilo", "Yagi", "Su-30MK2", "Lò Văn Hạnh", "rà phá bom mìn",
                                "Phú Quốc"]],
    # phrases
    *[("phrase", q, {}) for q in ['"phòng chống bão lũ"', '"sẵn sàng chiến đấu"', '"tăng cường công tác hậu cần"',
                                  '"an toàn thông tin"', "diễn tập khu vực phòng thủ", '"thi đua khen thưởng"',
                                  "quản lý vũ khí trang bị", '"cải cách hành chính"']],
    # notations
    *[("notation", q, {}) for q in ["QĐ-BTL", "KH-BTTM", "43/KH-BTTM", "V/v", "BC-TM", "1374", "12/QĐ-BTL",
                                    "HD-CT"]],
    # typed without diacritics
    *[("folded", q, {}) for q in ["bao lu", "dien bien", "huan luyen chien dau", "phong chong ma tuy",
                                  "chuyen doi so", "quyet dinh ban hanh quy che"]],
    # with filters
    ("filtered", "huấn luyện", {"year": 2025}),
    ("filtered", "bão lũ", {"urgency": 1}),
    ("filtered", "kế hoạch", {"status": "issued"}),
    ("filtered", "", {"year": 2026, "direction": "in"}),
]
ILIKE_QUERIES = ["công tác", "bão lũ", "Điện Biên", "tàu ngầm Kilo", "QĐ-BTL", "bao lu"]
PEOPLE = ["hung", "lan", "tam"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


TEXTBOOK_TSV = (
    "setweight(to_tsvector('simple', unaccent(lower(replace(d.subject || ' ' || d.code_number || ' ' "
    "|| d.code_notation, '/', ' ')))), 'A') || setweight(to_tsvector('simple', unaccent(lower("
    "coalesce(t.text, '')))), 'D')"
)


def setup_textbook(out: IO[str]) -> None:
    """The calibration's design, built once (and completed for documents added since): unaccented lower-case
    subject+notation (weight A) and body (D) in one stored tsvector, GIN."""
    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT to_regclass('bench_textbook')")
        if cursor.fetchone()[0] is None:
            out.write("building the textbook FTS table (stored tsvector + GIN)…\n")
            cursor.execute(
                f"CREATE TABLE bench_textbook AS SELECT d.id AS document_id, {TEXTBOOK_TSV} AS tsv "  # noqa: S608
                "FROM documents_document d LEFT JOIN search_extractedtext t ON t.document_id = d.id"
            )
        else:
            cursor.execute(
                f"INSERT INTO bench_textbook SELECT d.id, {TEXTBOOK_TSV} FROM documents_document d "  # noqa: S608
                "LEFT JOIN search_extractedtext t ON t.document_id = d.id "
                "WHERE d.id > (SELECT coalesce(max(document_id), 0) FROM bench_textbook)"
            )
        cursor.execute("SELECT to_regclass('bench_textbook_tsv')")
        if cursor.fetchone()[0] is None:
            cursor.execute("ALTER TABLE bench_textbook ADD PRIMARY KEY (document_id)")
            cursor.execute("CREATE INDEX bench_textbook_tsv ON bench_textbook USING gin (tsv)")
            cursor.execute("ANALYZE bench_textbook")
            out.write(f"  textbook table ready in {time.monotonic() - started:.0f} s\n")


def backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def server_cpu_ms(pid: int | None) -> float:
    """CPU time (user + system) of this connection's PostgreSQL backend so far, from /proc (the same machine);
    0 elsewhere. Clock ticks of 10 ms: meaningful summed over many queries, not for one."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure_engine(out: IO[str], queries: list[tuple[str, str, dict[str, Any]]], people: dict[str, Any],
                   runs: int) -> None:
    """Wall time of each search (median, p95, max by shape and person), and the mean CPU time a search costs:
    this process's CPU clock (Tantivy runs in it) plus the PostgreSQL backend's, which the machine's load
    disturbs less than wall time."""
    from vanthu.search.queries import Filters, search

    def ours(person: Any, q: str, f: dict[str, Any]) -> None:
        search(person, q, Filters(**f), facets=False)

    rows: dict[str, dict[str, list[float]]] = {}
    cpu: dict[str, list[float]] = {}
    pid = backend_pid()
    for category, q, f in queries:
        for name, person in people.items():
            ours(person, q, f)  # warm-up
            for _ in range(runs):
                server, process = server_cpu_ms(pid), time.process_time()
                ms = timed(lambda person=person, q=q, f=f: ours(person, q, f))  # type: ignore[misc]
                spent = (time.process_time() - process) * 1000 + server_cpu_ms(pid) - server
                rows.setdefault(category, {}).setdefault(name, []).append(ms)
                rows.setdefault("ALL", {}).setdefault(name, []).append(ms)
                cpu.setdefault(category, []).append(spent)
                cpu.setdefault("ALL", []).append(spent)
    out.write(f"\n{engine_for(connection).name}: first page (20) + total, ms — median / p95 / max; "
              "mean CPU ms a search (process + database server)\n")
    out.write(f"{'shape':<10}" + "".join(f"{n:>24}" for n in people) + f"{'CPU':>8}\n")
    for category, by_person in rows.items():
        cells = "".join(
            f"{statistics.median(v):>8.1f} /{pct(v, 95):>6.1f} /{max(v):>6.0f}" for v in by_person.values()
        )
        out.write(f"{category:<10}{cells}{statistics.fmean(cpu[category]):>8.1f}\n")
    slow = [(c, q) for c, q, _f in queries if any(pct(rows[c][n], 95) > 50 for n in people)]
    out.write(f"shapes with a p95 over 50 ms for some person: {sorted({c for c, _ in slow}) or 'none'}\n")


def measure_indexing(out: IO[str], people: dict[str, Any], *, quick: bool) -> None:
    """Indexing rate (re-index existing documents: read, lexemes, write, as the sync does) and time to
    searchable (a new row committed, then one sync pass; the loop runs one a second)."""
    from vanthu.documents.models import Document
    from vanthu.search import indexing
    from vanthu.search.queries import search

    engine = engine_for(connection)
    # indexing rate: re-index existing documents (read, lexemes, write), as the sync does
    ids = list(Document.objects.order_by("-pk").values_list("pk", flat=True)[: 200 if quick else 5000])
    started = time.monotonic()
    for i in range(0, len(ids), 500):
        indexing.index_documents(ids[i : i + 500])
    spent = time.monotonic() - started
    rate = len(ids) / max(spent, 1e-9)
    out.write(f"\n{engine.name} indexing: {len(ids)} documents in {spent:.2f} s = {rate:.0f} documents/s\n")

    # time to searchable: a new row committed, then one sync pass (the loop runs one a second)
    hung = people.get("hung")
    template = Document.objects.order_by("-pk").first()
    if hung is not None and template is not None:
        with transaction.atomic():
            template.pk = None
            template.subject = "Về việc kiểm tra đột xuất kho xăng dầu Zeta-7 ở Phú Quốc"
            template.register = None
            template.number = None
            template.client_token = None
            template.save()
        committed = time.perf_counter()
        indexing.sync()
        found = search(hung, "Zeta-7 xang dau", facets=False).total
        pass_ms = (time.perf_counter() - committed) * 1000
        out.write(f"{engine.name} time to searchable: one sync pass after commit {pass_ms:.0f} ms (found: {found}); "
                  f"with the 1 s loop interval, at most {1000 + pass_ms:.0f} ms\n")
        Document.objects.filter(pk=template.pk).delete()
        engine_for(connection).remove([template.pk])


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench search")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query and person (after 1 warm-up)")
    parser.add_argument("--baselines", choices=["all", "none"], default="all")
    parser.add_argument("--quick", action="store_true", help="a few queries, one run (the suite's smoke run)")
    parser.add_argument("--engines", default="",
                        help="comma-separated among: database (SQLite FTS5 or PostgreSQL), tantivy; "
                             "default: the configured one")
    args = parser.parse_args(argv)

    from vanthu.documents.models import Document
    from vanthu.org.models import Person
    from vanthu.search.engines import NAMES, configured, using
    from vanthu.search.queries import scoped

    engine_names = [n.strip() for n in args.engines.split(",") if n.strip()] or [configured()]
    unknown = [n for n in engine_names if n not in NAMES]
    if unknown:
        parser.error(f"unknown engines {unknown}: choose among {list(NAMES)}")
    queries = QUERIES[::10] if args.quick else QUERIES
    runs = 1 if args.quick else args.runs
    people = {p.user.username: p for p in Person.objects.select_related("user").filter(user__username__in=PEOPLE)}
    total_docs = Document.objects.count()
    load = open("/proc/loadavg").read().split()[:3] if not args.quick else ["-"]  # noqa: SIM115
    with_names = []
    for n in engine_names:
        with using(n):
            with_names.append(engine_for(connection).name)
    out.write(f"engines {', '.join(with_names)}, {total_docs} documents, load average {' '.join(load)}\n")
    for name, person in people.items():
        out.write(f"  {name}: sees {scoped(person).count() if not args.quick else '?'} documents\n")

    for name in engine_names:
        with using(name):
            measure_engine(out, queries, people, runs)

    if args.baselines == "all" and connection.vendor == "postgresql" and not args.quick:
        setup_textbook(out)
        textbook: dict[str, list[float]] = {}
        for _category, q, _f in queries:
            if not q:
                continue
            for name, person in people.items():
                base = scoped(person).extra(
                    tables=["bench_textbook"],
                    where=["bench_textbook.document_id = documents_document.id",
                           "bench_textbook.tsv @@ plainto_tsquery('simple', unaccent(lower(replace(%s, '/', ' '))))"],
                    params=[q],
                    select={"rank": "ts_rank(bench_textbook.tsv, plainto_tsquery('simple', "
                                    "unaccent(lower(replace(%s, '/', ' ')))))"},
                    select_params=[q],
                )

                def run(base: Any = base) -> None:
                    list(base.order_by("-rank").values_list("id", flat=True)[:20])
                    base.count()

                textbook.setdefault(name, []).append(timed(run))  # one run each: it takes up to seconds
        out.write("\ntextbook PostgreSQL FTS (stored tsvector, GIN, page by ts_rank + exact count; 1 run each), ms\n")
        for name, v in textbook.items():
            out.write(f"  {name:<6} median {statistics.median(v):8.1f}  p95 {pct(v, 95):8.1f}  max {max(v):8.0f}\n")

        ilike: dict[str, list[float]] = {}
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '10s'")
        for q in ILIKE_QUERIES:
            for name, person in people.items():
                base = scoped(person).extra(
                    tables=["search_extractedtext"],
                    where=["search_extractedtext.document_id = documents_document.id",
                           "(documents_document.subject ILIKE %s OR search_extractedtext.text ILIKE %s)"],
                    params=[f"%{q}%", f"%{q}%"],
                )

                def run_ilike(base: Any = base) -> None:
                    list(base.order_by("-issued_date").values_list("id", flat=True)[:20])
                    base.count()

                try:
                    with transaction.atomic():
                        ilike.setdefault(name, []).append(timed(run_ilike))
                except Exception:
                    ilike.setdefault(name, []).append(10_000.0)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
        out.write(f"\nplain ILIKE on subject and body (page by date + exact count; {len(ILIKE_QUERIES)} queries), ms\n")
        for name, v in ilike.items():
            out.write(f"  {name:<6} median {statistics.median(v):8.1f}  p95 {pct(v, 95):8.1f}  max {max(v):8.0f}\n")

    for name in engine_names:
        with using(name):
            measure_indexing(out, people, quick=args.quick)
    out.write(f"finished at {timezone.now():%Y-%m-%d %H:%M:%S %Z}\n")
