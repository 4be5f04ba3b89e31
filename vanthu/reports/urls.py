"""Printable registers (Decree 30 Phụ lục IV)."""

from django.urls import URLPattern, URLResolver, path, re_path

from vanthu.reports import handling_views, kpi_views, records_views, usage_views, views, weekly_views

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^registers/(?P<kind>incoming|outgoing)/print/$", views.register_print, name="register_print"),
    path("registers/prints/<uuid:pk>/", views.register_print_status, name="register_print_status"),
    path("registers/prints/<uuid:pk>/file", views.register_print_file, name="register_print_file"),
    path("documents/<int:pk>/handling-slip/", handling_views.handling_slip, name="handling_slip"),
    re_path(r"^reports/handling/(?P<kind>followup|handling-in|handling-out)/$", handling_views.handling_report,
            name="handling_report"),
    path("reports/reads/", usage_views.reads_page, name="reads_page"),
    path("reports/kpis/", kpi_views.kpi_page, name="kpi_page"),
    path("units/<int:pk>/weekly-report", weekly_views.weekly_report, name="weekly_report"),
    path("ho-so/<int:pk>/muc-luc.<str:fmt>", records_views.record_items_print, name="records_items_print"),
    path("ho-so/danh-muc/<int:pk>/muc-luc.<str:fmt>", records_views.catalogue_print, name="records_catalogue_print"),
    path("ho-so/nop-luu/<int:pk>/muc-luc.<str:fmt>", records_views.transfer_print, name="records_transfer_print"),
]
