"""Sessions as rows with their person (decision 0021): the session store, the idle timeout, and the reads.

- `SessionStore` (SESSION_ENGINE = "vanthu.org.sessions"): Django's database store over `PersonSession`,
  which also writes the account, the device (user agent), the address and when it was last used, from the
  values kept in the session at login (`stamp_login`, on Django's user_logged_in) and by `session_middleware`.
- `session_middleware`: a session unused for `SESSION_IDLE_MINUTES` ends (the person is sent to the login page
  with a message); otherwise the session notes the time, at most once a minute. The notification bell's
  polling is not a use.
- `sessions_of(user)`: a person's live sessions, newest use first. The writes (end one, end all) are actions in
  `org/session_actions.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.org.session_models import PersonSession

SEEN = "_vt_seen"  # epoch seconds of the last use
SINCE = "_vt_since"
AGENT = "_vt_agent"
ADDRESS = "_vt_addr"
TOUCH_EVERY = 60  # seconds
PASSIVE_PATHS = ("/thong-bao/chuong/",)  # polled by the page itself: not a use of the session


def handle_of(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(float(value), tz=dt.UTC) if isinstance(value, int | float) else None


class SessionStore(DbStore):
    @classmethod
    def get_model_class(cls) -> type[PersonSession]:
        return PersonSession

    def create_model_instance(self, data: dict[str, Any]) -> PersonSession:
        row = cast(PersonSession, super().create_model_instance(data))
        user_id = data.get("_auth_user_id")
        row.user_id = int(user_id) if isinstance(user_id, str | int) and str(user_id).isdigit() else None
        row.handle = handle_of(row.session_key)
        row.user_agent = str(data.get(AGENT, ""))[:300]
        row.address = data.get(ADDRESS) or None
        row.started_at = _when(data.get(SINCE))
        row.last_seen = _when(data.get(SEEN))
        return row


def sessions_of(user_id: int) -> QuerySet[PersonSession]:
    return PersonSession.objects.filter(user_id=user_id, expire_date__gt=timezone.now()).order_by(
        "-last_seen", "-started_at")


def _stamp(request: HttpRequest, now: float) -> None:
    session = request.session
    session[SEEN] = now
    session.setdefault(SINCE, now)
    session[AGENT] = request.headers.get("User-Agent", "")[:300]
    session[ADDRESS] = request.META.get("REMOTE_ADDR") or None


def stamp_login(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """At login (Django's user_logged_in): the session's device, address and first use."""
    if request is not None and hasattr(request, "session"):
        _stamp(request, time.time())


def session_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            seen = session.get(SEEN)
            idle = settings.SESSION_IDLE_MINUTES * 60
            if idle and isinstance(seen, int | float) and now - seen > idle:
                logout(request)
                messages.info(request, _("Phiên làm việc đã kết thúc vì không dùng quá %(minutes)d phút; hãy đăng "
                                         "nhập lại.") % {"minutes": settings.SESSION_IDLE_MINUTES})
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
                return redirect_to_login(request.get_full_path())
            if request.path_info not in PASSIVE_PATHS and (not isinstance(seen, int | float)
                                                           or now - seen >= TOUCH_EVERY):
                _stamp(request, now)
        return get_response(request)

    return middleware
