"""System checks for the records' settings: the legal time (vanthu.E070), the construction records' (E072) and
the retention threshold (E071)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from vanthu.records.models import RETENTION_MAX_YEARS


@register()
def check_records(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    problems: list[Error] = []
    if not 1 <= settings.RECORDS_TRANSFER_MONTHS <= 120:
        problems.append(Error(f"VANTHU_RECORDS_TRANSFER_MONTHS={settings.RECORDS_TRANSFER_MONTHS} must be 1–120 "
                              "(Decree 30 Điều 30: 12 for most records, 3 for construction records).",
                              id="vanthu.E070"))
    if not 1 <= settings.RECORDS_TRANSFER_CONSTRUCTION_MONTHS <= 120:
        problems.append(Error(f"VANTHU_RECORDS_TRANSFER_CONSTRUCTION_MONTHS="
                              f"{settings.RECORDS_TRANSFER_CONSTRUCTION_MONTHS} must be 1–120 (Decree 30 Điều 30: 3).",
                              id="vanthu.E072"))
    if not 1 <= settings.RECORDS_TRANSFER_MIN_YEARS <= RETENTION_MAX_YEARS:
        problems.append(Error(f"VANTHU_RECORDS_TRANSFER_MIN_YEARS={settings.RECORDS_TRANSFER_MIN_YEARS} must be "
                              f"1–{RETENTION_MAX_YEARS} (Decree 30 Điều 31: 5).", id="vanthu.E071"))
    return problems
