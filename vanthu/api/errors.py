"""The API's one error shape and the handlers that produce it.

Every 4xx answer is `{"error": {"code": "...", "message": "<translated>", "field": "<name or null>"}}`;
validation errors (422) also list every faulty field under `details`. Messages follow the request language
(LocaleMiddleware reads Accept-Language; Vietnamese by default).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import FieldDoesNotExist, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from vanthu.core import interruptions
from vanthu.core.errors import ActionRefused
from vanthu.documents.models import Document

if TYPE_CHECKING:
    from ninja import NinjaAPI

E = TypeVar("E", bound=Exception)
logger = logging.getLogger(__name__)


class FieldError(Schema):
    field: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[FieldError] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class UnsupportedMediaType(Exception):
    """A JSON operation's body sent with another Content-Type (text/plain, a form, none)."""


class JsonOnlyParser(Parser):
    """JSON bodies only as application/json (or a +json type): never guess the body's type."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(content_type)
        return cast(dict[str, Any], json.loads(request.body))


class TokenRefused(AuthenticationError):
    """No usable token: 401 with a code saying why (missing, invalid, expired, revoked)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(401, message)
        self.code = code


# Labels for input names that are not Document fields.
LABELS: dict[str, Any] = {
    "file": gettext_lazy("tệp văn bản"),
    "attachments": gettext_lazy("tệp đính kèm"),
    "unit": gettext_lazy("đơn vị"),
    "drafting_unit": gettext_lazy("đơn vị soạn thảo"),
    "issuing_unit": gettext_lazy("đơn vị ban hành"),
    "recipient_units": gettext_lazy("đơn vị nhận"),
    "recipient_names": gettext_lazy("cơ quan nhận ngoài hệ thống"),
    "lead": gettext_lazy("chủ trì"),
    "cooperate": gettext_lazy("phối hợp"),
    "info": gettext_lazy("để biết"),
    "deadline": gettext_lazy("hạn xử lý"),
    "text": gettext_lazy("ý kiến chỉ đạo"),
    "to": gettext_lazy("người nhận"),
    "note": gettext_lazy("ghi chú"),
    "reason": gettext_lazy("lý do"),
    "comment": gettext_lazy("ý kiến"),
    "result": gettext_lazy("kết quả xử lý"),
    "approve": gettext_lazy("đồng ý"),
    "secret": gettext_lazy("Mã PIN"),
    "signer_authority": gettext_lazy("thẩm quyền ký"),
    "reviewers": gettext_lazy("người cho ý kiến"),
    "expected_version": gettext_lazy("phiên bản"),
    "limit": gettext_lazy("số dòng"),
    "before": gettext_lazy("con trỏ trang"),
    "year": gettext_lazy("năm"),
    "kind": gettext_lazy("loại"),
    "id": gettext_lazy("mã"),
    "type": gettext_lazy("loại"),
}


def label(path: str) -> str:
    """A readable name for an input: 'lead.id' -> 'chủ trì'; 'subject' -> 'trích yếu nội dung'."""
    name = path.split(".")[0]
    if name in LABELS:
        return str(LABELS[name])
    try:
        model_field = Document._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(model_field, "verbose_name", name))


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str, field: str | None = None,
    details: list[FieldError] | None = None,
) -> HttpResponse:
    error: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details is not None:
        error["details"] = [d.model_dump() for d in details]
    return api.create_response(request, {"error": error}, status=status)


# --- validation errors (pydantic) -> Vietnamese ----------------------------------------------------------


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'lead', 'id') -> 'lead.id'; ('form', 'subject') -> 'subject'."""
    parts = [str(p) for p in loc[1:]]
    if parts and parts[0] in ("payload", "data", "params", "query", "filters"):
        parts = parts[1:]  # the view's parameter name is internal: the body as a whole has no field name
    return ".".join(parts)


def _message(error: dict[str, Any], field: str) -> tuple[str, str]:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    name = label(field)
    if kind == "missing" and not field:
        return "required", _("Thiếu nội dung yêu cầu (một đối tượng JSON).")
    if kind == "missing":
        return "required", _("Thiếu “%(field)s”.") % {"field": name}
    if kind == "string_too_long":
        return "too_long", _("“%(field)s” dài quá %(n)s ký tự.") % {"field": name, "n": ctx.get("max_length")}
    if kind == "string_too_short":
        return "required", _("“%(field)s” không được để trống.") % {"field": name}
    if kind in ("too_long", "too_short"):
        return "invalid", _("Số mục của “%(field)s” không hợp lệ.") % {"field": name}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "invalid", _("“%(field)s” phải là một số nguyên.") % {"field": name}
    if kind in ("bool_parsing", "bool_type"):
        return "invalid", _("“%(field)s” phải là true hoặc false.") % {"field": name}
    if kind.startswith("date") or kind.startswith("datetime"):
        return "invalid", _("“%(field)s” phải là ngày theo dạng YYYY-MM-DD (hoặc thời điểm ISO 8601).") % {
            "field": name}
    if kind == "nul_character":
        return "nul_character", _("“%(field)s” chứa ký tự NUL, không được phép.") % {"field": name}
    if kind == "out_of_range":
        return "out_of_range", _("“%(field)s” nằm ngoài khoảng cho phép.") % {"field": name}
    if kind in ("model_type", "model_attributes_type", "dict_type") and not field:
        return "invalid_body", _("Nội dung yêu cầu phải là một đối tượng JSON.")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return "out_of_range", _("“%(field)s” nằm ngoài khoảng cho phép.") % {"field": name}
    if kind in ("literal_error", "enum"):
        return "invalid", _("“%(field)s” phải là một trong: %(allowed)s.") % {
            "field": name, "allowed": ctx.get("expected", "")}
    if kind == "uuid_parsing":
        return "invalid", _("“%(field)s” phải là một UUID.") % {"field": name}
    if kind == "extra_forbidden":
        return "unknown_field", _("“%(field)s” không phải là một trường của yêu cầu này.") % {"field": field}
    if kind == "json_invalid":
        return "invalid_json", _("Nội dung gửi lên không phải JSON hợp lệ.")
    return "invalid", _("Giá trị của “%(field)s” không hợp lệ.") % {"field": name}


# --- handlers --------------------------------------------------------------------------------------------


def too_large_response(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    from vanthu.documents.uploads import too_large

    refusal = too_large()
    person = getattr(request, "auth", None)
    if person is not None:  # the upload handler stopped reading a file over the limit: audit the refusal
        from vanthu.audit import log

        log.record(actor=person, verb="api.upload.refused", data={
            "operation": f"{request.method} {request.path}", "field": refusal.field, "name": None, "size": None,
            "sha256": None, "code": refusal.code, "reason": refusal.message})
    return error_response(api, request, status=refusal.status, code=refusal.code, field=refusal.field,
                          message=refusal.message)


def register(api: NinjaAPI) -> None:
    def on_refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        response = error_response(api, request, status=exc.status, code=exc.code, message=exc.message,
                                  field=exc.field)
        if exc.retry_after is not None:  # a rate limit or a lock (429)
            response["Retry-After"] = str(exc.retry_after)
        return response

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found",
                              message=_("Không tìm thấy, hoặc bạn không có quyền xem."))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if getattr(request, "vanthu_upload_too_large", False):
            return too_large_response(api, request)
        details: list[FieldError] = []
        codes: list[str] = []
        for error in exc.errors:
            field = _field_of(error.get("loc", ()))
            code, message = _message(error, field)
            details.append(FieldError(field=field, message=message))
            codes.append(code)
        first = details[0] if details else FieldError(field="", message=_("Dữ liệu gửi lên không hợp lệ."))
        return error_response(api, request, status=422, code=codes[0] if codes else "invalid",
                              message=first.message, field=first.field or None, details=details)

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        code = getattr(exc, "code", "token_missing")
        message = exc.message if isinstance(exc, TokenRefused) else _(
            "Cần mã truy cập API: gửi tiêu đề “Authorization: Bearer vt_…”.")
        response = error_response(api, request, status=401, code=code, message=message)
        response["WWW-Authenticate"] = 'Bearer realm="vanthu"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, UnsupportedMediaType):
            return error_response(api, request, status=415, code="unsupported_media_type",
                                  message=_("Nội dung JSON phải gửi với “Content-Type: application/json”."))
        if exc.status_code == 400:  # ninja could not parse the body
            return error_response(api, request, status=400, code="invalid_body",
                                  message=_("Không đọc được nội dung yêu cầu: JSON hoặc biểu mẫu không hợp lệ."))
        return error_response(api, request, status=exc.status_code, code="http_error",
                              message=_("Không thực hiện được yêu cầu (mã %(status)s).") % {"status": exc.status_code})

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large_response(api, request)

    def interrupted(request: HttpRequest, exc: Exception) -> HttpResponse:
        """The database connection lost mid-request (or the disk full): 503 (507) in the error shape, as the
        pages answer it (core/interruptions.py); nothing was written, the caller retries."""
        found = interruptions.texts(exc)
        if found is None:
            raise exc
        status, code, _title, text = found
        logger.warning("API request %s cut short: %s: %s", request.path, type(exc).__name__, exc)
        if status == 503:
            interruptions.forget_lost_connection()
        response = error_response(api, request, status=status, code=code, message=text)
        if status == 503:
            response["Retry-After"] = "5"
        return response

    _on(api, ActionRefused, on_refused)
    _on(api, Http404, on_not_found)
    _on(api, ValidationError, on_validation)
    _on(api, AuthenticationError, on_auth)
    _on(api, HttpError, on_http_error)
    _on(api, RequestDataTooBig, too_big)
    for lost in (*interruptions.DATABASE_ERRORS, OSError):
        _on(api, lost, interrupted)


def _on(api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    api.add_exception_handler(exc_class, cast(Any, handler))
