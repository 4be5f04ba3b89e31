"""The database engine (django_tasks_db) with vanthu's worker: on commit, retries with exponential backoff,
failed with the error kept, abandoned jobs run again, periodic jobs once per period, an object gone."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.jobs.conftest import run_worker
from vanthu.jobs import enqueue_on_commit, registry, testing
from vanthu.jobs import worker as jobs_worker
from vanthu.jobs.models import PeriodicRun, WorkerBeat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_engine")]

START = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)  # a Monday


def test_job_is_enqueued_when_the_transaction_commits_and_not_when_it_rolls_back(tmp_path):
    counter = tmp_path / "count"
    with transaction.atomic():
        enqueue_on_commit(testing.fails_then_succeeds, str(counter), 0)
        transaction.set_rollback(True)
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        enqueue_on_commit(testing.fails_then_succeeds, str(counter), 0)
        assert not DBTaskResult.objects.exists()  # not inside the transaction
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    run_worker()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 1
    assert counter.read_text() == "1"


def test_failures_retry_with_exponential_backoff_then_succeed(tmp_path):
    counter = tmp_path / "count"
    with time_machine.travel(START, tick=False) as clock:
        testing.fails_then_succeeds.enqueue(str(counter), 2)
        run_worker()
        row = DBTaskResult.objects.get()
        assert row.status == TaskResultStatus.READY
        assert row.run_after == START + dt.timedelta(seconds=10)  # backoff 10 s after the first failure
        assert "attempt 1 fails" in row.traceback  # the error is kept while the job waits
        run_worker()
        assert counter.read_text() == "1"  # not due yet: nothing ran
        clock.shift(dt.timedelta(seconds=10))
        run_worker()
        row.refresh_from_db()
        assert row.status == TaskResultStatus.READY
        assert row.run_after == START + dt.timedelta(seconds=10 + 20)  # then doubled
        clock.shift(dt.timedelta(seconds=20))
        run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 3
    assert len(row.worker_ids) == 3


def test_a_job_failing_every_attempt_stops_as_failed_with_its_error(tmp_path):
    with time_machine.travel(START, tick=False) as clock:
        testing.always_fails.enqueue("sổ 2026")
        for _ in range(3):
            run_worker()
            clock.shift(dt.timedelta(minutes=5))
        run_worker()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3  # the policy's three attempts, no more
    assert row.exception_class_path == "builtins.RuntimeError"
    assert "hỏng: sổ 2026" in row.traceback


def test_a_job_left_running_by_a_dead_worker_runs_again_and_its_result_exists_once(tmp_path):
    gate = tmp_path / "gate"
    gate.touch()
    notes = tmp_path / "attempts"
    result = testing.record_once_then_wait.enqueue("k1", str(gate), str(notes))
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")  # a worker took it, and died without a word
    WorkerBeat.objects.create(worker_id="dead-worker", host="h", pid=1, engine="database",
                              started_at=timezone.now() - dt.timedelta(hours=1),
                              seen_at=timezone.now() - dt.timedelta(hours=1))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        assert jobs_worker.rescue_abandoned() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    testing.record_once_then_wait.call("k1", str(gate), str(notes))  # as if the dead worker had written it
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    from vanthu.audit.models import AuditEvent

    assert AuditEvent.objects.filter(verb="jobs.test.done", target_id="k1").count() == 1


def test_a_running_job_of_a_live_worker_is_left_alone(tmp_path):
    result = testing.always_fails.enqueue("x")
    DBTaskResult.objects.get(pk=result.id).claim("live-worker")
    WorkerBeat.objects.create(worker_id="live-worker", host="h", pid=1, engine="database",
                              started_at=timezone.now(), seen_at=timezone.now())
    assert jobs_worker.rescue_abandoned() == 0
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


def test_an_abandoned_job_on_its_last_attempt_is_failed_with_the_reason():
    result = testing.always_fails.enqueue("x")
    row = DBTaskResult.objects.get(pk=result.id)
    row.worker_ids = ["w1", "w2"]
    row.save(update_fields=["worker_ids"])
    row.claim("w3")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        jobs_worker.rescue_abandoned()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert "w3 stopped during the last attempt" in row.traceback


def test_a_periodic_job_runs_once_per_period_with_two_workers(monkeypatch):
    monkeypatch.setattr(registry, "_periodic", {})
    monkeypatch.setattr(registry, "_policies", dict(registry._policies))  # register() below must not leak
    registry.register(testing.always_fails, policy=registry.RetryPolicy(), every="week")
    one = jobs_worker.Beat(worker_id="w-one", engine="database")
    two = jobs_worker.Beat(worker_id="w-two", engine="database")
    with time_machine.travel(START, tick=False) as clock:
        one.tick()
        two.tick()
        clock.shift(dt.timedelta(days=3))  # same ISO week
        two.tick()
        one.tick()
        assert PeriodicRun.objects.count() == 1
        assert DBTaskResult.objects.count() == 1
        clock.shift(dt.timedelta(days=5))  # the next week
        two.tick()
        one.tick()
    assert sorted(PeriodicRun.objects.values_list("period", flat=True)) == ["2026-W50", "2026-W51"]
    assert DBTaskResult.objects.count() == 2
    assert set(WorkerBeat.objects.values_list("worker_id", flat=True)) == {"w-one", "w-two"}


def test_the_weekly_files_check_is_on_the_schedule():
    registry.autodiscover()
    assert ("vanthu.core.jobs.verify_stored_files", "week") in [(t.module_path, every)
                                                                 for t, every in registry.periodic_jobs()]


def test_a_beat_job_runs_once_per_beat_with_two_workers_and_its_old_claims_go(monkeypatch, settings):
    settings.JOBS_BEAT_SECONDS = 10
    monkeypatch.setattr(registry, "_periodic", {})
    monkeypatch.setattr(registry, "_policies", dict(registry._policies))  # register() below must not leak
    registry.register(testing.always_fails, policy=registry.RetryPolicy(), every="beat")
    one = jobs_worker.Beat(worker_id="w-one", engine="database")
    two = jobs_worker.Beat(worker_id="w-two", engine="database")
    with time_machine.travel(START, tick=False) as clock:
        one.tick()
        clock.shift(dt.timedelta(seconds=4))  # the same 10-second beat
        two.tick()
        assert DBTaskResult.objects.count() == 1
        clock.shift(dt.timedelta(seconds=7))  # the next one
        two.tick()
        one.tick()
        assert DBTaskResult.objects.count() == 2
        assert PeriodicRun.objects.count() == 2
        first, second = DBTaskResult.objects.order_by("enqueued_at")
        DBTaskResult.objects.filter(pk=first.pk).update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
        DBTaskResult.objects.filter(pk=second.pk).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
        clock.shift(registry.BEAT_KEEP + dt.timedelta(minutes=1))
        one.tick()
        assert PeriodicRun.objects.count() == 1  # the claims older than BEAT_KEEP are gone…
        assert set(DBTaskResult.objects.values_list("status", flat=True)) == {  # …with their successful results
            TaskResultStatus.FAILED, TaskResultStatus.READY}
    assert registry.period_key("beat", START + dt.timedelta(seconds=19)) == timezone.localtime(
        START + dt.timedelta(seconds=10)).strftime("%Y-%m-%dT%H:%M:%S")


def test_the_reads_of_link_downloads_are_recorded_at_every_beat():
    registry.autodiscover()
    assert ("vanthu.documents.jobs.record_link_reads", "beat") in [(t.module_path, every)
                                                                   for t, every in registry.periodic_jobs()]


def test_a_periodic_job_with_a_false_condition_is_not_enqueued_until_it_is_true(monkeypatch, settings):
    settings.JOBS_BEAT_SECONDS = 10
    monkeypatch.setattr(registry, "_periodic", {})
    monkeypatch.setattr(registry, "_policies", dict(registry._policies))  # register() below must not leak
    monkeypatch.setattr(registry, "_conditions", {})
    switch = {"on": False}
    registry.register(testing.always_fails, policy=registry.RetryPolicy(), every="beat", when=lambda: switch["on"])
    beat = jobs_worker.Beat(worker_id="w-one", engine="database")
    with time_machine.travel(START, tick=False) as clock:
        for _beat in range(3):
            beat.tick()
            clock.shift(dt.timedelta(seconds=10))
        assert not DBTaskResult.objects.exists()  # off: no job and no claim, beat after beat
        assert not PeriodicRun.objects.exists()
        switch["on"] = True
        beat.tick()
        assert DBTaskResult.objects.count() == 1
        assert PeriodicRun.objects.get().name == testing.always_fails.module_path


def test_a_condition_that_raises_skips_its_job_and_not_the_others(monkeypatch, caplog):
    monkeypatch.setattr(registry, "_periodic", {})
    monkeypatch.setattr(registry, "_policies", dict(registry._policies))
    monkeypatch.setattr(registry, "_conditions", {})

    def broken() -> bool:
        raise RuntimeError("condition broken")

    registry.register(testing.always_fails, policy=registry.RetryPolicy(), every="hour", when=broken)
    registry.register(testing.fails_then_succeeds, policy=registry.RetryPolicy(), every="hour")
    with caplog.at_level(logging.ERROR, logger="vanthu.jobs"):
        claimed = jobs_worker.claim_periodic(worker_id="w-one", now=START)
    assert claimed == [testing.fails_then_succeeds.module_path]
    assert "its condition failed" in caplog.text


def test_the_link_reads_job_is_enqueued_only_while_signed_links_are_on(monkeypatch, settings):
    from vanthu.documents import jobs as document_jobs

    registry.autodiscover()
    name = document_jobs.record_link_reads.module_path
    only = {name: registry._periodic[name]}
    monkeypatch.setattr(registry, "_periodic", only)  # the other periodic jobs are not this test's business
    settings.FILES_LINKS = False
    assert jobs_worker.claim_periodic(worker_id="w-one", now=START) == []
    assert not DBTaskResult.objects.exists()
    settings.FILES_LINKS = True
    assert jobs_worker.claim_periodic(worker_id="w-one", now=START) == [name]
    assert DBTaskResult.objects.get().task_path == name


def test_a_job_for_an_object_that_no_longer_exists_ends_quietly_with_a_log_line(caplog):
    from vanthu.documents.jobs import convert_draft_version, validate_stored_file

    convert_draft_version.enqueue(987654)
    validate_stored_file.enqueue("0" * 64)
    with caplog.at_level(logging.INFO, logger="vanthu.jobs"):
        run_worker()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert "draft version 987654 no longer exists" in caplog.text
    assert f"stored file {'0' * 64} no longer exists" in caplog.text


def test_an_enqueue_that_fails_after_commit_is_logged_and_the_write_stands(caplog, monkeypatch):
    from vanthu.audit import log
    from vanthu.audit.models import AuditEvent
    from vanthu.jobs.backends import DatabaseBackend

    def broken(*args, **kwargs):
        raise RuntimeError("queue table missing")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    with caplog.at_level(logging.ERROR), transaction.atomic():
        log.record(actor=None, verb="jobs.test.written")
        enqueue_on_commit(testing.noop, 1)
    assert "queue table missing" in caplog.text
    assert AuditEvent.objects.filter(verb="jobs.test.written").exists()
