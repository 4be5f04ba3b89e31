"""A deployment on loopback for the tests of this folder (vanthu/demo/loopback.py): nginx, two gunicorn app
servers, two job workers, an S3 server (moto) holding the files, a PostgreSQL database of its own and Redis.

The database is named after the test database's own name (`<name>_loopback_<pid>`, without pytest-django's
`test_` prefix), so a run on `vanthu_x` makes `vanthu_x_loopback_…`. The Redis database
(VANTHU_TEST_LOOPBACK_REDIS_URL, default db 6) is shared by every loopback of every run on the machine: a lock in
it lets one deployment use it at a time.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests import dbtemplate
from tests.files.conftest import CREDENTIALS, start_moto
from tests.files.conftest import client as s3_client
from tests.files.conftest import stop as stop_moto
from vanthu.demo.loopback import Loopback, nginx_available

REDIS_URL = os.environ.get("VANTHU_TEST_LOOPBACK_REDIS_URL", "redis://127.0.0.1:6379/6")


def server_url() -> str:
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    user = params.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}"


def database_name() -> str:
    name = str(connection.settings_dict["NAME"]).removeprefix("test_")
    return f"{name}_loopback_{os.getpid()}"


def _empty(client: Any) -> None:
    """The loopback's jobs and cache in its Redis database; the lock stays."""
    for key in client.scan_iter("*"):
        if not key.startswith(b"vanthu-tests:"):
            client.delete(key)


@contextlib.contextmanager
def running_loopback(tmp_path_factory: pytest.TempPathFactory, *, seed: str, s3: bool = True,
                     env: dict[str, str] | None = None) -> Iterator[Loopback]:
    """A new database (a copy of the migrated template of tests/dbtemplate.py, which `vanthu upgrade` finds
    migrated), run `seed` (a function of vanthu/demo/loopback_side.py, whose JSON output becomes
    `loopback.document`), start every part and yield; stop and remove everything after. Without `s3` the files
    are on the local store (the data folder); `env` adds to every part's environment."""
    import psycopg
    import redis

    assert nginx_available(), "nginx is not installed: scripts/install-system-deps installs nginx-light"
    name = database_name()
    server = server_url()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{dbtemplate.postgres_template(server)}"')
    client = redis.Redis.from_url(REDIS_URL)
    lock = client.lock("vanthu-tests:loopback", timeout=3600, blocking_timeout=1800)
    lock.acquire()
    _empty(client)
    root = tmp_path_factory.mktemp("loopback")
    moto: subprocess.Popen[bytes] | None = None
    store: dict[str, str] = {}
    if s3:
        moto, endpoint = start_moto()  # the object store: an S3 server on loopback (decision 0025)
        s3_client(endpoint).create_bucket(Bucket="loopback")
        store = {**CREDENTIALS, "VANTHU_FILES_URL": "s3://loopback/files", "VANTHU_S3_ENDPOINT_URL": endpoint}
    loopback = Loopback(root=root, database_url=f"{server}/{name}", redis_url=REDIS_URL, app_servers=2, workers=2,
                        env={"VANTHU_MAX_REQUEST_MB": "2", "VANTHU_MAX_UPLOAD_MB": "1", **store, **(env or {})})
    try:
        loopback.prepare(demo=False)
        loopback.document = loopback.shell_json(f"from vanthu.demo.loopback_side import {seed}; {seed}()")
        loopback.start()
        yield loopback
    finally:
        loopback.stop()
        if moto is not None:
            stop_moto(moto)
        _empty(client)
        if lock.owned():
            lock.release()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
