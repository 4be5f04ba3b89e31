"""What the jobs page and /healthz show, read the same way from either engine.

`overview()` lists queued (waiting now or until a retry's time), running and failed jobs, the age of the oldest
one waiting now (the queue's lag), the workers seen lately and the jobs parked while Redis was down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from vanthu.jobs import registry
from vanthu.jobs.backends import BROKER_DOWN, on_redis
from vanthu.jobs.models import ParkedJob, WorkerBeat

LIMIT = 200  # rows per list on the page


@dataclass
class JobRow:
    id: str
    name: str  # the job's function name
    path: str
    state: str  # "waiting", "retry" (waiting for its next attempt), "running", "failed"
    args: list[Any]
    enqueued_at: dt.datetime | None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    run_after: dt.datetime | None = None
    attempts: int = 0
    error: str = ""  # the last line of the last traceback (exception class and message)
    traceback: str = ""

    @property
    def label(self) -> str:
        return registry.label_for(self.path)


@dataclass
class Overview:
    engine: str  # "database" or "redis"
    reachable: bool = True
    waiting: list[JobRow] = field(default_factory=list)
    running: list[JobRow] = field(default_factory=list)
    failed: list[JobRow] = field(default_factory=list)
    waiting_count: int = 0
    failed_count: int = 0
    oldest_waiting_since: dt.datetime | None = None
    workers: list[WorkerBeat] = field(default_factory=list)
    parked: int = 0
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def lag_seconds(self) -> float:
        if self.oldest_waiting_since is None:
            return 0.0
        return max(0.0, (self.now - self.oldest_waiting_since).total_seconds())


def _last_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def live_workers(now: dt.datetime) -> list[WorkerBeat]:
    since = now - dt.timedelta(seconds=settings.JOBS_WORKER_LEASE)
    return list(WorkerBeat.objects.filter(seen_at__gte=since).order_by("started_at"))


def overview(*, limit: int = LIMIT) -> Overview:
    now = timezone.now()
    result = _rq_overview(now, limit) if on_redis() else _db_overview(now, limit)
    result.workers = live_workers(now)
    result.parked = ParkedJob.objects.count()
    if result.parked:
        oldest_parked = ParkedJob.objects.order_by("parked_at").values_list("parked_at", flat=True).first()
        if oldest_parked and (result.oldest_waiting_since is None or oldest_parked < result.oldest_waiting_since):
            result.oldest_waiting_since = oldest_parked
    return result


# --- database engine ----------------------------------------------------------------------------------------

def _db_row(row: Any, now: dt.datetime) -> JobRow:
    from django_tasks_db.models import get_date_max

    run_after = None if row.run_after == get_date_max() else row.run_after
    state = {TaskResultStatus.RUNNING: "running", TaskResultStatus.FAILED: "failed"}.get(row.status, "waiting")
    if state == "waiting" and run_after is not None and run_after > now and row.traceback:
        state = "retry"
    return JobRow(
        id=str(row.id), name=row.task_path.rsplit(".", 1)[-1], path=row.task_path, state=state,
        args=list(row.args_kwargs.get("args", [])), enqueued_at=row.enqueued_at, started_at=row.started_at,
        finished_at=row.finished_at, run_after=run_after, attempts=len(row.worker_ids),
        error=_last_line(row.traceback), traceback=row.traceback,
    )


def _db_overview(now: dt.datetime, limit: int) -> Overview:
    from django_tasks_db.models import DBTaskResult, get_date_max

    result = Overview(engine="database", now=now)
    rows = DBTaskResult.objects.filter(backend_name="default")
    waiting = rows.filter(status=TaskResultStatus.READY)
    result.waiting = [_db_row(r, now) for r in waiting.order_by("run_after", "enqueued_at")[:limit]]
    result.running = [_db_row(r, now) for r in rows.running().order_by("started_at")[:limit]]
    failed = rows.failed()
    result.failed = [_db_row(r, now) for r in failed.order_by("-finished_at")[:limit]]
    result.waiting_count = waiting.count()
    result.failed_count = failed.count()
    # Waiting now: enqueued without a time (since enqueued_at), or whose retry time has come (since run_after).
    first_plain = waiting.filter(run_after=get_date_max()).order_by("enqueued_at").values_list("enqueued_at",
                                                                                                  flat=True).first()
    first_due = waiting.filter(run_after__lte=now).order_by("run_after").values_list("run_after", flat=True).first()
    candidates = [t for t in (first_plain, first_due) if t is not None]
    result.oldest_waiting_since = min(candidates) if candidates else None
    return result


# --- RQ engine ----------------------------------------------------------------------------------------------

def _rq_row(job: Any, state: str) -> JobRow:
    traceback = ""
    latest = job.latest_result() if state in ("failed", "retry") else None
    if latest is not None and latest.exc_string:
        traceback = latest.exc_string
    failures = int(job.meta.get("vanthu_failures", 0))  # backends.on_failure
    return JobRow(
        id=job.id, name=job.func_name.rsplit(".", 1)[-1], path=job.func_name, state=state, args=list(job.args),
        enqueued_at=job.enqueued_at, started_at=job.started_at, finished_at=job.ended_at,
        attempts=max(failures, len(job.results())),
        error=_last_line(traceback) or job.meta.get("vanthu_last_error", ""), traceback=traceback,
    )


def _rq_overview(now: dt.datetime, limit: int) -> Overview:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    result = Overview(engine="redis", now=now)
    try:
        queue = django_rq.get_queue("default", job_class=Job)
        queued = [j for j in Job.fetch_many(queue.get_job_ids(0, limit - 1), connection=queue.connection) if j]
        scheduled_ids = ScheduledJobRegistry(queue=queue).get_job_ids(0, limit - 1)
        scheduled = [j for j in Job.fetch_many(scheduled_ids, connection=queue.connection) if j]
        started = StartedJobRegistry(queue=queue)
        running_ids = [i.split(":", 1)[0] for i in started.get_job_ids(0, limit - 1)]
        running = [j for j in Job.fetch_many(running_ids, connection=queue.connection) if j]
        failed_registry = FailedJobRegistry(queue=queue)
        failed = [j for j in Job.fetch_many(failed_registry.get_job_ids(0, limit - 1),
                                            connection=queue.connection) if j]
        result.waiting = [_rq_row(j, "waiting") for j in queued] + [_rq_row(j, "retry") for j in scheduled]
        result.running = [_rq_row(j, "running") for j in running]
        result.failed = [_rq_row(j, "failed") for j in failed]
        result.waiting_count = queue.count + len(scheduled_ids)
        result.failed_count = failed_registry.count
        enqueued = [j.enqueued_at for j in queued if j.enqueued_at is not None]
        if enqueued:
            oldest = min(enqueued)
            result.oldest_waiting_since = oldest if timezone.is_aware(oldest) else oldest.replace(tzinfo=dt.UTC)
    except BROKER_DOWN:
        result.reachable = False
    return result


def database_ok() -> bool:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False

