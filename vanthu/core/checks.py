"""System checks for configuration mistakes (ids vanthu.E0xx / W0xx)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

PADES_LEVELS = {"", "B-B", "B-T", "B-LT", "B-LTA"}


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if settings.MAX_UPLOAD_MB <= 0:
        problems.append(Error("VANTHU_MAX_UPLOAD_MB must be positive.", id="vanthu.E001"))
    if settings.PADES_LEVEL.upper() not in PADES_LEVELS:
        problems.append(
            Error(
                f"VANTHU_PADES_LEVEL={settings.PADES_LEVEL!r} is not one of B-B, B-T, B-LT, B-LTA.",
                id="vanthu.E002",
            )
        )
    if settings.PADES_LEVEL.upper() in {"B-T", "B-LT", "B-LTA"} and not settings.TSA_URL:
        problems.append(
            Error(
                f"VANTHU_PADES_LEVEL={settings.PADES_LEVEL} needs a timestamp authority: set VANTHU_TSA_URL "
                "(a URL, or 'builtin' for vanthu's own).",
                id="vanthu.E003",
            )
        )
    problems += _check_file_store()
    problems += _check_links()
    problems += _check_calendar()
    problems += _check_collector()
    return problems


def _check_collector() -> list[Error | Warning]:
    """VANTHU_GC_THRESHOLD (read when the vanthu package is imported, before settings: vanthu/__init__.py) is
    three non-negative whole numbers or empty; anything else leaves Python's default, and says so."""
    import gc
    import os

    value = os.environ.get("VANTHU_GC_THRESHOLD")
    if value is None or not value.strip():
        return []
    parts = value.split(",")
    if len(parts) == 3 and all(p.strip().isdecimal() for p in parts):
        return []
    return [Warning(f"VANTHU_GC_THRESHOLD={value!r} is not three whole numbers (e.g. 50000,50,100); Python's "
                    f"default {gc.get_threshold()} is used.", id="vanthu.W003")]


def _check_file_store() -> list[Error | Warning]:
    """The file store VANTHU_FILES_URL names can be reached: a missing bucket, refused credentials or an
    unreachable endpoint are named by their setting (vanthu.E004)."""
    from vanthu.core.store_backends import backend

    try:
        store = backend()
    except ValueError as exc:
        return [Error(f"VANTHU_FILES_URL: {exc}.", id="vanthu.E004")]
    return [Error(problem, id="vanthu.E004") for problem in store.problems()]


def _check_links() -> list[Error | Warning]:
    """Signed download links (decision 0035): nginx and vanthu share a secret long enough to key the MD5, the
    link lives a positive time, and the session cookie's name is one nginx can read ($cookie_<name>)."""
    import re

    if not settings.FILES_LINKS:
        return []
    problems: list[Error | Warning] = []
    if not re.fullmatch(r"[A-Za-z0-9._~+/=-]{32,}", settings.FILES_LINK_SECRET):
        problems.append(Error("VANTHU_FILES_LINKS is on: set VANTHU_FILES_LINK_SECRET (or _FILE) to a random secret "
                              "of at least 32 characters among letters, digits and . _ ~ + / = - (it is written "
                              "into nginx's site by `vanthu deploy nginx`).", id="vanthu.E005"))
    if settings.FILES_LINK_SECONDS <= 0:
        problems.append(Error("VANTHU_FILES_LINK_SECONDS must be positive.", id="vanthu.E005"))
    if not re.fullmatch(r"/[A-Za-z0-9_-]+/", settings.FILES_LINK_PREFIX):
        problems.append(Error("VANTHU_FILES_LINK_PREFIX must be one path segment between slashes, like "
                              "/_vanthu_link/.", id="vanthu.E005"))
    if not re.fullmatch(r"[A-Za-z0-9_]+", settings.SESSION_COOKIE_NAME):
        problems.append(Error("The session cookie's name must be letters, digits and _ for nginx to read it "
                              "(VANTHU_FILES_LINKS).", id="vanthu.E005"))
    return problems


def _check_calendar() -> list[Error | Warning]:
    """The working-day calendar (core/workdays.py): rest days are ISO weekdays, deadlines are not negative."""
    problems: list[Error | Warning] = []
    weekend = set(settings.WEEKEND_DAYS)
    if not weekend <= set(range(1, 8)) or len(weekend) >= 7:
        problems.append(Error(f"VANTHU_WEEKEND_DAYS={sorted(weekend)} must list ISO weekdays 1-7 (1 = Monday), "
                              "not all seven.", id="vanthu.E030"))
    for key, days in settings.DEADLINE_WORKING_DAYS.items():
        if days < 0:
            problems.append(Error(f"VANTHU_DEADLINE_DAYS_{key.upper()} must not be negative.", id="vanthu.E031"))
    return problems


@register(deploy=True)
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems: list[Warning] = []
    if not settings.DEBUG and str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3") and not settings.TESTING:
        problems.append(
            Warning(
                "Running on SQLite (the embedded default). For more than a few units use PostgreSQL: "
                "set VANTHU_DATABASE_URL=postgres://…",
                id="vanthu.W001",
            )
        )
    if not settings.KEY_ENCRYPTION_SECRET and not str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        problems.append(
            Warning(
                "VANTHU_KEY_ENCRYPTION_SECRET is not set: each app server keeps its own random key file under "
                "VANTHU_SIGNING_DIR to protect the CA and seal keys, so servers sharing this database cannot "
                "use each other's keys. Set the same secret (VANTHU_KEY_ENCRYPTION_SECRET_FILE) on every server.",
                id="vanthu.W002",
            )
        )
    return problems


@register()
def check_stateless(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A deployment of several servers (VANTHU_SERVERS > 1, or files on object storage, which is chosen for
    that) must keep no state on one machine: each place that would is named (vanthu.W040)."""
    files_url = str(settings.FILES_URL or "")
    if settings.SERVERS <= 1 and not files_url.startswith("s3://"):
        return []
    local: list[str] = []
    if not files_url.startswith("s3://"):
        local.append("VANTHU_FILES_URL (the files are on this machine's disk: use s3://BUCKET/PREFIX)")
    cache = str(settings.CACHES["default"]["BACKEND"])
    if "locmem" in cache or "filebased" in cache or "dummy" in cache:
        local.append("VANTHU_REDIS_URL (caches and rate-limit counters are in this process's memory)")
    if str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        local.append("VANTHU_DATABASE_URL (SQLite is a file on this machine: use PostgreSQL)")
    engine = str(getattr(settings, "SESSION_ENGINE", ""))
    if engine.endswith(".file") or (engine.endswith(".cache") and "redis" not in cache):
        local.append("SESSION_ENGINE (sessions are kept on this machine)")
    media = str(settings.STORAGES["default"]["BACKEND"])
    if media.endswith("FileSystemStorage"):
        local.append("STORAGES['default'] (uploaded files are kept under MEDIA_ROOT on this machine)")
    if not local:
        return []
    return [Warning("This deployment is declared as several servers (VANTHU_SERVERS or an s3:// VANTHU_FILES_URL) "
                    "but keeps state on one machine: " + "; ".join(local) + ".", id="vanthu.W040")]
