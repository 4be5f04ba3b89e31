from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def person(request: HttpRequest) -> dict[str, Any]:
    person = getattr(request, "person", None)
    if person is None or not person:
        return {"person": None, "scope": None}
    from vanthu.org.queries import scope_of

    return {"person": person, "scope": scope_of(person)}
