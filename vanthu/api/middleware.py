"""Every error of /api/v1/ in the API's JSON error shape, including those raised before a view runs.

Django answers some requests before any view runs, or beside it, with its HTML pages: a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a multipart body without a boundary, an unhandled exception. For
the API's addresses only, this middleware checks and parses the request first (the total size, the media type's
body, UTF-8 of every text value) and turns any error answer that is not yet JSON into the error shape, in the
caller's language. Pages keep their own error pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

API_PREFIX = "/api/v1/"
REPLACEMENT = "\ufffd"  # what Django decodes invalid UTF-8 to in query strings and form fields


def error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": field}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def request_too_large() -> JsonResponse:
    return error(413, "request_too_large",
                 _("Yêu cầu vượt quá tổng dung lượng cho phép của một lần gửi (%(mb)s MB); mỗi tệp không quá "
                   "%(file_mb)s MB.") % {"mb": settings.MAX_REQUEST_MB, "file_mb": settings.MAX_UPLOAD_MB})


def body_too_large() -> JsonResponse:
    return error(413, "body_too_large",
                 _("Phần dữ liệu (không kể tệp) của yêu cầu vượt quá %(kb)s KB.")
                 % {"kb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024})


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _invalid_text(values: dict[str, list[str]]) -> str | None:
    for name, items in values.items():
        if REPLACEMENT in name:
            return name
        if any(isinstance(v, str) and REPLACEMENT in v for v in items):
            return name
    return None


def check(request: HttpRequest) -> HttpResponse | None:
    """Refuse, before the view, what no operation of the API can take. None: go on."""
    length = _content_length(request)
    if length > settings.MAX_REQUEST_BYTES:
        return request_too_large()
    content_type = request.content_type or ""
    if content_type == "application/json" and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return body_too_large()
    try:
        if request.method == "POST" and content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            field = _invalid_text(dict(request.POST.lists()))
            if field is not None:
                return error(400, "invalid_utf8", _("“%(field)s” không phải văn bản UTF-8 hợp lệ.") % {"field": field},
                             field=field)
        field = _invalid_text(dict(request.GET.lists()))
        if field is not None:
            return error(400, "invalid_utf8", _("“%(field)s” không phải văn bản UTF-8 hợp lệ.") % {"field": field},
                         field=field)
    except RequestDataTooBig:
        return body_too_large()
    except (TooManyFieldsSent, TooManyFilesSent):
        return error(400, "too_many_fields",
                     _("Yêu cầu có quá nhiều trường (tối đa %(n)s).") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
    except MultiPartParserError:
        return error(400, "invalid_multipart",
                     _("Không đọc được biểu mẫu multipart (thiếu hoặc sai boundary, hoặc nội dung bị cắt)."))
    except (SuspiciousOperation, UnicodeDecodeError):
        return error(400, "bad_request", _("Yêu cầu không hợp lệ."))
    return None


GENERIC = {
    400: ("bad_request", gettext_lazy("Yêu cầu không hợp lệ.")),
    403: ("forbidden", gettext_lazy("Bạn không có quyền làm việc này.")),
    404: ("not_found", gettext_lazy("Không có địa chỉ API này.")),
    405: ("method_not_allowed", gettext_lazy("Phương thức này không dùng được ở địa chỉ này.")),
    413: ("request_too_large", gettext_lazy("Yêu cầu quá lớn.")),
}


def as_json(response: HttpResponse) -> HttpResponse:
    """A non-JSON error answer of Django's, in the error shape (same status)."""
    status = response.status_code
    if status == 413:
        return request_too_large()
    if status >= 500:
        code, message = "server_error", _("Lỗi máy chủ; yêu cầu không được thực hiện. Hãy thử lại sau.")
    else:
        code, text = GENERIC.get(status, GENERIC[400])
        message = str(text)
    return error(status, code, message)


def api_errors(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return get_response(request)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            early = check(request)
            response = early if early is not None else get_response(request)
            if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
                response = as_json(response)
            response.headers.setdefault("Content-Language", language)
        return response

    return middleware
