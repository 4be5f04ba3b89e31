"""The OpenAPI document as a contract (issue 18 item 5, decision 0019).

The generated document is completed here, once, for every operation:
- every answer it can give: 400 (the input could not be read or the action refused it), 401 (no usable token,
  with `WWW-Authenticate`), 403, 404 (where it looks something up), 409 and 413 (writes), 415 (JSON bodies),
  422 (schema), 429 (a rate limit or a locked signing key, with `Retry-After`; decision 0021), each with the one
  error schema and examples of its `code` values;
- integers are 64-bit (`format: int64` with its bounds), as the server checks them;
- request and response examples, built from the schemas with realistic values (`EXAMPLE_VALUES`);
- the business rules no schema can express, in the operation's description (`RULES`).
"""

from __future__ import annotations

import copy
from typing import Any

from vanthu.api.strict import INT_MAX, INT_MIN

BASE = "/api/v1"

ERROR_CODES: dict[int, tuple[str, list[str]]] = {
    400: ("The input could not be read, or the action refused it.",
          ["invalid_body", "invalid_utf8", "invalid_multipart", "too_many_fields", "idempotency_key_invalid",
           "not_found (an id in a field)", "due_date_past", "target_outside_tree", "file_type", "file_extension",
           "file_empty", "pdf_corrupt", "pdf_encrypted", "pdf_empty", "comment_required", "invalid", "…"]),
    401: ("No usable token.", ["token_missing", "token_invalid", "token_revoked", "token_expired",
                               "account_inactive"]),
    403: ("The caller may see the object but may not do this to it now.", ["forbidden", "not_your_turn", "…"]),
    404: ("It does not exist, or the caller may not see it (the two look the same).", ["not_found"]),
    409: ("The object changed since the caller read it, the request was a duplicate, or the object is frozen.",
          ["concurrent_edit", "duplicate_submission", "frozen"]),
    413: ("A file over the per-file limit, the files over the per-request total, or a body over the body limit.",
          ["file_too_large", "request_too_large", "body_too_large"]),
    415: ("A JSON body sent with a Content-Type other than application/json.", ["unsupported_media_type"]),
    422: ("The request does not match the schema (an unknown field or query parameter too), or an "
          "Idempotency-Key was reused for another request.",
          ["required", "too_long", "invalid", "out_of_range", "unknown_field", "nul_character",
           "idempotency_key_reused"]),
    429: ("Too many requests: the caller's address failed too many tokens (a valid token is still served), the "
          "person made too many signing requests, or the signing key is locked after wrong passphrases. "
          "Retry-After says when to try again.",
          ["rate_limited", "key_locked"]),
}

ERROR_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"code": "pdf_encrypted", "field": "file",
          "message": "Tệp “cong-van.pdf” được mã hóa bằng mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."},
    401: {"code": "token_missing", "field": None,
          "message": "Cần mã truy cập API: gửi tiêu đề “Authorization: Bearer vt_…”."},
    403: {"code": "forbidden", "field": None, "message": "Bạn không phải người ký văn bản này."},
    404: {"code": "not_found", "field": None, "message": "Không tìm thấy, hoặc bạn không có quyền xem."},
    409: {"code": "concurrent_edit", "field": "expected_version",
          "message": "Văn bản đã được người khác thay đổi; hãy tải lại rồi thử lại."},
    413: {"code": "file_too_large", "field": "file",
          "message": "Tệp “quet-300dpi.pdf” vượt quá dung lượng cho phép (50 MB)."},
    415: {"code": "unsupported_media_type", "field": None,
          "message": "Nội dung JSON phải gửi với “Content-Type: application/json”."},
    422: {"code": "too_long", "field": "subject", "message": "“trích yếu nội dung” dài quá 500 ký tự.",
          "details": [{"field": "subject", "message": "“trích yếu nội dung” dài quá 500 ký tự."}]},
    429: {"code": "rate_limited", "field": None, "message": "Quá nhiều yêu cầu; hãy thử lại sau 42 giây."},
}

REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
           429: "Too Many Requests"}

# Business rules the schema cannot say, by operation (method, path without the /api/v1 prefix).
RULES: dict[tuple[str, str], str] = {
    ("post", "/incoming"): "The caller must be a clerk of `unit`. `due_date` may not be in the past. "
    "`urgency` 4 (hỏa tốc hẹn giờ) needs `urgent_until`. The file must be a PDF whose name ends in .pdf, "
    "not encrypted, not corrupt.",
    ("post", "/drafts"): "`issuing_unit` must be the drafting unit or one above it. A DOCX is converted to PDF "
    "by a job after the answer (`conversion: pending`).",
    ("post", "/documents/{document_id}/review"): "To return the draft (`approve: false`) a `comment` is "
    "required; whitespace is not a comment (it is stripped, and an empty comment is refused). Only the "
    "reviewer whose step is current may answer (403 otherwise). At a format step (`kind: format`) where the "
    "issuing unit requires the check, approving needs all four `checklist` items true (400 "
    "`checklist_incomplete`), and only a holder of the checker role may answer (403 `checker_role`).",
    ("get", "/kpis"): "Only the leaders of `unit` or of a unit above it (404 for anyone else). The period is at "
    "most 366 days, `date_to` not before `date_from` (400 `invalid`). A percentage is null where its base "
    "count is 0.",
    ("post", "/documents/{document_id}/return-for-revision"): "Only the signer may return the draft; the "
    "comment is required and whitespace is not a comment.",
    ("post", "/documents/{document_id}/return"): "Only a document received electronically and not yet "
    "registered may be returned; the reason is required and whitespace is not a reason.",
    ("post", "/documents/{document_id}/recall"): "Only the issuing unit's clerk or leader may recall an issued "
    "document; the reason is required.",
    ("post", "/documents/{document_id}/present"): "`to` must be a leader of the document's unit who may see it.",
    ("post", "/documents/{document_id}/direct"): "Only a leader the document was presented to may direct it. "
    "A unit target must be within the leader's tree; `deadline` may not be in the past; a target's own "
    "deadline may not be later than the general one.",
    ("post", "/documents/{document_id}/sign"): "Only the person of the submitted signing authority, after every "
    "review step approved.",
    ("post", "/documents/{document_id}/issue"): "Only a clerk of the issuing unit, after the signature.",
    ("post", "/records/freeze"): "Only a leader of the records' unit (or of a unit above it) or a security officer "
    "over it; 404 for anyone who may freeze no record and for an id the caller may not freeze. `records` may not "
    "be empty (400 `required`) nor hold a record already frozen (409 `frozen`); the reason is required. While "
    "frozen, every change to the records and to the documents filed in them is refused (409 `frozen`).",
    ("post", "/records/unfreeze"): "The same callers as `/records/freeze`; every record must be frozen (409 "
    "`not_frozen`); the reason is required.",
    ("post", "/documents/{document_id}/submit"): "Only the drafter; the signing authority must be of the issuing "
    "unit and valid today.",
}

EXAMPLE_VALUES: dict[str, Any] = {
    "subject": "V/v diễn tập phòng thủ năm 2027", "organ_name": "Bộ Quốc phòng", "code_number": "125",
    "code_notation": "BQP-TM", "notation": "125/BQP-TM", "reason": "Gửi nhầm đơn vị nhận",
    "comment": "Đề nghị bổ sung mục 2 về bảo đảm hậu cần.", "text": "Giao Sư đoàn 301 chủ trì; Bộ Tham mưu phối hợp.",
    "note": "Kính trình Thủ trưởng", "result": "Đã tổ chức thực hiện, báo cáo kèm theo.", "full_name": "Nguyễn Văn An",
    "name": "Bộ Tham mưu", "short_name": "BTM", "abbreviation": "TM", "position": "Trợ lý", "rank": "Đại úy",
    "signer_name": "Trần Văn Bình", "signer_position": "Tham mưu trưởng", "secret": "123456", "otp": "492039",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "status": "registered",
    "status_label": "Đã vào sổ", "direction": "in", "kind": "main", "content_type": "application/pdf",
    "url": "/api/v1/documents/42/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "q": "diễn tập", "year": 2026, "limit": 20, "urgency": 1, "secrecy": 0, "version": 3, "number": 17,
    "expected_version": 3, "percent": 50, "urgency_label": "Khẩn", "secrecy_label": "Thường",
    "clearance_label": "Mật", "role": "clerk", "role_label": "Văn thư", "competence_line": "KT. TƯ LỆNH",
    "title": "PHÓ TƯ LỆNH", "prefix": "KT.", "language": "vi", "description": "", "to_places": "Như trên; Lưu: VT.",
    "organ_id": "000.00.00.G01", "received_via": "paper", "return_reason": "", "recall_reason": "",
    "approved_sha256": "", "series": "", "source_name": "du-thao.docx", "conversion": "", "conversion_error": "",
    "state": "sent", "state_label": "Đã gửi", "external_name": "", "purpose": "act", "verb": "document.registered",
    "actor_name": "Nguyễn Thị Lan", "problem": "", "level": "B-LT", "signer": "Trần Văn Bình",
    "role_in": "lead", "snippet": "… kế hoạch <mark>diễn tập</mark> phòng thủ …", "code": "HTX-01",
    "signer_competence": "KT.", "delivery_state": "delivered", "delivery_state_label": "Đã chuyển",
    "message": "Không tìm thấy, hoặc bạn không có quyền xem.",
}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def example_of(document: dict[str, Any], schema: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """A realistic value for `schema` (a field called `name`)."""
    schema = _resolve(document, schema)
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] not in (None, "", [], {}):
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return example_of(document, options[0], name, depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {key: example_of(document, sub, key, depth + 1) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        if depth > 4:
            return []
        return [example_of(document, schema.get("items", {}), name, depth + 1)]
    if name in EXAMPLE_VALUES and not (kind == "string" and not isinstance(EXAMPLE_VALUES[name], str)):
        return EXAMPLE_VALUES[name]
    if kind == "integer":
        low = schema.get("minimum", 1)
        return max(low, 42 if name.endswith("id") or name in ("id", "to", "unit", "person", "doc_type") else 1)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return name != "revoked"
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2026-12-08"
        if fmt == "date-time":
            return "2026-12-01T08:30:00+07:00"
        if fmt == "binary":
            return "cong-van.pdf"
        if fmt == "uuid":
            return "3f2b8c1e-6d1a-4c2e-9b7a-0e5d4c3b2a19"
        if "pattern" in schema and "64" in schema["pattern"]:
            return EXAMPLE_VALUES["sha256"]
        return "Bộ Tham mưu" if schema.get("maxLength", 100) >= 11 else "12"
    return None


def _bound_integers(node: Any) -> None:
    """Every integer the API takes or gives is 64-bit: say so, with the bounds the server checks."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("format", "int64")
            node.setdefault("minimum", INT_MIN)
            node.setdefault("maximum", INT_MAX)
        for value in node.values():
            _bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            _bound_integers(value)


def _error_schema(document: dict[str, Any]) -> None:
    body = document["components"]["schemas"]["ErrorBody"]
    lines = [f"- {status}: {', '.join(codes)}" for status, (_why, codes) in ERROR_CODES.items()]
    body["properties"]["code"]["description"] = "Stable, for programs. By status:\n" + "\n".join(lines)
    body["properties"]["message"]["description"] = "For people, in the request's language (Accept-Language)."
    body["properties"]["field"]["description"] = "The input at fault (dotted for nested fields), or null."


def _statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    # 403 and 404 for every operation: a read may be refused (not the unit's clerk, not an administrator) and
    # answers 404 for what the caller may not see.
    # 429 for every operation too: past its rate, an address's failed token is answered 429 instead of 401.
    statuses = {400, 401, 403, 404, 422, 429}
    if method == "post":
        statuses |= {409, 413}
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            statuses.add(415)
    return statuses


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Complete the generated OpenAPI document in place (see the module's docstring); returns it."""
    _error_schema(document)
    _bound_integers(document["components"]["schemas"])
    for path, item in document["paths"].items():
        short = path.removeprefix(BASE)
        for method, operation in item.items():
            _bound_integers(operation.get("parameters", []))
            _bound_integers(operation.get("requestBody", {}))
            responses = {int(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status in sorted(_statuses(method, short, operation)):
                why, codes = ERROR_CODES[status]
                entry = responses.setdefault(status, {"description": REASONS[status], "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}})
                entry["description"] = f"{why} Codes: {', '.join(codes)}."
                media = entry.setdefault("content", {}).setdefault(
                    "application/json", {"schema": {"$ref": "#/components/schemas/ErrorOut"}})
                media["example"] = {"error": ERROR_EXAMPLES[status]}
                if status == 401:
                    entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                             "description": 'Bearer realm="vanthu"'}}
                if status == 429:
                    entry["headers"] = {"Retry-After": {"schema": {"type": "integer", "minimum": 1},
                                                        "description": "Seconds until the request may be tried "
                                                                       "again."}}
            operation["responses"] = dict(sorted(responses.items()))
            for status, entry in operation["responses"].items():
                if not 200 <= status < 300:
                    continue
                for media_type, media in entry.get("content", {}).items():
                    if media_type == "application/json" and "schema" in media:
                        media.setdefault("example", example_of(document, copy.deepcopy(media["schema"])))
                if status == 200 and any(p.get("name") == "Idempotency-Key"
                                           for p in operation.get("parameters", [])):
                    entry["headers"] = {"Idempotent-Replayed": {
                        "schema": {"type": "string", "enum": ["true"]},
                        "description": "Present on a replay: the first request with this Idempotency-Key made "
                                       "this document."}}
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                if "schema" in media:
                    value = example_of(document, copy.deepcopy(media["schema"]))
                    if media_type == "application/json":
                        media.setdefault("example", value)
                    else:  # a form: an example of its text fields (files are sent as files)
                        media.setdefault("example", value)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("path", "query") and "example" not in parameter:
                    value = example_of(document, copy.deepcopy(parameter.get("schema", {})), parameter["name"])
                    if value is not None:
                        parameter["example"] = value
                if parameter.get("name") == "Idempotency-Key":
                    parameter["description"] = (
                        "Makes a retry safe (one header, 1–200 printable ASCII characters, no comma). Bound to the "
                        "caller, the operation and a hash of the request for 24 hours: the same request replays "
                        "the first answer (200, Idempotent-Replayed: true); another request or operation with the "
                        "same key is 422 idempotency_key_reused.")
                    parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 200,
                                           "pattern": "^[\\x21-\\x2b\\x2d-\\x7e]+$"}
                    parameter["example"] = "2026-12-01-bqp-125"
            rule = RULES.get((method, short))
            if rule:
                operation["description"] = (operation.get("description", "") + "\n\nRules: " + rule).strip()
    return document
