"""Work after the click: jobs on Django's tasks interface (django-tasks, the backport of Django 6.0's
`django.tasks`), on the database backend by default and on RQ over Redis when `VANTHU_JOBS_URL` names one.

The rules every job follows (see docs/architecture.md): it takes ids, re-reads, calls an action; it is
enqueued on commit (`enqueue_on_commit`), never inside the transaction; running it twice has the effect of
running it once. Like audit, this app is called by every app and imports none of them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(job: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `job` (a django-tasks Task) with `args` once the current transaction commits; at once outside
    a transaction. A rolled-back transaction enqueues nothing."""
    transaction.on_commit(lambda: job.enqueue(*args, **kwargs))
