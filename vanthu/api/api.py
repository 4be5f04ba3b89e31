"""vanthu's JSON API (/api/v1/): a second thin interface over the same actions as the pages.

Every endpoint authenticates with a token (`Authorization: Bearer vt_…`, see auth.py), fetches through the
access functions (404 for what the caller may not see), validates with an explicit schema, calls one action
and answers with an explicit schema. Errors have one shape (errors.py). The OpenAPI document is served at
/api/v1/openapi.json and read at /api/v1/docs (Swagger UI from ninja's bundled static files, never a CDN: the
Content-Security-Policy and the offline deployments forbid one). contract.py completes the document.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from vanthu.api import contract, errors
from vanthu.api.auth import TokenAuth
from vanthu.api.routers import (
    documents,
    exchange,
    inbox,
    incoming,
    kpis,
    lookups,
    outgoing,
    record_freezes,
    records,
    registers,
    search,
    statuses,
    tasks,
    workflow,
)
from vanthu.api.strict import INT_MAX

DESCRIPTION = """\
JSON API of vanthu (văn thư điện tử). Authenticate with `Authorization: Bearer vt_…` (create a token with
`vanthu apitoken create --user <username> --name <what for>`). Every 4xx answer has the shape
`{"error": {"code": "...", "message": "...", "field": "..." | null}}`; messages follow `Accept-Language`
(vi by default, en). See docs/api.md.
"""


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Vietnamese letters as they are (not \\u escapes), so curl output reads as text."""

    json_dumps_params = {"ensure_ascii": False}


class VanthuAPI(NinjaAPI):
    """NinjaAPI whose views are exempt from LoginRequiredMiddleware (they authenticate by token instead) and
    answer a wrong method in the API's error shape."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        """The OpenAPI document, built once per process for each prefix, path parameters and language (~0.8 s of
        CPU each time otherwise: it depends on nothing else); each caller gets its own copy."""
        key = (path_prefix, json.dumps(path_params, sort_keys=True, default=str), get_language())
        text = self._schemas.get(key)
        if text is None:
            schema = contract.complete(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
            text = json.dumps(schema)
            if len(self._schemas) >= 16:
                self._schemas.clear()
            self._schemas[key] = text
        return json.loads(text)

    @functools.cached_property
    def _schemas(self) -> dict[tuple[str | None, str, str | None], str]:
        return {}

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._wrap(pattern.callback)
        return patterns, app_name, namespace

    @functools.cached_property
    def _query_table(self) -> list[tuple[re.Pattern[str], dict[str, dict[str, bool]]]]:
        """For each path of the OpenAPI document: its pattern and, by method, the query parameters it takes
        (name → whether it takes several values)."""
        table = []
        for path, item in self.get_openapi_schema()["paths"].items():
            pattern = re.compile("^" + "/".join(
                "[^/]+" if segment.startswith("{") else re.escape(segment) for segment in path.split("/")) + "$")
            names = {method: {p["name"]: "array" in json.dumps(p.get("schema", {}))
                              for p in operation.get("parameters", []) if p.get("in") == "query"}
                     for method, operation in item.items()}
            table.append((pattern, names))
        return table

    def _query_names(self, request: HttpRequest) -> dict[str, bool]:
        for pattern, names in self._query_table:
            if pattern.match(request.path_info):
                return names.get((request.method or "").lower(), {})
        return {}

    def _wrap(self, view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def api_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            for name, value in kwargs.items():  # an id in the path beyond 64 bits: 422, not a database overflow
                if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) > INT_MAX:
                    return errors.error_response(
                        self, request, status=422, code="out_of_range", field=name,
                        message=_("“%(field)s” nằm ngoài khoảng cho phép.") % {"field": errors.label(name)})
            names = self._query_names(request)
            unknown = sorted(set(request.GET) - set(names))
            if unknown:  # a query parameter the operation does not take is refused, not ignored
                return errors.error_response(
                    self, request, status=422, code="unknown_field", field=unknown[0][:100],
                    message=_("“%(field)s” không phải là một trường của yêu cầu này.") % {"field": unknown[0][:100]})
            repeated = sorted(k for k, values in request.GET.lists() if len(values) > 1 and not names.get(k))
            if repeated:  # a parameter that takes one value, given twice: refused, not "the last one wins"
                return errors.error_response(
                    self, request, status=422, code="invalid", field=repeated[0],
                    message=_("“%(field)s” chỉ nhận một giá trị.") % {"field": errors.label(repeated[0])})
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = errors.error_response(
                    self, request, status=405, code="method_not_allowed",
                    message=_("Phương thức %(method)s không dùng được ở địa chỉ này (dùng: %(allowed)s).")
                    % {"method": request.method, "allowed": allowed},
                )
                response["Allow"] = allowed
            return response

        return login_not_required(api_view)


def build() -> VanthuAPI:
    api = VanthuAPI(
        title="vanthu API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        docs_url="/docs",
        docs=Swagger(settings={"defaultModelsExpandDepth": 0, "docExpansion": "list", "tryItOutEnabled": False}),
        auth=TokenAuth(),
        renderer=Utf8JSONRenderer(),
        parser=errors.JsonOnlyParser(),
    )
    errors.register(api)
    api.add_router("", lookups.router, tags=["lookups"])
    api.add_router("", inbox.router, tags=["inbox"])
    api.add_router("", documents.router, tags=["documents"])
    api.add_router("", registers.router, tags=["registers"])
    api.add_router("", incoming.router, tags=["incoming"])
    api.add_router("", workflow.router, tags=["workflow"])
    api.add_router("", tasks.router, tags=["tasks"])
    api.add_router("", outgoing.router, tags=["outgoing"])
    api.add_router("", search.router, tags=["search"])
    api.add_router("", statuses.router, tags=["statuses"])
    api.add_router("", exchange.router, tags=["exchange"])
    api.add_router("", record_freezes.router, tags=["records"])  # before /records/{record_id}, which "freeze" fits
    api.add_router("", records.router, tags=["records"])
    api.add_router("", kpis.router, tags=["reports"])
    return api


api = build()
