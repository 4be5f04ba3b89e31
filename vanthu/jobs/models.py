"""The engine's own bookkeeping, next to the task rows of the engine itself (django_tasks_db or RQ).

- `WorkerBeat`: each `vanthu worker` says it is alive every few seconds; a running job whose worker has not
  been seen for `JOBS_WORKER_LEASE` seconds was killed with its worker and is put back in the queue.
- `PeriodicRun`: one row per (periodic job, period) claimed under a unique constraint, so a periodic job runs
  once per period however many workers run the schedule.
- `ParkedJob`: a job that could not be handed to Redis (down): kept in the database and handed over by a
  worker when Redis answers again. The request that enqueued it does not fail.
"""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    engine = models.CharField(max_length=20)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.host}:{self.pid}"


class PeriodicRun(models.Model):
    name = models.CharField(max_length=200)  # the job's module path
    period = models.CharField(max_length=40)  # "2026-W49", "2026-12-05", "2026-12-05T14"
    claimed_by = models.CharField(max_length=64)
    claimed_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="jobs_periodic_once_per_period")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class ParkedJob(models.Model):
    task_path = models.CharField(max_length=200)
    args_kwargs = models.JSONField()
    parked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    error = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.task_path} (parked {self.parked_at:%Y-%m-%d %H:%M})"
