"""A request cut short by the infrastructure rather than by a bug (issue 13, "Faults"): the connection to the
database lost in the middle (the server restarted, the connection was ended) or the disk under the file store
full. The person gets a clear, translated answer instead of the generic 500 — 503 "try again" or 507 "the
store is full" — in the page's design, or the API's error shape on /api/ and /exchange/v1/. Nothing is left
half-written: every action runs in one transaction (rolled back), the file store writes to a temporary name
that is removed on failure (core/files.py), and issuance releases its lease when its last step is cut
(documents/actions/issuance.py) so the retry keeps the number.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from vanthu.ops.errors import _back_url, is_machine_path

logger = logging.getLogger(__name__)
FULL = {errno.ENOSPC, errno.EDQUOT}


def _texts(exception: BaseException) -> tuple[int, str, str, str] | None:
    if isinstance(exception, OperationalError | InterfaceError):
        return 503, "database_unavailable", _("Mất kết nối với cơ sở dữ liệu"), _(
            "Kết nối với cơ sở dữ liệu bị ngắt giữa chừng (máy chủ cơ sở dữ liệu vừa khởi động lại hoặc đang "
            "bận). Việc vừa làm chưa được ghi, không có gì bị ghi dở. Hãy thử lại sau ít giây.")
    if isinstance(exception, OSError) and exception.errno in FULL:
        return 507, "storage_full", _("Kho lưu trữ tệp đã đầy"), _(
            "Máy chủ không còn chỗ để lưu tệp. Tệp chưa được lưu và không có gì bị ghi dở. Hãy báo quản trị hệ "
            "thống giải phóng dung lượng, rồi gửi lại.")
    return None


class InterruptionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        found = _texts(exception)
        if found is None:
            return None
        status, code, title, text = found
        logger.warning("request %s cut short: %s: %s", request.path, type(exception).__name__, exception)
        if status == 503 and not connection.in_atomic_block:
            connection.close()  # the next query (this page's menu, the retry) opens a new connection
        if is_machine_path(request.path):
            response: HttpResponse = JsonResponse({"error": {"code": code, "message": text, "field": None}},
                                                  status=status, json_dumps_params={"ensure_ascii": False})
        else:
            response = _page(request, status, title, text)
        if status == 503:
            response["Retry-After"] = "5"
        return response


def _page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "text": text, "reason": "",
                               "back_url": _back_url(request)}
    template = loader.get_template("errors/page.html")
    try:
        return HttpResponse(template.render(context, request), status=status)
    except Exception:  # the database may still be away: the page without the menu, which reads roles
        logger.exception("the interruption page could not be drawn with the menu")
    try:
        return HttpResponse(template.render({**context, "person": None, "scope": None, "request": request}),
                            status=status)
    except Exception:
        return HttpResponse(f"<!doctype html><title>{status}</title><h1>{title}</h1><p>{text}</p>", status=status)
