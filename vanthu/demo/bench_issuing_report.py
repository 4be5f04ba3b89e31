"""The report of `vanthu bench issuing`: the machine and the run's settings, the table of figures side by
side (one column per workload and mode), and the threads' CPU profiles."""

from __future__ import annotations

import argparse
import os
import platform
from collections import Counter
from collections.abc import Callable
from typing import IO

from vanthu.demo.bench_issuing_types import Result, percentile


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


def write(results: list[Result], *, args: argparse.Namespace, out: IO[str]) -> None:
    """The run's header (the workloads, the machine and its load, the check after issuance) and the table."""
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


def print_thread_profiles(directory: str, out: IO[str]) -> None:
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
