"""A fault of the file store met by a page (decision 0025): the object storage cannot be reached, or a stored
file is missing or altered. The person gets the site's error page with a clear message (503 or 409), a
program under /api/ or /exchange/v1/ the API's one error shape; never a 500. Uploads meet the same faults
inside their action, which rolls back: no record is left pointing at nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from vanthu.core.store_backends import BlobDamaged, StoreUnavailable

logger = logging.getLogger("vanthu.files")

MACHINE_PREFIXES = ("/api/", "/exchange/v1/")


class StoreFaults:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StoreUnavailable):
            logger.warning("file store unavailable on %s: %s", request.path, exception.detail)
            title = _("Kho lưu trữ tệp tạm thời không truy cập được")
        elif isinstance(exception, BlobDamaged):
            logger.error("stored file %s %s (asked on %s)", exception.sha256, exception.why, request.path)
            title = _("Tệp bị thiếu hoặc đã bị thay đổi")
        else:
            return None
        if request.path.startswith(MACHINE_PREFIXES):
            return JsonResponse({"error": {"code": exception.code, "message": exception.message, "field": None}},
                                status=exception.status)
        context: dict[str, Any] = {"status": exception.status, "title": title, "text": exception.message,
                                   "reason": "", "back_url": ""}
        return HttpResponse(loader.get_template("errors/page.html").render(context, request),
                            status=exception.status)
