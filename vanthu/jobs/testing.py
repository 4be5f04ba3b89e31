"""Jobs for the engine's own tests (like vanthu.signing.testing): never enqueued by vanthu itself, and not in
any app's `jobs` module, so no worker schedules them."""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction

from vanthu.jobs import job


@job(attempts=3, backoff=10)
def always_fails(note: str) -> None:
    raise RuntimeError(f"hỏng: {note}")


@job(attempts=3, backoff=10)
def fails_then_succeeds(counter: str, failures: int) -> int:
    """Counts its attempts in the file `counter`; fails the first `failures` of them."""
    path = Path(counter)
    attempt = int(path.read_text() or "0") + 1 if path.exists() else 1
    path.write_text(str(attempt))
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} fails")
    return attempt


@job(attempts=3, backoff=1)
def record_once_then_wait(key: str, gate: str, attempts_log: str) -> str:
    """The kill -9 test's job. Notes each attempt in `attempts_log`; writes its result (an audit event for
    `key`) unless it exists — the idempotence every job has —, then waits until the file `gate` exists."""
    from vanthu.audit import log
    from vanthu.audit.models import AuditEvent

    with Path(attempts_log).open("a") as notes:
        notes.write("attempt\n")
    with transaction.atomic():
        if not AuditEvent.objects.filter(verb="jobs.test.done", target_id=key).exists():
            log.record(actor=None, verb="jobs.test.done", target=("jobs.test", key))
    while not Path(gate).exists():
        time.sleep(0.05)
    return key
