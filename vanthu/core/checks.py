"""System checks for configuration mistakes (ids vanthu.E0xx / W0xx)."""

from __future__ import annotations

from pathlib import Path
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
    files_dir = Path(settings.FILES_DIR)
    if files_dir.exists() and not files_dir.is_dir():
        problems.append(Error(f"VANTHU_FILES_DIR {files_dir} is not a directory.", id="vanthu.E004"))
    problems += _check_calendar()
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
