"""Login, logout and the language switch; `require_person`, the first step of every page view."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from vanthu.core import lockout
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


def locked_out(request: HttpRequest, response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The login page again, saying when the locked account reopens (axes' AXES_LOCKOUT_CALLABLE): 429."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    until = lockout.locked_until(username)
    form = LoginForm(request, initial={"username": username})
    if until is not None:
        message = _("Tài khoản đã bị tạm khóa do nhập sai mật khẩu %(count)d lần; hãy thử lại sau %(time)s ngày "
                    "%(date)s, hoặc nhờ quản trị đơn vị mở khóa.") % {"count": settings.LOCKOUT_FAILURES,
                                                                      **lockout.reopens(until)}
    else:
        message = _("Tài khoản đang tạm khóa do nhập sai mật khẩu nhiều lần; hãy thử lại sau.")
    page = render(request, "org/login.html", {"form": form, "next": request.POST.get("next", ""),
                                              "lock_message": message}, status=429)
    if until is not None:
        page["Retry-After"] = str(lockout.seconds_left(until))
    return page
