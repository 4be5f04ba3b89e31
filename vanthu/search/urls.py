from django.urls import URLPattern, path

from vanthu.search import views

urlpatterns: list[URLPattern] = [
    path("search/", views.results, name="search"),
    path("search/export.xlsx", views.export_xlsx, name="search_export"),
]
