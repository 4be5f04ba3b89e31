"""Printing a large register in a job: asked for by a clerk, finished by the job."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.jobs import enqueue_on_commit
from vanthu.org.models import Person, Unit
from vanthu.reports.models import PrintState, RegisterPrint
from vanthu.reports.registers import RegisterPrintout


@action("reports.register.print_requested")
def request_register_print(*, printout: RegisterPrintout, fmt: str, acting: Person) -> RegisterPrint:
    """`printout` comes from `registers.access_register`, which has checked that `acting` may print it."""
    job = RegisterPrint.objects.create(
        person=acting, unit=printout.unit, kind=printout.kind, series=printout.series, start=printout.start,
        end=printout.end, format=fmt, total=printout.count,
    )
    log.record(actor=acting, verb="reports.register.print_requested", target=printout.unit, unit=printout.unit,
               data={"print": str(job.pk), "kind": printout.kind, "rows": printout.count, "format": fmt})
    enqueue_on_commit("vanthu.reports.jobs.build_register_print", str(job.pk))
    return job


@action("reports.register.print_finished")
def finish_register_print(*, job: RegisterPrint, acting: Person, content: bytes, name: str,
                          ascii_name: str) -> RegisterPrint:
    """Keep the printed file with the job (once: a second run finds it done and changes nothing)."""
    job = RegisterPrint.objects.select_for_update().get(pk=job.pk)
    if job.state == PrintState.DONE:
        return job
    content_type = "application/pdf" if job.format == "pdf" else "application/octet-stream"
    job.file = files.store_bytes(content, content_type=content_type)
    job.file_name, job.ascii_name = name[:200], ascii_name[:200]
    job.state, job.error, job.done_rows, job.finished_at = PrintState.DONE, "", job.total, timezone.now()
    job.save()
    return job


@action("reports.report.print_requested")
def request_report_print(*, kind: str, unit: Unit, start: dt.date, end: dt.date, fmt: str, total: int,
                         acting: Person) -> RegisterPrint:
    """A large handling report or follow-up register, printed by the register print job (the caller has
    checked that `acting` may print the unit's registers)."""
    job = RegisterPrint.objects.create(person=acting, unit=unit, kind=kind, series="", start=start, end=end,
                                       format=fmt, total=total)
    log.record(actor=acting, verb="reports.report.print_requested", target=unit, unit=unit,
               data={"print": str(job.pk), "kind": kind, "rows": total, "format": fmt})
    enqueue_on_commit("vanthu.reports.jobs.build_register_print", str(job.pk))
    return job
