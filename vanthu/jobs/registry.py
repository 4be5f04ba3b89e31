"""What vanthu knows about each job beyond django-tasks: its retry policy and, for periodic jobs, its period.

Filled by the `vanthu.jobs.job` decorator when an app's `jobs.py` is imported (`autodiscover()` imports them
all, as the worker does at start). A task made with plain `django_tasks.task` gets the default policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils import timezone

# "beat": every beat of the workers' schedule (JOBS_BEAT_SECONDS, 10 s by default), once per beat however many
# workers beat — for the work that must follow within seconds (the reads of the link downloads' log).
Period = Literal["beat", "hour", "day", "week"]
BEAT_KEEP = dt.timedelta(hours=1)  # the claims of "beat" jobs are removed after this (360 an hour by default)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # attempts in all (the first run and its retries)
    backoff: float = 30.0  # seconds before the second attempt; doubled before each next one

    def delay(self, attempts_made: int) -> float:
        """Seconds to wait after `attempts_made` failed attempts (1 → backoff, 2 → 2×backoff, …)."""
        return self.backoff * 2 ** (attempts_made - 1)


DEFAULT_POLICY = RetryPolicy()
_policies: dict[str, RetryPolicy] = {}
_periodic: dict[str, tuple[Any, Period]] = {}
_labels: dict[str, Any] = {}
_conditions: dict[str, Callable[[], bool]] = {}


def register(task: Any, *, policy: RetryPolicy, every: Period | None, label: Any = None,
             when: Callable[[], bool] | None = None) -> None:
    _policies[task.module_path] = policy
    if every is not None:
        _periodic[task.module_path] = (task, every)
        if when is not None:
            _conditions[task.module_path] = when
        else:
            _conditions.pop(task.module_path, None)
    if label is not None:
        _labels[task.module_path] = label


def label_for(task_path: str) -> str:
    """What the jobs page calls the job (its Vietnamese label, else its function name)."""
    label = _labels.get(task_path)
    return str(label) if label is not None else task_path.rsplit(".", 1)[-1]


def policy_for(task_path: str) -> RetryPolicy:
    return _policies.get(task_path, DEFAULT_POLICY)


def periodic_jobs() -> list[tuple[Any, Period]]:
    return list(_periodic.values())


def wanted(task_path: str) -> bool:
    """Whether the schedule enqueues the periodic job now: always, unless it was registered with a condition
    (`@job(every=..., when=...)`) that is false now (signed links off: no log of link downloads to read)."""
    condition = _conditions.get(task_path)
    return condition is None or bool(condition())


def period_key(every: Period, at: dt.datetime | None = None) -> str:
    """The period `at` (local time) falls in: one run of a periodic job per key."""
    local = timezone.localtime(at or timezone.now())
    if every == "beat":
        from django.conf import settings

        step = max(1, int(settings.JOBS_BEAT_SECONDS))
        start = int(local.timestamp()) // step * step
        return timezone.localtime(dt.datetime.fromtimestamp(start, tz=dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    if every == "hour":
        return local.strftime("%Y-%m-%dT%H")
    if every == "day":
        return local.date().isoformat()
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def autodiscover() -> None:
    """Import every installed app's `jobs` module, so that their jobs and schedules are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
