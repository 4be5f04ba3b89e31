"""vanthu's SQLite backend (decision 0050): a transaction waiting for the write lock tries BEGIN again every 0.5–2
ms instead of SQLite's growing sleeps, gets the lock once it is free, gives up with Django's "database is locked"
after the connection's timeout, and leaves SQLite's own busy wait in place for every other statement."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import utils


def _waiter(path: Path, timeout: float) -> Any:
    """A connection of vanthu's backend (`transaction.atomic` begins its transactions with this same method)."""
    handler = utils.ConnectionHandler({
        alias: {"ENGINE": "vanthu.core.db_sqlite3", "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout}}
        for alias in ("default", "waiter")
    })
    connection = handler["waiter"]
    connection.ensure_connection()
    return connection


def _busy_timeout(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        return int(cursor.fetchone()[0])


def _hold_lock(path: Path, held: threading.Event, release: threading.Event) -> None:
    """Another writer: holds the write lock (an uncommitted insert) until `release`."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("INSERT INTO t (v) VALUES (1)")
    held.set()
    release.wait(10)
    raw.execute("COMMIT")
    raw.close()


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Any:
    """A WAL file of its own (not the test database), its connections allowed."""
    path = tmp_path / "lock.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (v INTEGER)")
    with django_db_blocker.unblock():
        yield path


def _holding(database: Path) -> tuple[threading.Thread, threading.Event]:
    held, release = threading.Event(), threading.Event()
    thread = threading.Thread(target=_hold_lock, args=(database, held, release))
    thread.start()
    assert held.wait(10)
    return thread, release


def test_a_waiting_transaction_begins_once_the_lock_is_free(database: Path) -> None:
    waiter = _waiter(database, timeout=20)
    thread, release = _holding(database)
    threading.Timer(0.2, release.set).start()
    waiter._start_transaction_under_autocommit()  # waits for the holder's commit, then holds the lock
    with waiter.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES (2)")
        cursor.execute("COMMIT")
    thread.join(10)
    with waiter.cursor() as cursor:
        cursor.execute("SELECT v FROM t ORDER BY v")
        assert [row[0] for row in cursor.fetchall()] == [1, 2]
    assert _busy_timeout(waiter) == 20000  # SQLite's own wait is back for the statements outside transactions
    waiter.close()


def test_a_transaction_that_waits_past_the_timeout_gets_djangos_database_is_locked(database: Path) -> None:
    waiter = _waiter(database, timeout=0.3)
    thread, release = _holding(database)
    try:
        with pytest.raises(utils.OperationalError, match="locked"):
            waiter._start_transaction_under_autocommit()
        assert _busy_timeout(waiter) == 300
    finally:
        release.set()
        thread.join(10)
    waiter._start_transaction_under_autocommit()  # free again: begins at once
    with waiter.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES (3)")
        cursor.execute("COMMIT")
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 2
    waiter.close()


def test_the_deployments_sqlite_is_this_backend() -> None:
    from vanthu.core.env import database_from_url

    config = database_from_url("sqlite:////tmp/x.sqlite3", base_dir=Path("/tmp"))
    assert config["ENGINE"] == "vanthu.core.db_sqlite3"
