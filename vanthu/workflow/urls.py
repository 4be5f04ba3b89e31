"""The inbox (home page) and the handling forms of incoming documents."""

from django.urls import URLPattern, URLResolver, path

from vanthu.workflow import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("documents/<int:pk>/present/", views.document_present, name="document_present"),
    path("documents/<int:pk>/direct/", views.document_direct, name="document_direct"),
    path("assignments/<int:pk>/forward/", views.assignment_forward, name="assignment_forward"),
    path("assignments/<int:pk>/start/", views.assignment_start, name="assignment_start"),
    path("assignments/<int:pk>/complete/", views.assignment_complete, name="assignment_complete"),
]
