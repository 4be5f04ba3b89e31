"""What the benchmarks read of the machine: the CPU time the database's PostgreSQL backends spent during a run.

One backend is not enough: the bench's own connection is one, but a worker's, a second connection's or a
parallel worker's backend that starts and ends during the run would be missed, and a backend's CPU can only be
read while it lives (`/proc/<pid>/stat`). So `ServerCPU` lists the database's backends (`pg_stat_activity`) and
reads each one's CPU at the start, every `every` seconds from a thread, and at the end, keeping the last value
read per backend: the run's figure is the sum, per backend, of its last value less its value at the start (0 for
a backend that started during the run). What a backend spends between its last sample and its end is missed, so
the sampling interval bounds the error (0.1 s by default).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from django.db import connection, connections

Backend = tuple[int, dt.datetime]  # its pid and its start (a pid can be reused by a later backend)
LIST_BACKENDS = ("SELECT pid, backend_start, pg_backend_pid() FROM pg_stat_activity WHERE datname = current_database() "
                 "AND backend_type IN ('client backend', 'parallel worker') AND backend_start IS NOT NULL")


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) process `pid` of this machine has used, or None if there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's own backend (None: SQLite, or PostgreSQL on another host). For
    a connection that lives through the whole measure, as each clerk's of `vanthu bench issuing` does; the
    backends of a whole run are `ServerCPU`'s."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return process_cpu(cursor.fetchone()[0])


@dataclass
class ServerCPU:
    """`with ServerCPU() as server: ...` then `server.seconds`: the CPU seconds of every backend of this database
    seen during the block (None when not measurable: SQLite, or PostgreSQL on another host). `backends` holds
    the value at the start and the last value read of each backend seen."""

    every: float = 0.1
    backends: dict[Backend, tuple[float, float]] = field(default_factory=dict)
    seconds: float | None = None
    _started: dt.datetime | None = None
    _measurable: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None
    _samplers: set[Backend] = field(default_factory=set)

    def __enter__(self) -> ServerCPU:
        if connection.vendor != "postgresql":
            return self
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp(), pg_backend_pid()")
            self._started, own = cursor.fetchone()
        self._measurable = process_cpu(own) is not None
        if not self._measurable:
            return self
        self.sample(connection)
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="vanthu-measure-server-cpu", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if not self._measurable:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample(connection)
        with self._lock:
            self.seconds = sum(last - first for first, last in self.backends.values())

    def sample(self, on: Any, *, sampler: bool = False) -> None:
        """Read the CPU of the database's backends now, through connection `on`; `sampler`: `on` is the sampling
        thread's, whose backend is left out (now and in the samples after it)."""
        with on.cursor() as cursor:
            cursor.execute(LIST_BACKENDS)
            rows = cursor.fetchall()
        for pid, started, own in rows:
            key = (pid, started)
            if sampler and pid == own:
                self._samplers.add(key)
            if key in self._samplers:
                continue
            cpu = process_cpu(pid)
            if cpu is None:
                continue  # ended since the list was read: its last value read stays
            with self._lock:
                known = self.backends.get(key)
                if known is None:  # a backend that started during the run spent all its CPU in it
                    first = 0.0 if self._started is not None and started >= self._started else cpu
                    self.backends[key] = (first, cpu)
                else:
                    self.backends[key] = (known[0], max(known[1], cpu))

    def _loop(self) -> None:
        own = connections.create_connection("default")  # the thread's own connection, closed at the end
        try:
            while not self._stop.wait(self.every):
                self.sample(own, sampler=True)
        finally:
            own.close()


def tally_cpu(owner: Any, attribute: str, seconds: dict[str, float], name: str) -> None:
    """Replace `owner.attribute` (a function) by one that adds the process CPU seconds of each call to
    `seconds[name]`: the profiling scripts' split of a run by function (scripts/profile_*.py)."""
    function = getattr(owner, attribute)
    seconds.setdefault(name, 0.0)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] += time.process_time() - start

    setattr(owner, attribute, timed)
