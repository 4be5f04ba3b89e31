"""Token authentication: `Authorization: Bearer vt_<secret>`.

The secret is hashed (SHA-256) and looked up; a revoked or expired token, or one whose person or account is
no longer active, is refused with 401 and a code saying why. `last_used_at` is written at most once a
minute per token (a bookkeeping timestamp, not an audited action). Past `RATELIMIT_API_AUTH` failed tokens an
address is answered 429 instead of 401 (`ratelimit.py`).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from vanthu.api import ratelimit
from vanthu.api.errors import TokenRefused
from vanthu.api.models import SECRET_PREFIX, ApiToken, hash_secret
from vanthu.org.models import Person

TOUCH_EVERY = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person:
        try:
            return self._authenticate(request, token)
        except TokenRefused:
            ratelimit.token_failed(request)
            raise

    def _authenticate(self, request: HttpRequest, token: str) -> Person:
        secret = token.strip()
        if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
            raise TokenRefused(_("Mã truy cập API không hợp lệ."), code="token_invalid")
        rows = ApiToken.objects.select_related("person__unit", "person__user").filter(secret_hash=hash_secret(secret))
        row = next(iter(rows.order_by()[:1]), None)  # secret_hash is unique: the model's ordering cleared
        if row is None:
            raise TokenRefused(_("Mã truy cập API không hợp lệ."), code="token_invalid")
        now = timezone.now()
        if row.revoked_at is not None:
            raise TokenRefused(_("Mã truy cập API đã bị thu hồi."), code="token_revoked")
        if row.is_expired(now):
            raise TokenRefused(_("Mã truy cập API đã hết hạn; hãy tạo mã mới."), code="token_expired")
        person = row.person
        if not person.is_active or not person.user.is_active:
            raise TokenRefused(_("Tài khoản gắn với mã truy cập này không còn hoạt động."), code="account_inactive")
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.person = person  # type: ignore[attr-defined]
        request.user = person.user
        request.api_token = row  # type: ignore[attr-defined]
        return person


def person_of(request: HttpRequest) -> Person:
    """The authenticated person of an API request (set by TokenAuth)."""
    person = getattr(request, "auth", None)
    assert isinstance(person, Person)
    return person
