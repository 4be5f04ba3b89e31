"""RQ over the real Redis (marker `redis`): jobs run, retry, fail with their error and are retried from the
jobs page; with Redis stopped, pages keep working, jobs wait in the database and run when it returns."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

from tests import dbtemplate
from tests.conftest import checked
from tests.jobs.conftest import CLOSED_PORT_URL, REDIS_URL, redis_settings, run_rq_worker
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.jobs import enqueue_on_commit, queries, testing
from vanthu.jobs.backends import hand_over_parked
from vanthu.jobs.models import ParkedJob
from vanthu.ops import actions

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_engine")]


def test_a_job_enqueued_on_commit_runs_on_an_rq_worker(tmp_path):
    counter = tmp_path / "count"
    with transaction.atomic():
        enqueue_on_commit(testing.fails_then_succeeds, str(counter), 0)
        assert queries.overview().waiting_count == 0  # not before the commit
    overview = queries.overview()
    assert overview.engine == "redis"
    assert [j.name for j in overview.waiting] == ["fails_then_succeeds"]
    assert overview.oldest_waiting_since is not None
    run_rq_worker()
    assert counter.read_text() == "1"
    assert queries.overview().waiting_count == 0


def test_rq_retries_a_failing_job_then_it_succeeds(tmp_path):
    counter = tmp_path / "count"
    result = testing.flaky_fast.enqueue(str(counter), 2)
    run_rq_worker()
    assert counter.read_text() == "3"
    assert task_backends["default"].get_result(result.id).status == TaskResultStatus.SUCCESSFUL


def test_a_job_waiting_for_its_next_attempt_shows_its_error():
    testing.always_fails.enqueue("sổ đi")  # backoff 10 s: RQ schedules the retry
    run_rq_worker()
    waiting = queries.overview().waiting
    assert [(j.state, j.attempts, j.error) for j in waiting] == [("retry", 1, "RuntimeError: hỏng: sổ đi")]


def test_a_failed_job_keeps_its_error_and_an_admin_retries_it(cast):
    testing.always_fails_fast.enqueue("sổ đến 2026")
    run_rq_worker()
    failed = queries.overview().failed
    assert [(j.name, j.error) for j in failed] == [("always_fails_fast", "RuntimeError: hỏng: sổ đến 2026")]
    assert failed[0].attempts == 2
    with pytest.raises(ActionRefused):
        actions.retry_job(job_id=failed[0].id, acting=cast.lan)
    actions.retry_job(job_id=failed[0].id, acting=cast.admin)
    overview = queries.overview()
    assert overview.failed == []
    assert [j.id for j in overview.waiting] == [failed[0].id]
    event = AuditEvent.objects.get(verb="jobs.job.retried")
    assert event.actor_id == cast.admin.pk
    assert event.target_id == failed[0].id
    assert "hỏng: sổ đến 2026" in event.data["last_error"]
    with pytest.raises(ActionRefused) as again:
        actions.retry_job(job_id=failed[0].id, acting=cast.admin)
    assert again.value.code == "job_not_failed"


def test_with_redis_stopped_pages_work_jobs_wait_and_run_when_it_returns(settings, client, cast, doc_types,
                                                                          tmp_path):
    from tests.documents.docx_builder import decree30_docx
    from vanthu.documents import actions as documents

    redis_settings(settings, CLOSED_PORT_URL)
    counter = tmp_path / "count"
    with transaction.atomic():
        enqueue_on_commit(testing.fails_then_succeeds, str(counter), 0)
    draft = documents.create_draft(  # its DOCX conversion job cannot reach Redis either
        acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
        data=documents.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027"),
        file=checked(decree30_docx(), "ke-hoach.docx"))
    assert sorted(ParkedJob.objects.values_list("task_path", flat=True)) == [
        "vanthu.documents.jobs.convert_draft_version", "vanthu.jobs.testing.fails_then_succeeds"]

    client.force_login(cast.quang.user)
    page = client.get(f"/documents/{draft.pk}/")
    assert page.status_code == 200
    assert "Đang chuyển đổi…" in page.content.decode()
    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "down"
    assert body["jobs"]["ok"] is False
    assert body["jobs"]["parked"] == 2
    assert body["database"] == {"ok": True}
    assert "redis://" not in health.content.decode()
    assert "127.0.0.1" not in health.content.decode()
    assert hand_over_parked() == 0  # still down: nothing lost
    assert ParkedJob.objects.count() == 2

    redis_settings(settings, REDIS_URL)  # Redis is back
    assert hand_over_parked() == 2
    assert not ParkedJob.objects.exists()
    assert client.get("/healthz").status_code == 200
    run_rq_worker()
    assert counter.read_text() == "1"
    draft.refresh_from_db()
    assert draft.current_file is not None  # converted by the job once Redis returned
    assert json.loads(client.get("/healthz").content)["jobs"]["waiting"] == 0


def test_vanthu_worker_on_redis_runs_a_job_in_its_own_process(settings, tmp_path):
    """`vanthu worker --batch` with VANTHU_JOBS_URL=redis://… : RQ forks a work-horse that runs the job."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    counter = tmp_path / "count"
    testing.fails_then_succeeds.enqueue(str(counter), 0)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "VANTHU_TESTING": "0", "VANTHU_JOBS_URL": REDIS_URL, "VANTHU_DATA_DIR": str(tmp_path),
           "VANTHU_DATABASE_URL": f"sqlite:///{dbtemplate.copy_sqlite(tmp_path / 'worker.sqlite3')}",
           "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", "from vanthu.cli import main; main()", "migrate", "-v", "0"], env=env,
                   check=True, cwd=root, timeout=300)
    done = subprocess.run([sys.executable, "-c", "from vanthu.cli import main; main()", "worker", "--batch"],
                          env=env, cwd=root, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert counter.read_text() == "1"
    assert "(redis engine)" in done.stderr
