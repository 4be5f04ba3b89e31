"""Workflow's periodic work: the next occurrence of each weekly directive (decision 0015)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from vanthu.jobs import job

log = logging.getLogger("vanthu.workflow")


@job(every="day", attempts=3, backoff=300, label=_("Tạo việc lặp lại hằng tuần theo chỉ đạo"))
def repeat_directives() -> dict[str, int]:
    """Once a day: for every weekly directive, create its next occurrence when it falls within a week. Creating it
    is idempotent (one occurrence per series and day, under the series' row lock), so two runs make one."""
    from vanthu.core.actors import SystemActor
    from vanthu.workflow.directive_actions import next_occurrence
    from vanthu.workflow.models import Directive, Recurrence

    actor = SystemActor("workflow: weekly directives")
    made = 0
    for series in Directive.objects.filter(recurrence=Recurrence.WEEKLY, series__isnull=True).iterator():
        if next_occurrence(series=series, acting=actor) is not None:
            made += 1
    log.info("%d weekly directive occurrences created", made)
    return {"created": made}
