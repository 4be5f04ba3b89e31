"""A request cut short by the infrastructure rather than by a bug (issue 13, "Faults"): the connection to the
database lost in the middle (the server restarted, the connection was ended) or the disk under the file store
full. The person gets a clear, translated answer instead of the generic 500 — 503 "try again" or 507 "the
store is full" — in the page's design, or the API's error shape on /api/ and /exchange/v1/. Nothing is left
half-written: every action runs in one transaction (rolled back), the file store writes to a temporary name
that is removed on failure (core/files.py), and issuance releases its lease when its last step is cut
(documents/actions/issuance.py) so the retry keeps the number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from vanthu.core.interruptions import forget_lost_connection, texts
from vanthu.ops.errors import _back_url, is_machine_path

logger = logging.getLogger(__name__)


class InterruptionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        found = texts(exception)
        if found is None:
            return None
        status, code, title, text = found
        logger.warning("request %s cut short: %s: %s", request.path, type(exception).__name__, exception)
        if status == 503:
            forget_lost_connection()  # the next query (this page's menu, the retry) opens a new connection
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
