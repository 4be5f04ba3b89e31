from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from vanthu.org.models import Person


def _person_of(request: HttpRequest) -> Person | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.select_related("unit").filter(user=user, is_active=True).first()


def person_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Sets `request.person`: the Person behind the logged-in account (None for accounts without one)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.person = SimpleLazyObject(lambda: _person_of(request))  # type: ignore[attr-defined]
        return get_response(request)

    return middleware
