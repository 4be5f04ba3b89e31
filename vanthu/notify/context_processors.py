from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from vanthu.notify.queries import BELL_CAP, unread_count


class Bell:
    """The top bar's unread count, computed only when a template reads it (one capped COUNT)."""

    def __init__(self, person: Any) -> None:
        self.person = person

    @cached_property
    def count(self) -> int:
        return unread_count(self.person)

    @property
    def label(self) -> str:
        return f"{BELL_CAP}+" if self.count > BELL_CAP else str(self.count)


def bell(request: HttpRequest) -> dict[str, Any]:
    person = getattr(request, "person", None)
    return {"bell": Bell(person) if person else None}
