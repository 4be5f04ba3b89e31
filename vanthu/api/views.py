"""The API's index (what and where the OpenAPI document is) and its JSON 404 for unknown addresses.

Both are public: they reveal nothing but the interface. The docs page (/api/v1/docs) is Swagger UI from
ninja's bundled static files, under the site's Content-Security-Policy.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from vanthu.api import errors
from vanthu.api.api import api


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {"title": api.title, "version": api.version, "openapi": reverse("api:openapi-json"),
         "docs": reverse("api:openapi-view"),
         "authentication": "Authorization: Bearer vt_…"},
        json_dumps_params={"ensure_ascii": False},
    )


@login_not_required
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return errors.error_response(api, request, status=404, code="not_found",
                                 message=_("Không có địa chỉ API này."))
