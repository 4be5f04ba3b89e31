"""`vanthu bench pages`: server time and query counts of a clerk's pages at 10,000 and 1,000,000 documents.

What it measures: the inbox, the incoming and outgoing registers of this year, and the document page (over a
sample of the clerk's documents), for Lan, the Staff's registry clerk, with Django's test client in-process
(server time = the time around `client.get`: middleware, views, queries, templates; no network).

How the data is made: the fixed characters through the actions, then ~190 filler units and the documents in
bulk with SQL (`INSERT … SELECT … generate_series`), which takes minutes where the actions would take hours.
The archive spans ten years of registers, growing each year; numbers are consistent per register (1 …
`last_number`, in arrival order). Every size has the same working set of open documents (300 across the
tree, a fifth of them the Staff's), so only the archive grows between the sizes: the target says the pages'
cost must not grow with it. Closed incoming documents carry their direction, lead assignment and shares;
issued outgoing documents their recipients; every document a file row and two audit events (bench chains
"b<unit>", not hash-valid: a benchmark database is not an audit record).

Each size lives in its own database (`<name>_<size>`, created if missing) marked with a comment holding the
generator version, size and seed: a marked database is reused, `--rebuild` drops and rebuilds it. Each size
runs in a child process (`--child`) with VANTHU_DATABASE_URL pointing at its database.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from vanthu.demo.bench_pages_data import (
    DEFAULT_URL,
    PAGES,
    TARGET_P95_MS,
    TARGET_RATIO,
    BenchError,
    Dataset,
    current_marker,
    generate,
    marker,
    open_cursor,
    row_counts,
    set_marker,
)


@dataclass
class PageResult:
    page: str
    requests: int
    median_ms: float
    p95_ms: float
    queries: int  # median over the counted requests
    queries_max: int
    db_ms: float = 0.0  # median time in the database of the counted requests (as Django measures it)
    slowest: list[dict[str, Any]] = field(default_factory=list)  # the slowest queries of one request, with plans
    times: list[float] = field(default_factory=list)  # every timed request, ms


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def page_urls(*, staff_id: int, username: str, sample: int, seed: int) -> dict[str, list[str]]:
    from django.urls import reverse
    from django.utils import timezone

    from vanthu.documents.models import Document

    year = timezone.localdate().year
    ids = list(Document.objects.filter(unit_id=staff_id).order_by("?").values_list("pk", flat=True)[:sample])
    random.Random(seed).shuffle(ids)
    return {
        "inbox": [reverse("inbox")],
        "incoming_register": [reverse("incoming_register") + f"?unit={staff_id}&year={year}"],
        "outgoing_register": [reverse("outgoing_register") + f"?unit={staff_id}&year={year}"],
        "document_detail": [reverse("document_detail", args=[pk]) for pk in ids],
    }


def measure(*, username: str, urls: dict[str, list[str]], requests: int, warmup: int,
            explain: bool = True) -> list[PageResult]:
    """Time `requests` GETs of each page after `warmup` untimed ones; count queries on a few more."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    results: list[PageResult] = []
    for page, page_urls_ in urls.items():
        if not page_urls_:
            raise BenchError(f"no URL to measure for {page}")

        def get(index: int, url_list: list[str] = page_urls_, name: str = page) -> None:
            response = client.get(url_list[index % len(url_list)])
            if response.status_code != 200:
                raise BenchError(f"{name}: {url_list[index % len(url_list)]} answered {response.status_code}")

        for i in range(warmup):
            get(i)
        times: list[float] = []
        for i in range(requests):
            began = time.perf_counter()
            get(warmup + i)
            times.append((time.perf_counter() - began) * 1000)
        counts: list[int] = []
        db_times: list[float] = []
        captured: list[dict[str, Any]] = []
        for i in range(min(10, max(1, requests))):
            with CaptureQueriesContext(connection) as context:
                get(warmup + i)
            counts.append(len(context.captured_queries))
            db_times.append(sum(float(q["time"]) for q in context.captured_queries) * 1000)
            captured = list(context.captured_queries)
        slowest = sorted(captured, key=lambda q: float(q["time"]), reverse=True)[:3]
        notes = [{"ms": float(q["time"]) * 1000, "sql": q["sql"],
                  "plan": _explain(q["sql"]) if explain else ""} for q in slowest]
        results.append(PageResult(page=page, requests=requests, median_ms=statistics.median(times),
                                  p95_ms=percentile(times, 0.95), queries=int(statistics.median(counts)),
                                  queries_max=max(counts), db_ms=statistics.median(db_times), slowest=notes,
                                  times=times))
    return results


def _explain(sql: str) -> str:
    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with open_cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- one size (child process) ----------------------------------------------------------------------------


def run_size(*, size: int, seed: int, requests: int, warmup: int, sample: int, out: IO[str]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BenchError("vanthu bench pages cần PostgreSQL / needs PostgreSQL")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages link the manifest's static names
    expected = marker(size, seed)
    if current_marker() == expected:
        from vanthu.org.models import Person

        lan = Person.objects.select_related("user", "unit").get(user__username="lan")
        dataset = Dataset(size=size, seed=seed, lan_username="lan", staff_id=lan.unit_id, reused=True,
                          rows=row_counts())
        out.write(f"[{size:,}] reusing the database built earlier (seed {seed})\n")
    else:
        from vanthu.org.models import Unit

        if Unit.objects.exists():
            raise BenchError("the database holds other data; run with --rebuild")
        out.write(f"[{size:,}] generating {size:,} documents…\n")
        out.flush()
        dataset = generate(size, seed=seed, say=lambda text: (out.write(text + "\n"), out.flush()))
        set_marker(expected)
        out.write(f"[{size:,}] built in {dataset.seconds:.0f} s\n")
    out.flush()
    urls = page_urls(staff_id=dataset.staff_id, username=dataset.lan_username, sample=sample, seed=seed)
    results = measure(username=dataset.lan_username, urls=urls, requests=requests, warmup=warmup)
    with open_cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
    return {"dataset": asdict(dataset), "results": [asdict(r) for r in results], "server": version,
            "shared_buffers": shared_buffers, "database_size": db_size}


# --- orchestration (parent) ------------------------------------------------------------------------------


def database_for(url: str, size: int) -> tuple[str, str]:
    """(url of the size's database, its name): `<name>_<size>` beside the given database name."""
    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "vanthu_bench"
    name = f"{base}_{size}"
    return urlunsplit(parts._replace(path="/" + name)), name


def _maintenance_connection(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                           user=parts.username or "postgres", password=parts.password or None, dbname="postgres",
                           autocommit=True)


def prepare_database(url: str, size: int, seed: int, *, rebuild: bool) -> str:
    """Create the size's database if missing (or drop and recreate it with rebuild or a stale marker)."""
    from psycopg import sql

    db_url, name = database_for(url, size)
    try:
        conn = _maintenance_connection(url)
    except Exception as exc:
        raise BenchError(f"cannot connect to PostgreSQL at {url}: {exc}") from exc
    with conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [name]).fetchone()
        exists = row is not None
        reusable = exists and row is not None and (row[0] or "") == marker(size, seed)
        if exists and (rebuild or not reusable):
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return db_url


def _child(size: int, db_url: str, args: argparse.Namespace, *, requests: int) -> dict[str, Any]:
    """Build (first time) and measure one size in a child process bound to that size's database."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "vanthu.cli", "bench", "pages", "--child", "--sizes", str(size),
                   "--seed", str(args.seed), "--requests", str(requests), "--warmup", str(args.warmup),
                   "--sample", str(args.sample), "--json", str(target)]
        completed = subprocess.run(command, env={**os.environ, "VANTHU_DATABASE_URL": db_url}, check=False)
        if completed.returncode != 0:
            raise BenchError(f"the {size:,}-document run failed (exit {completed.returncode})")
        result: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
        return result


def pooled(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One result per page from several rounds: all timed requests pooled, query counts of every round."""
    first, last = rounds[0], rounds[-1]
    results = []
    for page in PAGES:
        runs = [next(r for r in round_["results"] if r["page"] == page) for round_ in rounds]
        times = [t for run in runs for t in run["times"]]
        results.append({
            "page": page, "requests": len(times), "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95), "queries": int(statistics.median(run["queries"] for run in runs)),
            "queries_max": max(run["queries_max"] for run in runs), "slowest": runs[-1]["slowest"],
            "db_ms": statistics.median(run["db_ms"] for run in runs),
        })
    return {**last, "dataset": first["dataset"], "results": results}


def table(results: dict[int, dict[str, Any]], sizes: Sequence[int]) -> list[str]:
    """The figures side by side: per size the median and p95 server time, the median time spent in the
    database, and the number of queries; then the ratio of the p95s and the verdict."""
    small, large = sizes[0], sizes[-1]
    width = 37
    head = f"{'page':<18}" + "".join(f"| {f'{s:,} documents':^{width}}" for s in sizes) + "| p95 ratio | target"
    sub = f"{'':<18}" + "".join(f"| {'median':>8} {'p95':>8} {'in db':>8} {'queries':>8} " for _s in sizes)
    lines = [head, sub + "|           |", "-" * len(head)]
    by_page = {s: {r["page"]: r for r in results[s]["results"]} for s in sizes}
    for page in PAGES:
        cells = ""
        for s in sizes:
            r = by_page[s][page]
            queries = f"{r['queries']}" + (f"-{r['queries_max']}" if r["queries_max"] != r["queries"] else "")
            cells += f"| {r['median_ms']:>6.1f}ms {r['p95_ms']:>6.1f}ms {r.get('db_ms', 0.0):>6.1f}ms {queries:>8} "
        ratio = by_page[large][page]["p95_ms"] / max(by_page[small][page]["p95_ms"], 0.001)
        ok = by_page[large][page]["p95_ms"] < TARGET_P95_MS and (len(sizes) == 1 or ratio <= TARGET_RATIO)
        lines.append(f"{page:<18}{cells}| {ratio:>8.2f}× | {'met' if ok else 'MISSED'}")
    return lines


def misses(results: dict[int, dict[str, Any]], sizes: Sequence[int]) -> list[str]:
    small, large = sizes[0], sizes[-1]
    missed = []
    for r in results[large]["results"]:
        base = next(x for x in results[small]["results"] if x["page"] == r["page"])
        if r["p95_ms"] >= TARGET_P95_MS or r["p95_ms"] / max(base["p95_ms"], 0.001) > TARGET_RATIO:
            missed.append(r["page"])
    return missed


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("VANTHU_BENCH_DATABASE_URL", DEFAULT_URL),
                        help="PostgreSQL server and base name; each size gets its own database <name>_<size> "
                             "(default %(default)s)")
    parser.add_argument("--sizes", default="10000,1000000", help="comma-separated document counts")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated data")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (over all rounds)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the sizes are measured in turns, this many times each (spreads the machine's noise)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--sample", type=int, default=200, help="documents of the clerk to open")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the databases")
    parser.add_argument("--explain", action="store_true", help="print plans of the slowest queries of every page")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.child:
        result = run_size(size=sizes[0], seed=args.seed, requests=args.requests, warmup=args.warmup,
                          sample=args.sample, out=out)
        Path(args.json).write_text(json.dumps(result), encoding="utf-8")
        return
    scheme = urlsplit(args.database_url).scheme
    if not scheme.startswith("postgres"):
        raise BenchError("vanthu bench pages đo trên PostgreSQL, không đo trên SQLite: hãy cho "
                         "--database-url postgres://… / the benchmark runs on PostgreSQL only")
    began = time.perf_counter()
    urls = {size: prepare_database(args.database_url, size, args.seed, rebuild=args.rebuild) for size in sizes}
    rounds: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
    per_round = max(1, args.requests // args.rounds)
    for round_no in range(args.rounds):
        # The sizes take turns, so that the machine's noise falls on both alike.
        for size in sizes:
            rounds[size].append(_child(size, urls[size], args, requests=per_round))
        out.write(f"round {round_no + 1}/{args.rounds} done\n")
        out.flush()
    results = {size: pooled(rounds[size]) for size in sizes}
    first = results[sizes[0]]
    out.write("\n")
    out.write(f"vanthu bench pages — {first['server']}, shared_buffers {first['shared_buffers']}; "
              f"clerk Lan (Bộ Tham mưu); {per_round * args.rounds} timed requests per page in {args.rounds} rounds "
              f"(each after {args.warmup} warm-up); server time in-process (django.test.Client)\n")
    for size in sizes:
        data = results[size]["dataset"]
        rows = data["rows"]
        how = "reused" if data["reused"] else f"built in {data['seconds']:.0f} s"
        out.write(f"  {size:,} documents: database {results[size]['database_size']}, {how}; "
                  f"registers {rows.get('documents_register', 0):,}, assignments "
                  f"{rows.get('workflow_assignment', 0):,}, audit events {rows.get('audit_auditevent', 0):,}\n")
    out.write("\n")
    for line in table(results, sizes):
        out.write(line + "\n")
    out.write(f"\ntarget: p95 under {TARGET_P95_MS:.0f} ms at {sizes[-1]:,} documents and at most "
              f"{TARGET_RATIO}× the {sizes[0]:,} figure.\n")
    missed = misses(results, sizes) if len(sizes) > 1 else []
    for page in (PAGES if args.explain else missed):
        result = next(r for r in results[sizes[-1]]["results"] if r["page"] == page)
        out.write(f"\n{page} at {sizes[-1]:,}: slowest queries of one request\n")
        for note in result["slowest"]:
            out.write(f"  {note['ms']:.1f} ms: {note['sql'][:600]}\n")
            for plan_line in note["plan"].splitlines():
                out.write(f"      {plan_line}\n")
    out.write(f"\n(total {time.perf_counter() - began:.0f} s)\n")
