"""Lockout after repeated failures, on django-axes (decision 0021): one small interface for every secret.

A *key* names what is guarded: a login's username (axes' own login handling uses it as is), `key:<credential id>`
for a signing key's passphrase or PIN, and whatever the second factor chooses (e.g. `otp:<person id>`). After
`settings.LOCKOUT_FAILURES` failures within `settings.LOCKOUT_MINUTES`, the key is locked until the last failure
plus `LOCKOUT_MINUTES`; a further failure during the lock does not move the reopening time. A success clears the
key's failures. The counters are axes' `AccessAttempt` rows (one table, shared by every process), so an
administrator sees and lifts login locks and key locks alike (`vanthu/ops/locks.py`).

    lockout.check(key)                 # raises Locked (with .until) while the key is locked; else whether the
                                       # key has failures on record (False: `succeeded` has nothing to clear)
    lockout.failed(key, request=req)   # one more failure; returns the reopening time when it now locks
    lockout.succeeded(key)             # clears the failures
    lockout.locked_until(key)          # datetime or None

Callers inside an `@action` do not call `failed` themselves (the action's transaction is rolled back on a
refusal): they raise their refusal with `lockout_key=` and `core.actions` records the failure after the rollback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest
from django.utils import timezone


class Locked(Exception):
    """The key is locked until `until` (an aware datetime)."""

    def __init__(self, key: str, until: dt.datetime) -> None:
        super().__init__(f"{key} locked until {until.isoformat()}")
        self.key = key
        self.until = until


@dataclass(frozen=True)
class Lock:
    key: str
    failures: int
    last_failure: dt.datetime
    until: dt.datetime


def cooloff() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOCKOUT_MINUTES)


def _probe(key: str, request: HttpRequest | None) -> HttpRequest:
    """A request of our own for axes (never the person's: axes marks the request it is given as locked out, and
    its middleware would then replace that page by the login lock page)."""
    probe = HttpRequest()
    probe.method = "POST"
    if request is not None:
        for name in ("REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_ACCEPT"):
            if name in request.META:
                probe.META[name] = str(request.META[name])[:255]
        probe.path = probe.path_info = request.path_info
    probe.META.setdefault("REMOTE_ADDR", "127.0.0.1")
    probe.META.setdefault("HTTP_USER_AGENT", "vanthu")
    AxesProxyHandler.update_request(probe)
    return probe


def _rows(key: str, now: dt.datetime) -> tuple[int, dt.datetime | None, int]:
    """(failures within the cool-off, the last of them, how many rows the key has at all), in one query."""
    recent = Q(attempt_time__gte=now - cooloff())
    found = AccessAttempt.objects.filter(username=key).aggregate(
        failures=Sum("failures_since_start", filter=recent), last=Max("attempt_time", filter=recent), rows=Count("pk"))
    return int(found["failures"] or 0), found["last"], int(found["rows"] or 0)


def _until(failures: int, last: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if last is None or failures < settings.LOCKOUT_FAILURES:
        return None
    until = last + cooloff()
    return until if until > now else None


def locked_until(key: str) -> dt.datetime | None:
    """When the key reopens, or None when it is not locked."""
    now = timezone.now()
    failures, last, _rows_at_all = _rows(key, now)
    return _until(failures, last, now)


def check(key: str) -> bool:
    """Raise Locked while the key is locked. Else whether the key has failures on record at all: when it has
    none, a success right after has nothing to clear and the caller may skip `succeeded` (a statement saved)."""
    now = timezone.now()
    failures, last, rows = _rows(key, now)
    until = _until(failures, last, now)
    if until is not None:
        raise Locked(key, until)
    return rows > 0


def failed(key: str, *, request: HttpRequest | None = None) -> dt.datetime | None:
    """Count one failure (axes' handler writes it); the reopening time when the key is now locked."""
    if locked_until(key) is None:
        AxesProxyHandler.user_login_failed(sender=failed, credentials={"username": key},
                                           request=_probe(key, request))
    return locked_until(key)


def succeeded(key: str) -> None:
    AxesProxyHandler.reset_attempts(username=key)


def lift(key: str) -> int:
    """End a lock (and forget the failures); the number of axes rows removed."""
    return AxesProxyHandler.reset_attempts(username=key)


def current_locks() -> list[Lock]:
    """Every key locked now, soonest reopening first."""
    now = timezone.now()
    rows = (AccessAttempt.objects.filter(attempt_time__gte=now - cooloff()).values("username")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time")))
    locks = [Lock(key=row["username"], failures=int(row["failures"]), last_failure=row["last"],
                  until=row["last"] + cooloff())
             for row in rows if row["failures"] >= settings.LOCKOUT_FAILURES and row["last"] + cooloff() > now]
    return sorted(locks, key=lambda lock: (lock.until, lock.key))


def reopens(until: dt.datetime) -> dict[str, str]:
    """The reopening time as messages print it (local time): {"time": "14:05", "date": "05/12/2026"}."""
    local = timezone.localtime(until)
    return {"time": f"{local:%H:%M}", "date": f"{local:%d/%m/%Y}"}


def seconds_left(until: dt.datetime) -> int:
    return max(1, int((until - timezone.now()).total_seconds()) + 1)
