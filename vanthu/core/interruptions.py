"""What a request cut short by the infrastructure tells the person (issue 13, "Faults"): the database connection
lost (503) or the file store's disk full (507). The pages' middleware (`vanthu.ops.interruptions`) and the JSON
API's exception handlers (`vanthu.api.errors`) answer with these same texts."""

from __future__ import annotations

import errno

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

FULL = {errno.ENOSPC, errno.EDQUOT}
DATABASE_ERRORS = (OperationalError, InterfaceError)


def texts(exception: BaseException) -> tuple[int, str, str, str] | None:
    """(status, code, title, explanation) for an interruption, translated; None for anything else."""
    if isinstance(exception, DATABASE_ERRORS):
        return 503, "database_unavailable", _("Mất kết nối với cơ sở dữ liệu"), _(
            "Kết nối với cơ sở dữ liệu bị ngắt giữa chừng (máy chủ cơ sở dữ liệu vừa khởi động lại hoặc đang "
            "bận). Việc vừa làm chưa được ghi, không có gì bị ghi dở. Hãy thử lại sau ít giây.")
    if isinstance(exception, OSError) and exception.errno in FULL:
        return 507, "storage_full", _("Kho lưu trữ tệp đã đầy"), _(
            "Máy chủ không còn chỗ để lưu tệp. Tệp chưa được lưu và không có gì bị ghi dở. Hãy báo quản trị hệ "
            "thống giải phóng dung lượng, rồi gửi lại.")
    return None


def forget_lost_connection() -> None:
    """After a lost connection, outside a transaction: close it, so the next query opens a new one."""
    from django.db import connection

    if not connection.in_atomic_block:
        connection.close()
