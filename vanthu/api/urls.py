"""The JSON API, included at /api/v1/ by vanthu/urls.py."""

from django.urls import URLPattern, URLResolver, path, re_path

from vanthu.api import views
from vanthu.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="api-index"),  # before ninja's root, which only raises an HTML 404
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="api-not-found"),
]
