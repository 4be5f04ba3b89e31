"""Validation shared by the records' actions: codes, titles, retention periods (each refusal translated)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused
from vanthu.records.models import RETENTION_MAX_YEARS, RETENTION_MIN_YEARS


def retention(years: int | None, *, target: object = None) -> int | None:
    """None = vĩnh viễn; otherwise whole years in [RETENTION_MIN_YEARS, RETENTION_MAX_YEARS]."""
    if years is None:
        return None
    if isinstance(years, bool) or not isinstance(years, int) or not (
            RETENTION_MIN_YEARS <= years <= RETENTION_MAX_YEARS):
        raise ActionRefused(
            _("Thời hạn bảo quản phải từ %(min)d đến %(max)d năm, hoặc vĩnh viễn.")
            % {"min": RETENTION_MIN_YEARS, "max": RETENTION_MAX_YEARS},
            code="retention_range", field="retention_years", target=target)
    return years


def code(value: str, *, target: object = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused(_("Hãy nhập số và ký hiệu hồ sơ."), code="required", field="code", target=target)
    if len(value) > 20:
        raise ActionRefused(_("Số và ký hiệu hồ sơ dài tối đa 20 ký tự."), code="too_long", field="code",
                            target=target)
    return value


def title(value: str, *, field: str = "title", limit: int = 500, target: object = None) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ActionRefused(_("Hãy nhập tiêu đề."), code="required", field=field, target=target)
    if len(value) > limit:
        raise ActionRefused(_("Tiêu đề dài tối đa %(n)d ký tự.") % {"n": limit}, code="too_long", field=field,
                            target=target)
    return value


def reason(value: str, *, target: object = None) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ActionRefused(_("Hãy nêu lý do."), code="required", field="reason", target=target)
    if len(value) > 500:
        raise ActionRefused(_("Lý do dài tối đa 500 ký tự."), code="too_long", field="reason", target=target)
    return value


def year(value: int, *, target: object = None) -> int:
    if not isinstance(value, int) or not (2000 <= value <= 2100):
        raise ActionRefused(_("Năm không hợp lệ."), code="invalid", field="year", target=target)
    return value


def forbidden(target: object = None) -> ActionRefused:
    return ActionRefused(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."), code="forbidden", status=403,
                         target=target)
