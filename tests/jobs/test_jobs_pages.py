"""The jobs page (administrators only: queued, running, failed with the error, retry) and /healthz."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs.conftest import run_worker
from vanthu.audit.models import AuditEvent
from vanthu.jobs import testing
from vanthu.org.second_factor_testing import step_up

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_engine")]

PAGE = "/quan-tri/viec-nen/"
START = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def failed_job() -> DBTaskResult:
    """always_fails run through its three attempts by the worker."""
    with time_machine.travel(START, tick=False) as clock:
        testing.always_fails.enqueue("sổ đến 2026")
        for _ in range(3):
            run_worker()
            clock.shift(dt.timedelta(minutes=5))
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    return row


@pytest.mark.parametrize("who", ["lan", "hung", "tam"])
def test_the_jobs_page_does_not_exist_for_people_who_are_not_administrators(client, cast, who):
    client.force_login(getattr(cast, who).user)
    assert client.get(PAGE).status_code == 404
    assert client.post(f"{PAGE}00000000-0000-0000-0000-000000000000/chay-lai").status_code == 404


def test_the_administrator_sees_a_failed_job_with_its_error_and_retries_it(client, cast):
    row = failed_job()
    step_up(client, cast.admin)
    page = client.get(PAGE)
    text = page.content.decode()
    assert page.status_code == 200
    assert "always_fails" in text
    assert "RuntimeError: hỏng: sổ đến 2026" in text
    assert f'action="{PAGE}{row.pk}/chay-lai"' in text
    assert "Không có việc nào đang chờ." in text

    done = client.post(f"{PAGE}{row.pk}/chay-lai", follow=True)
    assert "Đã đưa việc trở lại hàng đợi" in done.content.decode()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert row.worker_ids == []  # a fresh set of attempts
    event = AuditEvent.objects.get(verb="jobs.job.retried")
    assert (event.actor_id, event.target_id) == (cast.admin.pk, str(row.pk))
    assert "hỏng: sổ đến 2026" in event.data["last_error"]
    again = client.post(f"{PAGE}{row.pk}/chay-lai", follow=True)
    assert "Việc này không còn ở trạng thái lỗi" in again.content.decode()


def test_a_non_administrator_cannot_retry_through_the_action(cast):
    from vanthu.core.errors import ActionRefused
    from vanthu.ops.actions import retry_job

    row = failed_job()
    with pytest.raises(ActionRefused) as refused:
        retry_job(job_id=str(row.pk), acting=cast.lan)
    assert refused.value.code == "forbidden"
    assert AuditEvent.objects.filter(verb="jobs.job.retried.refused", actor_id=cast.lan.pk).exists()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED


def test_the_page_shows_the_age_of_the_oldest_waiting_job_and_refreshes_its_lists(client, cast, tmp_path):
    with time_machine.travel(START, tick=False) as clock:
        step_up(client, cast.admin)
        testing.fails_then_succeeds.enqueue(str(tmp_path / "c"), 0)
        clock.shift(dt.timedelta(minutes=3))
        testing.fails_then_succeeds.enqueue(str(tmp_path / "d"), 0)
        clock.shift(dt.timedelta(minutes=2))
        text = client.get(PAGE).content.decode()
        assert "<dt>Chờ lâu nhất</dt><dd>5 phút</dd>" in text  # the oldest waits since START
        lists = client.get(PAGE, headers={"HX-Request": "true"})
        assert lists.content.decode().lstrip().startswith('<div id="job-lists"')
        assert client.get("/healthz").json()["jobs"]["lag_seconds"] == 300.0


def test_healthz_answers_without_login_and_tells_states_only(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body == {"status": "ok", "database": {"ok": True}, "files": {"ok": True, "kind": "local"},
                    "jobs": {"ok": True, "engine": "database", "lag_seconds": 0.0, "waiting": 0, "failed": 0,
                             "workers": 0}, "cache": {"ok": True, "kind": "local"}}
    assert answer["Cache-Control"].startswith("max-age=0")


def test_healthz_names_the_shared_cache_and_says_when_it_does_not_answer(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0?socket_connect_timeout=1"}}
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["cache"] == {"ok": False, "kind": "redis"}


def test_healthz_is_503_when_the_file_store_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.FILES_DIR = blocker
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "down"
    assert body["files"] == {"ok": False, "kind": "local"}
    assert str(tmp_path) not in answer.content.decode()


def test_healthz_names_the_app_server_that_answered(client, settings):
    settings.SERVER_ID = "app-2"
    assert client.get("/healthz").json()["server"] == "app-2"
