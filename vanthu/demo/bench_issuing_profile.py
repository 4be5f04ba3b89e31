"""`vanthu bench issuing --sequential N [--profile]`: the cost of one issuance and of one delivery, without
concurrency (the figures the throughput is bounded by).

One clerk issues N documents in a row (after two for warm-up), then the outbox's messages of those documents are
delivered one by one in this process, as a delivery job would (the local transport: the recipient unit's
incoming document). For each: the wall time, the CPU time of this process, the CPU time of the PostgreSQL
backend serving it (from /proc/<pid>/stat of `pg_backend_pid()`, when the server runs on this machine), and the
queries of one of them (Django's CaptureQueriesContext). From the CPU per document (issuance + delivery, client
+ server): the ceiling of an idle machine with this many cores. `--profile`: where the CPU of the issuances
goes (cProfile on the process CPU clock) and which queries one issuance makes.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from typing import IO, Any

from django.conf import settings
from django.db import connections


def backend_clock(connection: Any) -> Callable[[], float]:
    """CPU seconds used so far by the PostgreSQL backend of `connection` (NaN when it cannot be read here): from
    /proc/<pid>/schedstat, the scheduler's nanoseconds on a CPU, else from /proc/<pid>/stat in clock ticks (10 ms,
    too coarse for one statement)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def scheduled() -> float:
        try:
            with open(f"/proc/{pid}/schedstat") as stat:
                return int(stat.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            return float("nan")

    def ticks() -> float:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)

    return scheduled if scheduled() == scheduled() else ticks  # NaN != NaN: no schedstat here


class ShapeClock:
    """Per query shape: how many, and the backend CPU and the wall time spent while each ran (an execute wrapper)."""

    def __init__(self, backend: Callable[[], float]) -> None:
        self.backend = backend
        self.count: Counter[str] = Counter()
        self.pg: defaultdict[str, float] = defaultdict(float)
        self.wall: defaultdict[str, float] = defaultdict(float)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        pg, wall = self.backend(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = shape(sql, 100_000)
            self.count[key] += 1
            self.pg[key] += self.backend() - pg
            self.wall[key] += time.perf_counter() - wall

    def write(self, title: str, items: int, out: IO[str]) -> None:
        total, statements = sum(self.pg.values()), sum(self.count.values())
        out.write(f"\n--- {title}: CPU PostgreSQL theo dạng truy vấn, mỗi mục ({items}), tổng "
                  f"{total / max(1, items) * 1000:.2f} ms, {statements / max(1, items):.1f} truy vấn ---\n")
        for key, pg in sorted(self.pg.items(), key=lambda item: -item[1]):
            out.write(f"{self.count[key] / max(1, items):5.1f} × {pg / self.count[key] * 1e6:6.0f} µs PG "
                      f"{self.wall[key] / self.count[key] * 1e6:6.0f} µs thực  {_abridged(key)}\n")


def shape(sql: str, width: int = 110) -> str:
    """A query without its values, to count queries of one kind together."""
    text = re.sub(r"'[^']*'", "?", sql)
    text = re.sub(r"\b\d+(\.\d+)?\b", "?", text)
    text = re.sub(r"\s+", " ", text)
    return text[:width]


class Meter:
    """Wall, process CPU and backend CPU around a block, per item."""

    def __init__(self, backend: Callable[[], float]) -> None:
        self.backend = backend

    def __enter__(self) -> Meter:
        self.wall, self.cpu, self.pg = time.perf_counter(), time.process_time(), self.backend()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.pg = self.backend() - self.pg

    def line(self, count: int) -> str:
        return (f"{self.wall / count * 1000:.1f} ms thời gian thực, {self.cpu / count * 1000:.1f} ms CPU tiến trình "
                f"+ {self.pg / count * 1000:.1f} ms CPU PostgreSQL")


def _waiting(document_ids: list[int]) -> list[int]:
    from vanthu.documents.models import OutboxMessage

    return list(OutboxMessage.objects.filter(document_id__in=document_ids, state=OutboxMessage.State.WAITING)
                .order_by("pk").values_list("pk", flat=True))


def _issue(document_id: int, clerk_id: int, otp: str) -> None:
    """What a request does: read the person and the document, call the action."""
    from vanthu.documents import actions
    from vanthu.documents.models import Document
    from vanthu.org.models import Person
    from vanthu.signing.testing import SIGNING_SECRET

    document = Document.objects.get(pk=document_id)
    clerk = Person.objects.get(pk=clerk_id)
    actions.issue_outgoing(document=document, acting=clerk, secret=SIGNING_SECRET, otp=otp)


def run(count: int, out: IO[str], *, profile: bool = False) -> None:
    from django.test.utils import CaptureQueriesContext

    from vanthu.demo.bench_issuing_org import build_org, signed_documents
    from vanthu.documents import delivering
    from vanthu.documents.jobs import validate_stored_file
    from vanthu.documents.models import Document
    from vanthu.org.models import Person
    from vanthu.org.second_factor_testing import backup_code_for
    from vanthu.signing.testing import SIGNING_SECRET

    org = build_org(pairs=0, secret=SIGNING_SECRET)
    ids = signed_documents(org.hub, to_unit_id=org.sink_id, count=count + 3, secret=SIGNING_SECRET)
    clerk = Person.objects.get(pk=org.hub.clerk_id)
    codes = [backup_code_for(clerk) for _ in ids]  # the clerk's one-time codes, made before any measure
    connection = connections["default"]
    clock = backend_clock(connection)
    for pk, code in zip(ids[:2], codes, strict=False):  # warm-up: modules, the key, the trust store
        _issue(pk, clerk.pk, code)
    for message in _waiting(ids[:2]):
        delivering.deliver_message(message)
    with CaptureQueriesContext(connection) as issue_queries:
        _issue(ids[2], clerk.pk, codes[2])
    with CaptureQueriesContext(connection) as deliver_queries:
        for message in _waiting(ids[2:3]):
            delivering.deliver_message(message)
    profiler = cProfile.Profile(time.process_time) if profile else None
    issue_shapes, deliver_shapes = ShapeClock(clock), ShapeClock(clock)
    with Meter(clock) as issuing, connection.execute_wrapper(issue_shapes) if profile else nullcontext():
        if profiler is not None:
            profiler.enable()
        for pk, code in zip(ids[3:], codes[3:], strict=True):
            _issue(pk, clerk.pk, code)
        if profiler is not None:
            profiler.disable()
    messages = _waiting(ids[3:])
    statements = [0]

    def counted(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    with (Meter(clock) as delivering_meter, connection.execute_wrapper(counted),
          connection.execute_wrapper(deliver_shapes) if profile else nullcontext()):
        for message in messages:  # as the jobs would: one call per message (a batch takes its companions)
            delivering.deliver_message(message)
    issued_files = list(Document.objects.filter(pk__in=ids[3:]).values_list("current_file_id", flat=True))
    with Meter(clock) as checking:  # the job after issuance: the issued file's signatures checked and the verdict kept
        for sha256 in issued_files:
            validate_stored_file.call(sha256)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cores = os.cpu_count() or 1
    per_document = (issuing.cpu + issuing.pg + delivering_meter.cpu + delivering_meter.pg) / count
    with_check = per_document + (checking.cpu + checking.pg) / count
    out.write(f"vanthu bench issuing --sequential {count}: một văn thư phát hành lần lượt {count} văn bản, rồi "
              f"chuyển {len(messages)} thư đến nơi nhận; load average {load:.2f}"
              f"{' (CPU đo dưới cProfile)' if profile else ''}\n"
              f"mỗi lần phát hành: {issuing.line(count)}, {len(issue_queries.captured_queries)} truy vấn\n"
              f"mỗi lần chuyển: {delivering_meter.line(max(1, len(messages)))}, "
              f"{len(deliver_queries.captured_queries)} truy vấn khi chuyển riêng một thư, "
              f"{statements[0] / max(1, len(messages)):.1f} truy vấn mỗi thư trên cả {len(messages)} thư "
              f"(lô tối đa {settings.OUTBOX_BATCH})\n"
              f"kiểm tra chữ ký văn bản đã phát hành (việc nền sau phát hành): "
              f"{checking.line(max(1, len(issued_files)))}\n"
              f"CPU mỗi văn bản (phát hành + chuyển, cả PostgreSQL): {per_document * 1000:.1f} ms → trần trên máy "
              f"{cores} lõi rảnh: {_rate(cores, per_document)} văn bản/s; "
              f"kể cả việc kiểm tra sau phát hành: {with_check * 1000:.1f} ms → {_rate(cores, with_check)} văn bản/s\n")
    if profiler is not None:
        _print_profile(profiler, count, out)
        _print_queries("truy vấn của một lần phát hành", issue_queries.captured_queries, out)
        _print_queries("truy vấn của một lần chuyển", deliver_queries.captured_queries, out)
        issue_shapes.write("phát hành", count, out)
        deliver_shapes.write("chuyển", max(1, len(messages)), out)


def _abridged(text: str) -> str:
    """The start and the end of a long query (its tables and what it filters on)."""
    return text if len(text) <= 150 else f"{text[:100]} … {text[-45:]}"


def _rate(cores: int, seconds: float) -> str:
    return f"{cores / seconds:.0f}" if seconds > 0 else "?"


def _print_profile(profiler: cProfile.Profile, count: int, out: IO[str]) -> None:
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(r"vanthu/|pyhanko/sign/(signers|validation)/", 45)
    stats.sort_stats("tottime").print_stats(25)
    out.write(f"\n--- cProfile (đồng hồ CPU của tiến trình), {count} lần phát hành ---\n{text.getvalue()}")


def _print_queries(title: str, queries: list[dict[str, Any]], out: IO[str]) -> None:
    out.write(f"\n--- {title}: {len(queries)} ---\n")
    for sql, times in Counter(shape(q["sql"]) for q in queries).most_common():
        out.write(f"{times:3d} × {sql}\n")
