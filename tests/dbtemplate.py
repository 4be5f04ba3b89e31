"""Migrated databases made once and copied: the test suite's time goes to tests, not to running the same 100-odd
migrations again in every xdist worker, every test half (SQLite, Tantivy, PostgreSQL), every loopback deployment
and every pair of peers.

A template is made by `vanthu migrate` in a child process (the same settings as the tests: VANTHU_TESTING=1), under
a lock, the first time it is needed, and named by a hash of vanthu's code and Django's version: any change to a
migration, a model or the code a data migration calls makes a new one. Nothing is shared between templates.

- **SQLite**: a file in VANTHU_TEST_TEMPLATES (default: the system's temporary folder), copied into each worker's
  in-memory test database with SQLite's backup API (`restore_sqlite`), or copied as the data folder's database of a
  deployment (`sqlite_file`).
- **PostgreSQL**: a database `vanthu_tpl_<hash>` on the test server; test databases and the loopback deployments'
  databases are created from it (`CREATE DATABASE … TEMPLATE …`, through Django's TEST["TEMPLATE"] setting for the
  test databases). Older `vanthu_tpl_*` databases are dropped when a new one is made, unless in use; SQLite
  templates of other code are removed after a day unused.

`migrate` still runs after the copy (Django's test database creation and `vanthu upgrade` both call it): it finds
every migration applied and only runs its post-migrate steps, so a template that missed something is corrected,
not trusted."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT / "vanthu"
PG_PREFIX = "vanthu_tpl_"


@functools.cache
def code_hash() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(CODE.rglob("*.py")):
        digest.update(str(path.relative_to(CODE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def folder() -> Path:
    where = Path(os.environ.get("VANTHU_TEST_TEMPLATES") or Path(tempfile.gettempdir()) / "vanthu-test-templates")
    where.mkdir(parents=True, exist_ok=True)
    return where


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    with open(folder() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(database_url: str, data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"VANTHU_TESTING": "1", "VANTHU_DATABASE_URL": database_url, "VANTHU_DATA_DIR": str(data_dir),
                "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "-c", "from vanthu.cli import main; main()", "migrate", "--no-input",
                           "-v", "0"], env=env, cwd=ROOT, capture_output=True, timeout=1200)
    if done.returncode != 0:
        raise RuntimeError(f"the migrated template could not be made:\n{done.stdout.decode()}\n{done.stderr.decode()}")


def sqlite_file() -> Path:
    """The migrated SQLite template of this code (made once, under a lock)."""
    path = folder() / f"sqlite-{code_hash()}.sqlite3"
    if path.exists():
        return path
    with _locked(f"sqlite-{code_hash()}"):
        if not path.exists():
            with tempfile.TemporaryDirectory(dir=folder()) as work:
                made = Path(work) / "vanthu.sqlite3"
                _migrate(f"sqlite:///{made}", Path(work))
                os.replace(made, path)
            _prune(path)
    return path


def _prune(keep: Path) -> None:
    """Templates of other code not used for a day (another checkout's run may be using a recent one)."""
    import time

    for old in folder().glob("sqlite-*.sqlite3"):
        with contextlib.suppress(OSError):
            if old != keep and time.time() - old.stat().st_atime > 86400:
                old.unlink()


def restore_sqlite(connection: sqlite3.Connection) -> None:
    """Copy the template into an open SQLite connection (an in-memory test database)."""
    source = sqlite3.connect(f"file:{sqlite_file()}?mode=ro", uri=True)
    try:
        source.backup(connection)
    finally:
        source.close()


def copy_sqlite(path: Path) -> Path:
    """A migrated SQLite database at `path` (its `migrate` then has nothing to apply)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sqlite_file(), path)
    return path


def copy_sqlite_to(data_dir: Path) -> None:
    """A deployment's data folder with the migrated database in it (SQLite, the default path)."""
    copy_sqlite(data_dir / "vanthu.sqlite3")


def postgres_template(server: str) -> str:
    """The name of the migrated template database of this code on `server` (postgres://user@host:port), made once
    under an advisory lock."""
    import psycopg

    name = f"{PG_PREFIX}{code_hash()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        admin.execute("SELECT pg_advisory_lock(hashtext('vanthu-test-templates'))")
        try:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return name
            building = f"{name}_making"
            admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{building}"')
            with tempfile.TemporaryDirectory(dir=folder()) as work:
                _migrate(f"{server}/{building}", Path(work))
            admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            olds = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                                 [f"{PG_PREFIX}%", name]).fetchall()
            for (old,) in olds:
                with contextlib.suppress(psycopg.Error):  # in use by another run: left for a later one
                    admin.execute(f'DROP DATABASE "{old}"')
        finally:
            admin.execute("SELECT pg_advisory_unlock(hashtext('vanthu-test-templates'))")
    return name
