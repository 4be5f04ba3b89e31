"""`vanthu worker`: runs jobs (the database engine's loop or an RQ worker) and, beside them, the beat.

The beat (a thread, every `JOBS_BEAT_SECONDS`):
- says this worker is alive (`WorkerBeat`);
- database engine: puts back a job left RUNNING by a worker that stopped beating (killed, machine lost) —
  as READY while it has attempts left, else FAILED with the reason (RQ does the same with its own heartbeats);
- claims and enqueues the periodic jobs of the current period (`PeriodicRun`, unique per job and period);
- RQ engine: hands the jobs parked while Redis was down to Redis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path
from django_tasks_db.management.commands.db_worker import Worker as DbWorker
from django_tasks_db.models import DBTaskResult, get_date_max

from vanthu.jobs import name_worker, registry
from vanthu.jobs.models import PeriodicRun, WorkerBeat

log = logging.getLogger("vanthu.jobs")


class RetryingDbWorker(DbWorker):
    """django_tasks_db's worker, with vanthu's retry policy: a failed attempt goes back to READY after an
    exponential backoff, keeping its error, until the job's attempts are spent; then it is FAILED."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            return_value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=type(task.get_backend()), task_result=db_task_result.task_result)
        except (KeyboardInterrupt, SystemExit):
            # The worker was told to stop in the middle: the job runs again on the next worker.
            put_back(db_task_result, reason="worker stopped")
            raise
        except Exception as exc:
            after_failure(db_task_result, exc)
        finally:
            self.running_task = False
            self._run_tasks += 1


def after_failure(row: DBTaskResult, exc: BaseException) -> None:
    policy = registry.policy_for(row.task_path)
    attempts = len(row.worker_ids)
    if attempts < policy.attempts:
        delay = policy.delay(attempts)
        row.status = TaskResultStatus.READY
        row.run_after = timezone.now() + dt.timedelta(seconds=delay)
        row.exception_class_path = get_module_path(type(exc))
        row.traceback = get_exception_traceback(exc)
        row.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
        log.warning("job %s (%s) failed on attempt %d of %d; next attempt in %.0f s: %s", row.task_path, row.id,
                    attempts, policy.attempts, delay, exc)
        return
    row.set_failed(exc)
    log.error("job %s (%s) failed after %d attempts: %s", row.task_path, row.id, attempts, exc)
    with contextlib.suppress(ImportError):
        task_finished.send(sender=type(row.task.get_backend()), task_result=row.task_result)


def put_back(row: DBTaskResult, *, reason: str) -> None:
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, run_after=get_date_max()
    )
    log.warning("job %s (%s) put back in the queue: %s", row.task_path, row.pk, reason)


class QuickPubsub:
    """RQ 3.0 polls its command channel every 60 s and, with redis-py 8, waits for that poll when the worker
    stops: a worker took up to a minute to quit. Poll every second instead."""

    def subscribe(self: Any) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=1, daemon=True,
                                                       exception_handler=self._pubsub_exception_handler)

    def fork_work_horse(self: Any, job: Any, queue: Any) -> Any:
        """The work-horse opens its own database connection rather than sharing the parent's socket."""
        from django.db import connections

        connections.close_all()
        return super().fork_work_horse(job, queue)  # type: ignore[misc]


def rq_worker_class(*, fork: bool = True) -> type[Any]:
    """RQ's worker (a forked work-horse per job), or its SimpleWorker (in process), with `QuickPubsub`."""
    import rq

    base = rq.Worker if fork else rq.SimpleWorker
    return type(f"Vanthu{base.__name__}", (QuickPubsub, base), {})


class AbandonedJob(Exception):
    """The worker running the job stopped beating (killed or lost) before the job finished."""


def rescue_abandoned(*, now: dt.datetime | None = None) -> int:
    """Put back the jobs RUNNING on a worker not seen for `JOBS_WORKER_LEASE` seconds. Returns how many."""
    now = now or timezone.now()
    alive = set(
        WorkerBeat.objects.filter(seen_at__gte=now - dt.timedelta(seconds=settings.JOBS_WORKER_LEASE))
        .values_list("worker_id", flat=True)
    )
    rescued = 0
    with transaction.atomic():
        for row in DBTaskResult.objects.running().select_for_update(skip_locked=True).order_by("started_at"):
            last = row.worker_ids[-1] if row.worker_ids else ""
            if last in alive:
                continue
            started = row.started_at or row.enqueued_at
            if now - started < dt.timedelta(seconds=settings.JOBS_WORKER_LEASE):
                continue  # just claimed by a worker whose first beat is not written yet
            rescued += 1
            policy = registry.policy_for(row.task_path)
            if len(row.worker_ids) < policy.attempts:
                row.status = TaskResultStatus.READY
                row.run_after = get_date_max()
                row.save(update_fields=["status", "run_after"])
                log.warning("job %s (%s) was running on worker %s, which stopped: it runs again", row.task_path,
                            row.pk, last)
            else:
                row.set_failed(AbandonedJob(f"worker {last} stopped during the last attempt"))
                log.error("job %s (%s) failed: its worker %s stopped during the last attempt", row.task_path,
                          row.pk, last)
    return rescued


def claim_periodic(*, worker_id: str, now: dt.datetime | None = None) -> list[str]:
    """Enqueue each periodic job not yet claimed for the current period. Returns the claimed names."""
    claimed: list[str] = []
    for task, every in registry.periodic_jobs():
        if not _wanted(task.module_path):
            continue
        period = registry.period_key(every, now)
        if PeriodicRun.objects.filter(name=task.module_path, period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=task.module_path, period=period, claimed_by=worker_id)
        except IntegrityError:
            continue  # another worker claimed this period first
        result = task.enqueue()
        PeriodicRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
        log.info("periodic job %s enqueued for %s", task.module_path, period)
        claimed.append(task.module_path)
        if every == "beat":
            forget_beats(task.module_path, before=(now or timezone.now()) - registry.BEAT_KEEP)
    return claimed


def _wanted(name: str) -> bool:
    """The job's condition (`@job(when=...)`); one that raises skips the job this round, logged, and the other
    periodic jobs are still enqueued."""
    try:
        return registry.wanted(name)
    except Exception:
        log.exception("periodic job %s: its condition failed; not enqueued this round", name)
        return False


def forget_beats(name: str, *, before: dt.datetime) -> None:
    """A claim a beat (8,640 a day at 10 s): the claims older than `before` go, with their jobs' results when
    they succeeded (database engine; found by the claim's task id, the primary key). A failed one stays for the
    jobs page. The unique claim only matters during its own beat."""
    stale = PeriodicRun.objects.filter(name=name, claimed_at__lt=before)
    ids = []
    for task_id in stale.values_list("task_id", flat=True):
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(task_id))
    if ids:
        DBTaskResult.objects.filter(pk__in=ids, status=TaskResultStatus.SUCCESSFUL).delete()
    stale.delete()


class Beat:
    """One worker's beat. `tick()` does one round; `start()` runs it in a daemon thread."""

    def __init__(self, *, worker_id: str, engine: str, periodic: bool = True) -> None:
        self.worker_id = worker_id
        self.engine = engine
        self.periodic = periodic
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def tick(self) -> None:
        now = timezone.now()
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": socket.gethostname()[:200], "pid": os.getpid(), "engine": self.engine,
                      "started_at": self.started_at, "seen_at": now},
        )
        if self.engine == "database":
            rescue_abandoned(now=now)
        else:
            from vanthu.jobs.backends import hand_over_parked

            hand_over_parked()
        if self.periodic:
            claim_periodic(worker_id=self.worker_id, now=now)
        WorkerBeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                self.tick()
            except Exception:
                log.exception("jobs beat: round failed; trying again")
            self.stopping.wait(settings.JOBS_BEAT_SECONDS)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="vanthu-jobs-beat", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
        WorkerBeat.objects.filter(worker_id=self.worker_id).delete()


def engine_name() -> str:
    from vanthu.jobs.backends import on_redis

    return "redis" if on_redis() else "database"


def run(*, worker_id: str, interval: float = 1.0, batch: bool = False, periodic: bool = True) -> None:
    """Run jobs until stopped (or, with `batch`, until the queue is empty). `periodic=False`: without the
    periodic schedule (tests)."""
    registry.autodiscover()
    name_worker(worker_id)
    engine = engine_name()
    beat = Beat(worker_id=worker_id, engine=engine, periodic=periodic)
    if batch:
        beat.tick()
    else:
        beat.start()
    log.info("vanthu worker %s started (%s engine)", worker_id, engine)
    try:
        if engine == "database":
            worker = RetryingDbWorker(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                                      startup_delay=not batch, max_tasks=None, worker_id=worker_id)
            if not batch:
                worker.configure_signals()
            worker.run()
        else:
            import django_rq
            from django_tasks_rq.backend import Job

            rq_worker = django_rq.get_worker("default", job_class=Job, name=worker_id, worker_class=rq_worker_class())
            rq_worker.work(with_scheduler=True, burst=batch)
    finally:
        beat.stop()
