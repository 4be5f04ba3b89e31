"""The second factor (decision 0020): a time-based code (TOTP, django-otp's TOTPDevice) from a person's phone, or
a WebAuthn security key where the browser supports it (`security_keys`).

Asked for at every personal signature and every seal (the action checks it: `require_code`, run before the
action's transaction so that a used code and a failure count stay written even when the action refuses), and as a
step-up before administration pages (`stepped_up`, `admin_step_up`). django-otp's own throttling is the second
factor's lockout: after each wrong code the device refuses every code for 2^(n-1) seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import connections, router
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org import security_keys
from vanthu.org.models import Person, SecurityKey
from vanthu.org.queries import scope_of

SESSION_KEY = "vanthu_2fa_at"  # when this session last proved the second factor (seconds since the epoch)


def devices_of(person: Person) -> list[TOTPDevice]:
    """The person's confirmed devices (an enrolment not yet confirmed by a code does not count)."""
    return list(TOTPDevice.objects.filter(user_id=person.user_id, confirmed=True).order_by("pk"))


def is_enrolled(person: Person) -> bool:
    return (TOTPDevice.objects.filter(user_id=person.user_id, confirmed=True).exists()
            or SecurityKey.objects.filter(person=person).exists())


OTP_MAX = 4000  # a TOTP code, or a security key's assertion (JSON) in the same field


def clean_code(code: str | None) -> str:
    return "".join((code or "").split())


def verify(person: Person, code: str | None, *, target: object = None) -> None:
    """Refuse unless `code` is a current code of one of the person's devices, not used before (django-otp keeps
    the last time step used: a replayed code is refused) and the device is not throttled."""
    token = clean_code(code)
    # the devices the code is for, read once, also answer "enrolled?" (asked alone only when they cannot)
    devices = backups = None
    if _is_totp(token):
        devices = devices_of(person)
        enrolled = bool(devices) or SecurityKey.objects.filter(person=person).exists()
    else:
        backups = _backup_devices(person) if token and not token.startswith("{") else []
        enrolled = any(d.has_phone for d in backups) or is_enrolled(person)
    if not enrolled:
        raise ActionRefused(
            _("Đồng chí chưa đăng ký xác thực hai lớp. Hãy vào trang «Xác thực hai lớp» để đăng ký trước khi ký "
              "số hoặc quản trị."),
            code="otp_not_enrolled", field="otp", status=403, target=target)
    if (code or "").lstrip().startswith("{"):  # a WebAuthn assertion from a security key
        security_keys.verify_assertion(person, code or "")
        return
    if not token:
        raise ActionRefused(_("Hãy nhập mã xác thực (6 chữ số trên ứng dụng xác thực)."),
                            code="otp_required", field="otp", target=target)
    if devices is None:  # not an authenticator's code: a one-time backup code?
        if _backup_code(person, token, backups):
            return
        raise ActionRefused(_("Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới trên ứng dụng xác thực."),
                            code="otp_wrong", field="otp", target=target)
    verified, locked_until = _try_codes(devices, token)
    if verified or _backup_code(person, token):
        return
    if locked_until is not None and not any(d.verify_is_allowed()[0] for d in devices):
        raise ActionRefused(
            _("Đã nhập sai mã xác thực nhiều lần. Thử lại sau %(time)s.")
            % {"time": formats.time_format(timezone.localtime(locked_until), "H:i:s")},
            code="otp_throttled", field="otp", status=403, target=target)
    raise ActionRefused(_("Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới trên ứng dụng xác thực."),
                        code="otp_wrong", field="otp", target=target)


def _is_totp(token: str) -> bool:
    return token.isdigit() and len(token) <= 8


def _try_codes(devices: list[TOTPDevice], token: str) -> tuple[bool, Any]:
    locked_until = None
    for device in devices:
        verified, until = _use_code(device, token)
        if verified:
            return True, None
        if until is not None:
            locked_until = until if locked_until is None or until < locked_until else locked_until
    return False, locked_until


_SEEN = ("last_t", "throttling_failure_count", "throttling_failure_timestamp", "drift")
_RETRIES = 5


def _use_code(device: TOTPDevice, token: str) -> tuple[bool, Any]:
    """django-otp's `verify_token` (throttling, the `tolerance` steps either side, a time step used once; a right
    code resets the failure count, a wrong one adds to it), written as one UPDATE without a transaction or row
    lock: the code is checked in Python against the row as read, and the UPDATE applies only if the row is still
    as read (`last_t` only grows and the failure count only grows until a success grows `last_t`, so the pair
    tells every change apart). Its row count decides: of two requests with one code, one writes and the other,
    finding the row changed, reads it again and decides on what the first wrote, as if it had waited for a lock.
    Returns (verified, locked until) — the second when the device is throttled."""
    from django_otp.oath import TOTP

    for _attempt in range(_RETRIES):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return False, (info or {}).get("locked_until")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        as_read = TOTPDevice.objects.filter(pk=device.pk, confirmed=True, last_t=device.last_t,
                                            throttling_failure_count=device.throttling_failure_count)
        now = timezone.now()
        if totp.verify(int(token), device.tolerance, device.last_t + 1):
            changes: dict[str, Any] = {"last_t": totp.t(), "throttling_failure_count": 0,
                                       "throttling_failure_timestamp": None, "last_used_at": now}
            if getattr(settings, "OTP_TOTP_SYNC", True):
                changes["drift"] = totp.drift
            verified = True
        else:
            changes = {"throttling_failure_count": device.throttling_failure_count + 1,
                       "throttling_failure_timestamp": now}
            verified = False
        if as_read.update(**changes):
            for field, value in changes.items():
                setattr(device, field, value)
            return verified, None
        row = TOTPDevice.objects.filter(pk=device.pk, confirmed=True).values(*_SEEN).first()
        if row is None:  # removed meanwhile
            return False, None
        for field, value in row.items():
            setattr(device, field, value)
    return False, None


def _backup_devices(person: Person) -> list[StaticDevice]:
    """The person's backup-code devices, each with `has_phone`: whether the person has an authenticator too (the
    "enrolled?" question of a backup code, answered by the same statement)."""
    phones = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return list(StaticDevice.objects.filter(user_id=person.user_id, confirmed=True)
                .annotate(has_phone=Exists(phones)).order_by("pk"))


def _backup_code(person: Person, token: str, devices: list[StaticDevice] | None = None) -> bool:
    """A one-time backup code (django-otp's static tokens): deleted as it is used, so it works once. The delete
    is one statement (it alone decides: of two requests with one code, one deletes the row and the other finds
    nothing), without the transaction Django's `QuerySet.delete()` opens around it (three round trips more)."""
    if devices is None:
        devices = list(StaticDevice.objects.filter(user_id=person.user_id, confirmed=True))
    allowed = [device.pk for device in devices if device.verify_is_allowed()[0]]
    if not allowed:
        return False
    connection = connections[router.db_for_write(StaticToken)]
    with connection.cursor() as cursor:
        cursor.execute(_USE_UP.format(table=connection.ops.quote_name(StaticToken._meta.db_table),
                                            ids=", ".join(["%s"] * len(allowed))), [token, *allowed])
        return bool(cursor.rowcount)


_USE_UP = "DELETE FROM {table} WHERE token = %s AND device_id IN ({ids})"


def require_code(**kwargs: Any) -> None:
    """The `before` of the signing and sealing actions: the acting person's code (`otp=`) must verify.
    A SystemActor (the operator's CLI, the exchange's own seal) has no second factor and needs none."""
    acting = kwargs.get("acting")
    if acting is None or isinstance(acting, SystemActor):
        return
    verify(acting, kwargs.get("otp"), target=kwargs.get("document"))


# --- the step-up for administration -----------------------------------------------------------------------------


def mark_verified(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = int(time.time())


def stepped_up(request: HttpRequest) -> bool:
    """This session proved the second factor within the last VANTHU_2FA_STEP_UP_MINUTES."""
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int) and time.time() - at < settings.VANTHU_2FA_STEP_UP_MINUTES * 60


def verify_url(request: HttpRequest) -> str:
    return f"{reverse('second_factor_verify')}?{urlencode({'next': request.get_full_path()})}"


def admin_step_up(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An administration page or action: an administrator must have proved the second factor in this session
    within the last minutes, or is sent to the code page (and back). Others pass on to the view, which answers
    them as before (404): the step-up does not tell them that the page exists."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = getattr(request, "person", None)
        if person and scope_of(person).is_admin and not stepped_up(request):
            if request.method == "POST":
                messages.error(request, _("Hãy nhập mã xác thực hai lớp trước khi làm việc quản trị."))
            target = verify_url(request) if request.method == "GET" else reverse("second_factor_verify")
            if request.headers.get("HX-Request"):
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            return HttpResponseRedirect(target)
        return view(request, *args, **kwargs)

    wrapped.admin_step_up = True  # type: ignore[attr-defined]
    return wrapped


# --- codes computed on the server (the demo, `vanthu otp code`, tests) ---------------------------------------------


def next_code(device: TOTPDevice) -> str | None:
    """The code the device would accept now: the current time step's, or the next one's if the current was
    used (django-otp accepts `tolerance` steps either side). None when those were used: wait for the next step."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    for offset in range(device.tolerance + 1):
        totp.drift = device.drift + offset
        if totp.t() > device.last_t:
            return f"{totp.token():0{device.digits}d}"
    return None


def demo_key(username: str) -> str:
    """The fixed TOTP secret (hex) of a demo or test person: the first 20 bytes of SHA-256("vanthu demo totp:" +
    username). Public on purpose (docs/signing-demo.md); real people enrol with a random secret."""
    import hashlib

    return hashlib.sha256(f"vanthu demo totp:{username}".encode()).hexdigest()[:40]
