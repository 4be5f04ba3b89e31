"""A real `vanthu worker` process killed with SIGKILL in the middle of a job: another worker runs the job
again once the dead one's lease has run out, and the job's result exists once (database engine, on a scratch
database of the same kind as the suite's: a SQLite file, or a PostgreSQL database created for the test)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests import dbtemplate

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120.0  # seconds to wait for a condition before giving up (not a measured time)


def _wait_for(condition, what: str) -> None:
    give_up = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of the worker processes: their own data directory and database, the database engine,
    a fast beat and a short lease."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_TESTING": "0", "VANTHU_DATA_DIR": str(tmp_path / "data"), "VANTHU_JOBS_URL": "",
                "VANTHU_JOBS_BEAT_SECONDS": "0.3", "VANTHU_JOBS_WORKER_LEASE": "2", "PYTHONPATH": str(ROOT)})
    dropped = None
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.settings_dict
        name = f"vanthu_killtest_{uuid.uuid4().hex[:8]}"
        admin = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as pg:
            server = admin.rsplit("/", 1)[0].replace("postgresql://", "postgres://")
            pg.execute(f'CREATE DATABASE "{name}" TEMPLATE "{dbtemplate.postgres_template(server)}"')
        env["VANTHU_DATABASE_URL"] = admin.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + f"/{name}"
        dropped = (admin, name)
    else:
        env["VANTHU_DATABASE_URL"] = f"sqlite:///{dbtemplate.copy_sqlite(tmp_path / 'jobs.sqlite3')}"
    _vanthu(env, "migrate", "--verbosity", "0")
    yield env
    if dropped is not None:
        import psycopg

        with psycopg.connect(dropped[0], autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{dropped[1]}" WITH (FORCE)')


def _vanthu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", "from vanthu.cli import main; main()", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict[str, str], worker_id: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from vanthu.cli import main; main()", "worker", "--worker-id",
                             worker_id, "--interval", "0.2"], env=env, cwd=ROOT, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


STATE = """
from django_tasks_db.models import DBTaskResult
from vanthu.audit.models import AuditEvent
row = DBTaskResult.objects.get(task_path="vanthu.jobs.testing.record_once_then_wait")
print(row.status, len(row.worker_ids), AuditEvent.objects.filter(verb="jobs.test.done", target_id="k").count())
"""


@pytest.mark.both_databases  # its workers run on a database of the run's engine (`scratch`)
def test_worker_killed_mid_job_the_job_runs_again_and_its_result_exists_once(scratch, tmp_path):
    gate, notes = tmp_path / "gate", tmp_path / "attempts"
    _vanthu(scratch, "shell", "--no-imports", "-c", "from vanthu.jobs import testing; "
            f"testing.record_once_then_wait.enqueue('k', {str(gate)!r}, {str(notes)!r})")

    first = _worker(scratch, "worker-a", tmp_path / "a.log")
    try:
        # The job has written its result and waits at the gate: the worker dies here, mid-job.
        _wait_for(lambda: notes.exists() and "recorded" in notes.read_text(), "the first attempt's result")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL
    assert _vanthu(scratch, "shell", "--no-imports", "-c", STATE).split() == ["RUNNING", "1", "1"]

    gate.touch()
    second = _worker(scratch, "worker-b", tmp_path / "b.log")
    try:
        _wait_for(lambda: _vanthu(scratch, "shell", "--no-imports", "-c", STATE).split()[0] == "SUCCESSFUL",
                  "the job to run again on the second worker")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    status, attempts, results = _vanthu(scratch, "shell", "--no-imports", "-c", STATE).split()
    assert (status, attempts, results) == ("SUCCESSFUL", "2", "1")
    assert notes.read_text().count("attempt") == 2
    assert "stopped: it runs again" in (tmp_path / "b.log").read_text()
