"""Rate limits of the API (decision 0021): django-ratelimit over the default cache.

- failed tokens, per client address (`settings.RATELIMIT_API_AUTH`): guessing tokens is answered 429 before any
  lookup once the address has failed too often (`auth.TokenAuth`);
- the signing operations (sign, remote signature, issue), per person (`settings.RATELIMIT_SIGNING`).
A refusal is `ActionRefused(code="rate_limited", status=429, retry_after=…)`: the API's error shape with a
Retry-After header (`errors.register`). A signing key locked after wrong passphrases answers 429 `key_locked`
the same way (signing/backends.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from vanthu.core.errors import ActionRefused


def _refusal(time_left: int) -> ActionRefused:
    seconds = max(1, int(time_left))
    return ActionRefused(_("Quá nhiều yêu cầu; hãy thử lại sau %(seconds)d giây.") % {"seconds": seconds},
                         code="rate_limited", status=429, retry_after=seconds)


def _address(request: HttpRequest) -> str:
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def check_token_failures(request: HttpRequest) -> None:
    """Refuse (429) once this address has failed as many tokens as the rate allows."""
    usage = get_usage(request, group="api-auth", key=lambda _g, _r: _address(request),
                      rate=settings.RATELIMIT_API_AUTH, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        raise _refusal(usage["time_left"])


def token_failed(request: HttpRequest) -> None:
    get_usage(request, group="api-auth", key=lambda _g, _r: _address(request), rate=settings.RATELIMIT_API_AUTH,
              increment=True)


def signing(request: HttpRequest, person_id: int) -> None:
    """Count one signing operation of the person; refuse (429) over settings.RATELIMIT_SIGNING."""
    usage = get_usage(request, group="api-signing", key=lambda _g, _r: f"person:{person_id}",
                      rate=settings.RATELIMIT_SIGNING, increment=True)
    if usage is not None and usage["should_limit"]:
        raise _refusal(usage["time_left"])
