"""The check after issuance in `vanthu bench issuing`'s throughput run: in production every issuance enqueues
`documents.jobs.validate_stored_file` for its sealed file (both designs do), and a job worker on the same cores
runs it. The run stands in for those workers with `--checkers` processes (one thread each) that check the files
of the documents as they are issued — in both modes alike, so that the outbox and the in-transaction baseline pay
the same background work — until the clerks are done and every issued document's file is checked."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connections


def check_until(stop: Callable[[], bool], *, document_ids: list[int], slot: int = 0, slots: int = 1) -> int:
    """Check the issued file of each of `document_ids` in this slot (id modulo `slots`) once it is issued, as the
    job would (`validate_stored_file`: the signatures checked, the verdict stored), polling until `stop()` and
    nothing issued is left unchecked. Returns how many files were checked."""
    from vanthu.documents.jobs import validate_stored_file
    from vanthu.documents.models import Document

    mine = [pk for pk in document_ids if pk % slots == slot]
    done: set[int] = set()
    idle = 0.01
    while True:
        finished = stop()
        issued = list(
            Document.objects.filter(pk__in=[pk for pk in mine if pk not in done], status="issued")
            .order_by("pk")
            .values_list("pk", "current_file_id")
        )
        for pk, sha256 in issued:
            validate_stored_file.call(sha256)
            done.add(pk)
        if issued:
            idle = 0.01
        elif finished:
            return len(done)
        else:  # polling less while nothing waits
            time.sleep(idle)
            idle = min(idle * 2, 0.2)


def _backend_cpu() -> float:
    from vanthu.core.measure import backend_cpu

    value = backend_cpu()
    return float("nan") if value is None else value


def checker_main(document_ids: list[int], slot: int, slots: int, stop: Any, queue: Any) -> None:
    """One checker process: (CPU seconds of the process, of its PostgreSQL backend, files checked, when done)."""
    connections.close_all()
    began, backend_began = time.process_time(), _backend_cpu()
    try:
        checked = check_until(stop.is_set, document_ids=document_ids, slot=slot, slots=slots)
        queue.put((time.process_time() - began, _backend_cpu() - backend_began, checked, time.perf_counter()))
    finally:
        connections.close_all()
