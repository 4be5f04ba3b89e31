"""Work after the click: jobs on Django's tasks interface (django-tasks, the backport of Django 6.0's
`django.tasks`), on the database backend by default and on RQ over Redis when `VANTHU_JOBS_URL` names one.

The rules every job follows (see docs/architecture.md, "Jobs"): it takes ids, re-reads, calls an action; it is
enqueued on commit (`enqueue_on_commit`), never inside the transaction; running it twice has the effect of
running it once; an object that no longer exists ends it quietly (`gone`). A failure is retried with exponential
backoff up to the job's limit (`@job(attempts=…, backoff=…)`), then the job stays "failed" with its error, for an
administrator to retry on the jobs page. Like audit, this app is called by every app and imports none of them
(its admin page reads org's roles, as every admin page does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, overload

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task as _task
from django_tasks.base import Task

from vanthu.jobs.registry import Period, RetryPolicy, register

log = logging.getLogger("vanthu.jobs")
F = TypeVar("F", bound=Callable[..., Any])
_worker_id = ""  # set by `vanthu worker` (vanthu.jobs.worker.run); RQ's forked work-horses inherit it


def running_worker() -> str:
    """The id (`vanthu worker --worker-id`) of the worker process running the current job, for the jobs that
    name it in their trail (which machine converted a draft); "" outside a worker (a test's immediate run)."""
    return _worker_id


def name_worker(worker_id: str) -> None:
    global _worker_id  # one value per process, set once when the worker starts
    _worker_id = worker_id


def enqueue_on_commit(job: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `job` with `args` once the current transaction commits; at once outside a transaction. A
    rolled-back transaction enqueues nothing. When Redis is down the job is parked in the database and handed
    over later (vanthu.jobs.backends.RQBackend): the request never fails because of it.

    `job` is a django-tasks Task, or its dotted name ("vanthu.documents.jobs.convert_draft_version"): an
    action names the job it schedules, because the job module imports the action it calls (one way only)."""
    # robust: whatever else goes wrong while enqueueing is logged, never turned into an error page after the
    # person's write has been committed.
    transaction.on_commit(lambda: resolve(job).enqueue(*args, **kwargs), robust=True)


def resolve(job: Any) -> Any:
    """The Task itself, or the Task a dotted name points at (its module is imported on first use)."""
    if isinstance(job, str):
        return import_string(job)
    return job


@overload
def job(function: F, /) -> Task[Any, Any]: ...
@overload
def job(
    *, attempts: int = ..., backoff: float = ..., every: Period | None = ..., label: Any = ...,
    when: Callable[[], bool] | None = ...,
) -> Callable[[F], Task[Any, Any]]: ...


def job(
    function: Callable[..., Any] | None = None,
    /,
    *,
    attempts: int = RetryPolicy.attempts,
    backoff: float = RetryPolicy.backoff,
    every: Period | None = None,
    label: Any = None,
    when: Callable[[], bool] | None = None,
) -> Task[Any, Any] | Callable[[Callable[..., Any]], Task[Any, Any]]:
    """`django_tasks.task` with vanthu's retry policy: `attempts` in all, waiting `backoff` seconds before the
    second and doubling each time. `every="hour"|"day"|"week"` also runs it once per period from the schedule
    of `vanthu worker` (it then takes no arguments); `every="beat"` once per beat of that schedule
    (`JOBS_BEAT_SECONDS`), for work that must follow within seconds. `label` (a lazy translation) names it on
    the jobs page. `when` (a periodic job only: a function of no arguments, read on each round of the schedule)
    keeps the schedule from enqueueing the job while it answers False — a job for a feature that is off costs
    nothing, not one row a beat."""

    def wrap(fn: Callable[..., Any]) -> Task[Any, Any]:
        made: Task[Any, Any] = _task(fn)
        register(made, policy=RetryPolicy(attempts=attempts, backoff=backoff), every=every, label=label,
                 when=when)
        return made

    if function is not None:
        return wrap(function)
    return wrap


def gone(job_name: str, what: str, pk: object) -> None:
    """Log that the object a job was about has gone (deleted since): the job ends quietly, without retrying."""
    log.info("job %s: %s %s no longer exists; nothing to do", job_name, what, pk)
