"""Pages of documents (the JSON API lives under /api/v1/, the printed registers in reports)."""

from django.urls import URLPattern, URLResolver, path, re_path

from vanthu.documents import status_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("registers/incoming/", views.incoming_register, name="incoming_register"),
    path("registers/outgoing/", views.outgoing_register, name="outgoing_register"),
    path("documents/incoming/new/", views.incoming_new, name="incoming_new"),
    path("drafts/new/", views.draft_new, name="draft_new"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/conversion/", views.document_conversion, name="document_conversion"),
    re_path(r"^documents/(?P<pk>[0-9]+)/file/(?P<sha256>[0-9a-f]{64})/$", views.document_file, name="document_file"),
    path("documents/<int:pk>/register/", views.document_register, name="document_register"),
    path("documents/<int:pk>/return/", views.document_return, name="document_return"),
    path("documents/<int:pk>/edit/", views.incoming_edit, name="incoming_edit"),
    path("documents/<int:pk>/draft/", views.draft_edit, name="draft_edit"),
    path("documents/<int:pk>/versions/new/", views.draft_version_new, name="draft_version_new"),
    path("documents/<int:pk>/submit/", views.draft_submit, name="draft_submit"),
    path("documents/<int:pk>/review/", views.draft_review, name="draft_review"),
    path("documents/<int:pk>/return-for-revision/", views.draft_return, name="draft_return"),
    path("documents/<int:pk>/sign/", views.document_sign, name="document_sign"),
    path("documents/<int:pk>/sign/remote/", views.document_sign_remote, name="document_sign_remote"),
    path("documents/<int:pk>/issue/", views.document_issue, name="document_issue"),
    path("documents/<int:pk>/copy/", views.document_copy, name="document_copy"),
    path("documents/<int:pk>/scan/seal/", views.scan_seal, name="scan_seal"),
    path("documents/<int:pk>/recall/", views.document_recall, name="document_recall"),
    path("documents/<int:pk>/deliveries/<int:message_id>/retry/", views.delivery_retry, name="delivery_retry"),
    # statuses (issue 8)
    path("arrivals/", status_views.arrivals, name="arrivals"),
    path("documents/<int:pk>/recipients/", status_views.recipients_panel, name="recipients_panel"),
    path("documents/<int:pk>/trail/<int:trail_id>/evidence/", status_views.trail_evidence, name="trail_evidence"),
    path("documents/<int:pk>/arrival/register/", status_views.arrival_register, name="arrival_register"),
    path("documents/<int:pk>/arrival/return/", status_views.arrival_return, name="arrival_return"),
    path("documents/<int:pk>/recall/accept/", status_views.recall_accept, name="recall_accept"),
    path("documents/<int:pk>/recall/refuse/", status_views.recall_refuse, name="recall_refuse"),
    path("documents/<int:pk>/statuses/<int:message_id>/retry/", status_views.status_retry, name="status_retry"),
]
