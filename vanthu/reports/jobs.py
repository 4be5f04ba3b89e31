"""Reports' work after the click: a register of more than `REPORTS_ASYNC_ROWS` rows is printed by a job."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from vanthu.jobs import gone, job

PROGRESS_EVERY = 100  # rows between two progress updates


def _counted(rows: Iterable[Any], *, print_id: str) -> Iterator[Any]:
    from vanthu.reports.models import RegisterPrint

    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            RegisterPrint.objects.filter(pk=print_id).update(done_rows=done)


@job(attempts=3, backoff=30, label=_("In sổ đăng ký lớn"))
def build_register_print(print_id: str) -> str:
    """Re-reads the request, checks again that its person may print the register, renders it (updating the
    progress the page shows) and keeps the file with the request through `finish_register_print`."""
    from django.http import Http404

    from vanthu.reports import actions, handling, registers
    from vanthu.reports.models import PrintState, RegisterPrint
    from vanthu.reports.views import produce

    asked = RegisterPrint.objects.select_related("person", "unit").filter(pk=print_id).first()
    if asked is None:
        gone("build_register_print", "register print", print_id)
        return "gone"
    if asked.state == PrintState.DONE:
        return "done already"
    RegisterPrint.objects.filter(pk=asked.pk).update(state=PrintState.RUNNING, done_rows=0)
    if asked.kind in handling.KINDS:  # a handling report or the follow-up register (checklist 29, 31)
        return _build_report(asked)
    try:
        printout = registers.access_register(asked.person, unit_id=asked.unit_id, kind=asked.kind,
                                             series=asked.series, start=asked.start, end=asked.end)
    except Http404:
        RegisterPrint.objects.filter(pk=asked.pk).update(state=PrintState.FAILED, error="forbidden")
        return "forbidden"
    try:
        content, name, ascii_name = produce(printout, fmt=asked.format, printed_by=asked.person, via="job",
                                            rows=_counted(registers.rows(printout), print_id=str(asked.pk)))
    except Exception as exc:
        RegisterPrint.objects.filter(pk=asked.pk).update(state=PrintState.FAILED, error=str(exc)[:500])
        raise
    actions.finish_register_print(job=asked, acting=asked.person, content=content, name=name, ascii_name=ascii_name)
    return "printed"


def _build_report(asked: Any) -> str:
    from vanthu.documents.access import can_print_register
    from vanthu.reports import actions
    from vanthu.reports.handling_views import produce
    from vanthu.reports.models import PrintState, RegisterPrint

    if not can_print_register(asked.person, asked.unit):
        RegisterPrint.objects.filter(pk=asked.pk).update(state=PrintState.FAILED, error="forbidden")
        return "forbidden"
    try:
        content, name = produce(asked.kind, asked.unit, asked.start, asked.end, fmt=asked.format,
                                person=asked.person, request=None, via="job")
    except Exception as exc:
        RegisterPrint.objects.filter(pk=asked.pk).update(state=PrintState.FAILED, error=str(exc)[:500])
        raise
    actions.finish_register_print(job=asked, acting=asked.person, content=content, name=name, ascii_name=name)
    return "printed"
