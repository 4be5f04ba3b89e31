"""The error pages (issue 12, item 5): 400, 403, 404, a refused CSRF check and 500 in the site's design, in the
reader's language, with the menu and a way back. Paths of the machine interfaces (the JSON API under /api/
and the exchange's /exchange/v1/) answer in the API's one error shape instead, never with a page."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# Paths where a program, not a person, reads the answer.
MACHINE_PREFIXES = ("/api/", "/exchange/v1/")


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES)


def _texts(status: int) -> tuple[str, str, str]:
    """(code, title, explanation) of a status, translated in the request's language."""
    if status == 400:
        return "bad_request", _("Yêu cầu không hợp lệ"), _(
            "Trang không hiểu yêu cầu vừa gửi. Hãy quay lại và thử lại; nếu lỗi lặp lại, báo cho quản trị.")
    if status == 403:
        return "forbidden", _("Không được phép"), _("Bạn không có quyền thực hiện việc này.")
    if status == 404:
        return "not_found", _("Không tìm thấy trang"), _(
            "Trang hoặc văn bản này không có, hoặc bạn không có quyền xem.")
    return "server_error", _("Hệ thống gặp lỗi"), _(
        "Đã có lỗi khi xử lý yêu cầu; không có gì bị thay đổi dở dang. Lỗi đã được ghi lại; hãy thử lại sau "
        "ít phút.")


def _back_url(request: HttpRequest) -> str:
    """The page the reader came from, when it is a page of this site (never another site's address)."""
    referer = request.headers.get("Referer", "")
    if not referer:
        return ""
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    if is_machine_path(parts.path or "/") or parts.path == request.path:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": None}}, status=status)


def _page(request: HttpRequest, status: int, *, code: str = "", reason: str = "") -> HttpResponse:
    default_code, title, text = _texts(status)
    if is_machine_path(request.path):
        return _json(status, code or default_code, title if status != 403 else text)
    context: dict[str, Any] = {"status": status, "title": title, "text": text, "reason": reason,
                               "back_url": _back_url(request)}
    template = loader.get_template("errors/page.html")
    return HttpResponse(template.render(context, request), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token: most often a page left open past its session, or cookies
    turned off. The reader is told how to go on; nothing was saved."""
    if is_machine_path(request.path):
        return _json(403, "csrf_failed", _("Yêu cầu thiếu mã bảo vệ hợp lệ (CSRF)."))
    context: dict[str, Any] = {
        "status": 403, "title": _("Phiên làm việc của trang đã hết hạn"),
        "text": _("Biểu mẫu được gửi không kèm mã bảo vệ hợp lệ, nên chưa có gì được lưu. Hãy tải lại trang "
                  "(hoặc đăng nhập lại), rồi gửi lại; hãy bật cookie cho trang này."),
        "reason": "", "back_url": _back_url(request), "csrf": True,
    }
    return HttpResponse(loader.get_template("errors/page.html").render(context, request), status=403)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: in the site's design when the page can still be drawn (the database may be what failed: then the
    menu, which reads the person's roles, is left out), and a plain page as the last resort."""
    code, title, text = _texts(500)
    if is_machine_path(request.path):
        return _json(500, code, title)
    context: dict[str, Any] = {"status": 500, "title": title, "text": text, "reason": "", "back_url": ""}
    try:
        return HttpResponse(loader.get_template("errors/page.html").render(context, request), status=500)
    except Exception:
        logger.exception("the error page could not be drawn with the menu")
    try:
        plain = {**context, "person": None, "scope": None, "request": request}
        return HttpResponse(loader.get_template("errors/page.html").render(plain), status=500)
    except Exception:
        logger.exception("the error page could not be drawn")
        return HttpResponse(f"<!doctype html><title>500</title><h1>{title}</h1><p>{text}</p>", status=500)
