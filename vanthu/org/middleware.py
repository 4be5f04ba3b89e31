from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import SimpleLazyObject

from vanthu.org import second_factor
from vanthu.org.models import Person


def _person_of(request: HttpRequest) -> Person | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    rows = Person.objects.select_related("unit").filter(user=user, is_active=True).order_by()
    return next(iter(rows[:1]), None)  # one person per account (OneToOne): no ORDER BY to build


def person_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Sets `request.person`: the Person behind the logged-in account (None for accounts without one)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.person = SimpleLazyObject(lambda: _person_of(request))  # type: ignore[attr-defined]
        return get_response(request)

    return middleware


def _exempt(path: str) -> bool:
    from django.urls import reverse

    free = [reverse(name) for name in ("second_factor", "second_factor_enrol", "second_factor_qr",
                                       "second_factor_verify", "logout", "set_language")]
    return path in free or path.startswith(("/static/", "/api/", "/exchange/", "/pki/", "/healthz"))


def second_factor_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """With VANTHU_2FA_ALL_LOGINS on, a session that has not proved the second factor since the password is sent
    to the code page (or to enrol) before any page (decision 0020)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if (settings.VANTHU_2FA_ALL_LOGINS and request.user.is_authenticated and getattr(request, "person", None)
                and not request.session.get(second_factor.SESSION_KEY) and not _exempt(request.path)):
            return HttpResponseRedirect(second_factor.verify_url(request))
        return get_response(request)

    return middleware
