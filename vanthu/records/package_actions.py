"""Asking for a record's package from its page: the export itself is slow (every PDF validated, the seal, the
TSA) so it is the job `package_jobs.export_package`; this action checks the right, audits the request and
schedules the job on commit. The page then waits for the outcome by the request's token (the export's audit
event carries it, with the stored file)."""

from __future__ import annotations

import uuid

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.jobs import enqueue_on_commit
from vanthu.org.models import Person
from vanthu.records.exporting import export_problem
from vanthu.records.models import Record

JOB = "vanthu.records.package_jobs.export_package"


@action("records.record.export_requested")
def request_package(*, record: Record, acting: Person) -> str:
    """The token of the export now scheduled (ActionRefused: who may not, or a document hidden from them)."""
    problem = export_problem(acting, record)
    if problem is not None:
        raise ActionRefused(problem[0], code=problem[1], target=record)
    token = uuid.uuid4().hex
    log.record(actor=acting, verb="records.record.export_requested", target=record, unit=record.unit,
               data={"token": token})
    enqueue_on_commit(JOB, record.pk, acting.pk, token)
    return token
