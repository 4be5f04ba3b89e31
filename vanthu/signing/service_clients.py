"""Who may use the endpoints that sign for others, and how often (decision 0021, issue 13 item 8).

The time-stamp service (`POST /pki/tsa`) answers only a known client: `Authorization: Bearer vsc_…`, a token made
by an administrator of a top unit (`vanthu service-client add NAME` prints it once); without one, 401 with
`WWW-Authenticate`. Each client may ask `settings.RATELIMIT_TSA` time stamps (django-ratelimit over the default
cache); beyond, 429 with Retry-After. Unauthenticated requests are limited per address the same way, so guessing
tokens is slow. vanthu's own signing uses its TSA in-process (no token); a configured external TSA gets
`settings.TSA_TOKEN` as its bearer token (`tsa_stamper.timestamper`).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.org.access import Actor, require_admin_of_all
from vanthu.signing.service_client_models import ServiceClient
from vanthu.signing.types import SigningRefused

TOKEN_PREFIX = "vsc_"  # noqa: S105  (a prefix, not a secret)
REALM = "vanthu-tsa"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@action("signing.service_client.created")
def create_client(*, name: str, acting: Actor) -> tuple[ServiceClient, str]:
    """A new client and its token (returned once, never stored)."""
    require_admin_of_all(acting)
    name = name.strip()
    if not name or len(name) > 100:
        raise SigningRefused(_("Hãy đặt tên cho ứng dụng (tối đa 100 ký tự)."), code="invalid", field="name")
    if ServiceClient.objects.filter(name=name).exists():
        raise SigningRefused(_("Đã có ứng dụng tên “%(name)s”.") % {"name": name}, code="duplicate", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ServiceClient.objects.create(name=name, prefix=token[len(TOKEN_PREFIX):][:8],
                                          token_hash=hash_token(token))
    log.record(actor=acting, verb="signing.service_client.created", target=client, data={"name": name})
    return client, token


@action("signing.service_client.revoked")
def revoke_client(*, client: ServiceClient, acting: Actor) -> None:
    require_admin_of_all(acting)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    log.record(actor=acting, verb="signing.service_client.revoked", target=client, data={"name": client.name})


def client_of(request: HttpRequest) -> ServiceClient | None:
    """The active client whose bearer token the request carries, or None."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    client = ServiceClient.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True).first()
    if client is not None:
        ServiceClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def unauthorized() -> HttpResponse:
    response = HttpResponse(_("Dịch vụ này chỉ dành cho ứng dụng đã đăng ký: hãy gửi mã của ứng dụng."),
                            status=401, content_type="text/plain; charset=utf-8")
    response["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
    return response


def over_limit(request: HttpRequest, *, group: str, who: str, rate: str) -> HttpResponse | None:
    """A 429 with Retry-After when `who` has used up `rate` in `group` (this request counted), else None."""
    usage = get_usage(request, group=group, key=lambda _group, _request: who, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    response = HttpResponse(_("Quá nhiều yêu cầu; hãy thử lại sau."), status=429,
                            content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(max(1, int(usage["time_left"])))
    return response


def guard(request: HttpRequest) -> HttpResponse | None:
    """The refusal for a request to the time-stamp service (401 or 429), or None to serve it."""
    client = client_of(request)
    if client is None:
        address = request.META.get("REMOTE_ADDR", "")
        return over_limit(request, group="tsa-anonymous", who=f"ip:{address}", rate=settings.RATELIMIT_TSA) \
            or unauthorized()
    return over_limit(request, group="tsa", who=f"client:{client.pk}", rate=settings.RATELIMIT_TSA)
