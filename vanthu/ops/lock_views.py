"""The locks page (`/quan-tri/khoa/`): accounts and signing keys locked after repeated failures, for an
administrator of their unit, who may lift one (an audited action, `ops/locks.py`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.ops import locks
from vanthu.org.models import Person
from vanthu.org.queries import scope_of


def _admin(request: HttpRequest) -> Person:
    person = getattr(request, "person", None)
    if not person or not scope_of(person).is_admin:
        raise Http404
    return person


@require_GET
def lock_list(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    return render(request, "ops/locks.html", {"locks": locks.locks_for(admin), "failures": settings.LOCKOUT_FAILURES,
                                              "minutes": settings.LOCKOUT_MINUTES})


@require_POST
def lock_lift(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    try:
        locks.lift_lock(key=request.POST.get("key", "")[:255], acting=admin)
    except ActionRefused as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã mở khóa."))
    return redirect("locks")
