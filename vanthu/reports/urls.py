"""Printable registers (Decree 30 Phụ lục IV)."""

from django.urls import URLPattern, URLResolver, re_path

from vanthu.reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^registers/(?P<kind>incoming|outgoing)/print/$", views.register_print, name="register_print"),
]
