"""Rate limits of the API (decision 0021): django-ratelimit over the default cache.

- failed tokens, per client address (`settings.RATELIMIT_API_AUTH`): past the rate, a failed token is answered
  429 instead of 401 (`auth.TokenAuth`). A valid token is always served: the people behind a unit's gateway
  share its address, and one of them (or an intruder) must not shut the others out. Tokens are 256-bit random,
  so the limit bounds a flood, not a guess;
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


def token_failed(request: HttpRequest) -> None:
    """Count a failed token of this address; over the rate, refuse (429) instead of the 401."""
    usage = get_usage(request, group="api-auth", key=lambda _g, _r: _address(request),
                      rate=settings.RATELIMIT_API_AUTH, increment=True)
    if usage is not None and usage["should_limit"]:
        raise _refusal(usage["time_left"])


def signing(request: HttpRequest, person_id: int) -> None:
    """Count one signing operation of the person; refuse (429) over settings.RATELIMIT_SIGNING."""
    usage = get_usage(request, group="api-signing", key=lambda _g, _r: f"person:{person_id}",
                      rate=settings.RATELIMIT_SIGNING, increment=True)
    if usage is not None and usage["should_limit"]:
        raise _refusal(usage["time_left"])
