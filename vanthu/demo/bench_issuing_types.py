"""What `vanthu bench issuing` plans and measures: the work of a run, the samples its workers take, the
figures of one run (the orchestration in `bench_issuing.py`, the workers in `bench_issuing_workers.py`, the
report in `bench_issuing_report.py` share them)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


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
