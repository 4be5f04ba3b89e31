"""Django's SQLite backend, with one change (decision 0050): how a transaction waits for the write lock.

Every transaction begins with `BEGIN IMMEDIATE` (core/env.py), which takes the database's one write lock or waits
for it. SQLite's own busy handler waits by sleeping 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100, 100… ms between
tries: a writer that began waiting during another's 30 ms transaction gets the lock up to 20 ms after it was freed,
and one that waits long sleeps 100 ms at a time, while writers arriving meanwhile take the lock before it (there
is no queue). With the job worker, the clerks' requests and a peer's batches writing one file, those sleeps were
most of the time the exchange's processes spent waiting (`vanthu bench exchange`, the stream).

Here `BEGIN` is tried with no busy wait, and tried again after a short pause (0.5 ms, doubling to at most 2 ms)
until it succeeds or the connection's timeout (OPTIONS "timeout", 20 s by default here) has passed — then the same
"database is locked" error as before. The busy handler is set back for the transaction's own statements, and for
statements outside any transaction (autocommit), which keep SQLite's wait.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from django.db import utils
from django.db.backends.sqlite3 import base

FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.002  # seconds between two tries of BEGIN


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self._busy_ms = int(float(params.get("timeout", 5)) * 1000)
        return params

    def _start_transaction_under_autocommit(self) -> None:
        mode = getattr(self, "transaction_mode", None)  # Django 5.1+: OPTIONS["transaction_mode"]
        begin = "BEGIN" if mode is None else f"BEGIN {mode}"
        raw = self.connection
        busy_ms = getattr(self, "_busy_ms", 5000)
        raw.execute("PRAGMA busy_timeout = 0")  # on the raw connection: not one of the statements Django counts
        try:
            try:
                self.cursor().execute(begin)  # through Django's cursor: logged and counted as before
                return
            except utils.OperationalError as exc:  # Django's cursor raises its own class
                if not _busy(exc):
                    raise
            deadline = time.monotonic() + busy_ms / 1000
            pause = FIRST_PAUSE
            while True:
                time.sleep(pause)
                try:
                    raw.execute(begin)
                    return
                except sqlite3.OperationalError as exc:
                    if not _busy(exc) or time.monotonic() >= deadline:
                        raise utils.OperationalError(*exc.args) from exc  # as Django's cursor raises it
                pause = min(LONGEST_PAUSE, pause * 2)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {busy_ms}")


def _busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text
