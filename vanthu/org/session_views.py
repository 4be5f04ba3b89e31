"""The person's sessions (`/tai-khoan/phien/`: device, address, last use; end one, log out everywhere) and an
administrator's view of a person's sessions (`/quan-tri/nguoi/<id>/phien/`, 404 outside their units)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.org import session_actions
from vanthu.org.access import can_administer
from vanthu.org.models import Person
from vanthu.org.sessions import handle_of, sessions_of
from vanthu.org.views import require_person


def _administered(request: HttpRequest, pk: int) -> tuple[Person, Person]:
    """(the admin, the person whose sessions they manage); 404 when the person is not in their units."""
    admin = require_person(request)
    person = Person.objects.select_related("unit", "user").filter(pk=pk).first()
    if person is None or not can_administer(admin, person.unit):
        raise Http404
    return admin, person


def _page(request: HttpRequest, person: Person, *, own: bool) -> HttpResponse:
    current = handle_of(request.session.session_key or "")
    base = reverse("my_sessions") if own else reverse("person_sessions", kwargs={"pk": person.pk})
    return render(request, "org/sessions.html", {
        "subject": person, "own": own, "sessions": list(sessions_of(person.user_id)[:100]), "current": current,
        "base": base,
    })


@require_GET
def my_sessions(request: HttpRequest) -> HttpResponse:
    return _page(request, require_person(request), own=True)


@require_GET
def person_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    _admin, person = _administered(request, pk)
    return _page(request, person, own=False)


def _end(request: HttpRequest, person: Person, acting: Person, handle: str, back: str) -> HttpResponse:
    try:
        if handle == "all":
            count = session_actions.end_all_sessions(person=person, acting=acting,
                                                     keep=request.session.session_key)
            messages.success(request, _("Đã kết thúc %(count)d phiên đăng nhập khác.") % {"count": count})
        else:
            session_actions.end_session(person=person, handle=handle[:32], acting=acting)
            messages.success(request, _("Đã kết thúc phiên đăng nhập."))
    except ActionRefused as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    return redirect(back)


@require_POST
def my_session_end(request: HttpRequest, handle: str) -> HttpResponse:
    person = require_person(request)
    return _end(request, person, person, handle, reverse("my_sessions"))


@require_POST
def person_session_end(request: HttpRequest, pk: int, handle: str) -> HttpResponse:
    admin, person = _administered(request, pk)
    return _end(request, person, admin, handle, reverse("person_sessions", kwargs={"pk": pk}))
