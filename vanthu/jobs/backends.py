"""The two engines behind `TASKS["default"]`, with vanthu's retry policy (and the immediate one of the tests).

- `DatabaseBackend`: django_tasks_db as is; retries are done by vanthu's worker (`vanthu.jobs.worker`), which
  puts a failed attempt back as READY with `run_after` = now + backoff, keeping the error.
- `RQBackend`: django_tasks_rq with RQ's own `Retry(max, intervals)` on each job; and when Redis cannot be
  reached the job is parked in the database (`ParkedJob`) instead of failing the request that enqueued it.
"""

from __future__ import annotations

import logging
from typing import Any

import django_rq
import redis.exceptions
from django_tasks.backends.immediate import ImmediateBackend as _ImmediateBackend
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id, normalize_json
from django_tasks_db.backend import DatabaseBackend as _DatabaseBackend
from django_tasks_rq.backend import Job, failed_callback, success_callback
from django_tasks_rq.backend import RQBackend as _RQBackend
from rq import Callback, Retry
from rq.job import JobStatus

from vanthu.jobs.registry import policy_for

log = logging.getLogger("vanthu.jobs")
BROKER_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ImmediateBackend(_ImmediateBackend):
    """Runs the job at once, in the process that enqueues it (tests: on commit)."""


class DatabaseBackend(_DatabaseBackend):
    """Jobs are rows of django_tasks_db's table; `vanthu worker` claims them with SELECT … FOR UPDATE SKIP
    LOCKED (PostgreSQL) or an exclusive transaction (SQLite)."""


def _retry_for(task_path: str) -> Retry | None:
    policy = policy_for(task_path)
    if policy.attempts <= 1:
        return None
    intervals = [round(policy.delay(n)) for n in range(1, policy.attempts)]
    return Retry(max=policy.attempts - 1, interval=intervals)


class RQBackend(_RQBackend):
    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        self.validate_task(task)
        try:
            return self._enqueue_on_redis(task, args, kwargs)
        except BROKER_DOWN as exc:
            return self.park(task, args, kwargs, exc)

    def _enqueue_on_redis(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        """django_tasks_rq's enqueue, with the job's retry policy given to RQ."""
        result: TaskResult[Any] = self._result(task, args, kwargs, get_random_id())
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path, args=args, kwargs=kwargs, job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback), on_success=Callback(success_callback),
            meta={"backend_name": self.alias}, retry=_retry_for(task.module_path),
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result

    def park(self, task: Task[Any, Any], args: Any, kwargs: Any, exc: Exception) -> TaskResult[Any]:
        """Redis is down: keep the job in the database; a worker hands it over when Redis answers."""
        from vanthu.jobs.models import ParkedJob

        parked = ParkedJob.objects.create(
            task_path=task.module_path, args_kwargs=normalize_json({"args": list(args), "kwargs": kwargs}),
            error=type(exc).__name__,
        )
        log.warning("job %s parked in the database (#%s): Redis cannot be reached (%s)", task.module_path,
                    parked.pk, type(exc).__name__)
        return self._result(task, args, kwargs, f"parked-{parked.pk}")

    def _result(self, task: Task[Any, Any], args: Any, kwargs: Any, result_id: str) -> TaskResult[Any]:
        return TaskResult(
            task=task, id=result_id, status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            last_attempted_at=None, finished_at=None, args=list(args), kwargs=kwargs, backend=self.alias,
            errors=[], worker_ids=[],
        )


def current_backend() -> Any:
    from django_tasks import task_backends

    return task_backends["default"]


def on_redis() -> bool:
    """Whether jobs go to RQ over Redis (else the database backend, or the immediate one in tests)."""
    return isinstance(current_backend(), RQBackend)


def hand_over_parked(*, limit: int = 500) -> int:
    """Give parked jobs to Redis, oldest first; stop at the first failure (Redis still down). Returns how many
    were handed over. Each row is deleted in the transaction that hands it over, locked so that two workers
    never hand the same one twice."""
    from django.db import transaction
    from django.utils.module_loading import import_string

    from vanthu.jobs.models import ParkedJob

    backend = current_backend()
    if not isinstance(backend, RQBackend):
        return 0
    handed = 0
    for pk in list(ParkedJob.objects.order_by("parked_at", "pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = ParkedJob.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            task = import_string(row.task_path)
            try:
                backend._enqueue_on_redis(task, row.args_kwargs["args"], row.args_kwargs["kwargs"])
            except BROKER_DOWN:
                return handed
            row.delete()
            handed += 1
    if handed:
        log.info("%d parked job(s) handed to Redis", handed)
    return handed
