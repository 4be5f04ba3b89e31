"""The time a process waits to begin a write transaction on its SQLite file (`BEGIN IMMEDIATE` waits there for
the file's write lock, up to the busy timeout): the lock waits between the processes of one deployment in the
stream measurement of `vanthu bench exchange` (decision 0041). Imports nothing of vanthu's apps, so that a
server can load it before Django starts (`probe_from_environment`, from the bench's `sitecustomize.py`)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

PROBE = "VANTHU_BENCH_LOCK_PROBE"  # the file a server writes its waits to (every half second)
SITECUSTOMIZE = f"""import os
if os.environ.get({PROBE!r}):
    from vanthu.demo.lockwaits import probe_from_environment
    probe_from_environment()
"""


class LockWaits:
    """Summed over this process's threads: seconds, transactions begun, the longest wait."""

    def __init__(self) -> None:
        self.seconds, self.count, self.longest = 0.0, 0, 0.0
        self._lock = threading.Lock()

    def install(self) -> LockWaits:
        from vanthu.core.db_sqlite3.base import DatabaseWrapper

        original = DatabaseWrapper._start_transaction_under_autocommit
        waits = self

        def timed(wrapper: Any) -> None:
            started = time.perf_counter()
            try:
                original(wrapper)
            finally:
                spent = time.perf_counter() - started
                with waits._lock:
                    waits.seconds += spent
                    waits.count += 1
                    waits.longest = max(waits.longest, spent)

        DatabaseWrapper._start_transaction_under_autocommit = timed  # type: ignore[method-assign,assignment]
        return self

    def report(self) -> dict[str, float]:
        return {"lock_wait_s": self.seconds, "transactions": self.count, "lock_wait_longest_s": self.longest}


def probe_from_environment() -> None:
    """Count this process's waits and write them to the file named by VANTHU_BENCH_LOCK_PROBE twice a second."""
    target = Path(os.environ[PROBE])
    waits = LockWaits().install()

    def write() -> None:
        while True:
            time.sleep(0.5)
            target.with_suffix(".tmp").write_text(json.dumps(waits.report()))
            target.with_suffix(".tmp").replace(target)

    threading.Thread(target=write, daemon=True, name="vanthu-bench-lock-probe").start()


def read(path: Path) -> dict[str, float]:
    """What a server's probe last wrote (zeros before its first write)."""
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {"lock_wait_s": 0.0, "transactions": 0, "lock_wait_longest_s": 0.0}
