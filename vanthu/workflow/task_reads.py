"""A task's files downloaded (issue 13 item 3): a read in the audit chain of the task's document's unit, else
the reader's; the same for the page and the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vanthu.audit import reads
from vanthu.org.models import Person
from vanthu.workflow.models import Assignment


def record_download(request: HttpRequest, person: Person, task: Assignment, data: dict[str, Any], *,
                    via: str = "web") -> None:
    unit_id = task.document.unit_id if task.document_id and task.document is not None else person.unit_id
    reads.record_read(request=request, actor=person, verb=reads.DOWNLOADED, target=task, unit=unit_id,
                      data={**data, "task": task.pk}, via=via)
