"""`{% recall_notices %}`: the recalls a clerk or leader must know of, shown in the inbox (issue 8)."""

from __future__ import annotations

from typing import Any

from django import template

from vanthu.documents import trails

register = template.Library()


@register.inclusion_tag("documents/_recall_notices.html", takes_context=True)
def recall_notices(context: template.Context) -> dict[str, Any]:
    person = context.get("person")
    if person is None:
        return {"pending": [], "recalled": []}
    pending, recalled = trails.recall_notices(person)
    return {"pending": pending, "recalled": recalled}
