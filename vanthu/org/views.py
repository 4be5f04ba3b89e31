"""Login, logout and the language switch; `require_person`, the first step of every page view."""

from __future__ import annotations

from typing import cast

from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest
from django.utils.functional import SimpleLazyObject

from vanthu.org.forms import LoginForm
from vanthu.org.models import Person


def require_person(request: HttpRequest) -> Person:
    """The Person behind the logged-in account; 404 for an account without one (e.g. a bare superuser)."""
    person = getattr(request, "person", None)
    if not person:
        raise Http404
    if isinstance(person, SimpleLazyObject):
        person = person._wrapped  # type: ignore[attr-defined]  # evaluated by the truth test above
    return cast(Person, person)


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
