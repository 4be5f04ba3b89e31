"""URL map: /healthz, pages per app, the JSON API under /api/v1/, and the public PKI endpoints under /pki/."""

from django.urls import include, path

from vanthu.ops import lock_views
from vanthu.ops.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("vanthu.ops.urls")),
    path("quan-tri/khoa/", lock_views.lock_list, name="locks"),
    path("quan-tri/khoa/mo", lock_views.lock_lift, name="locks_lift"),
    path("", include("vanthu.org.urls")),
    path("", include("vanthu.notify.urls")),
    path("", include("vanthu.workflow.urls")),
    path("", include("vanthu.documents.urls")),
    path("", include("vanthu.reports.urls")),
    path("", include("vanthu.search.urls")),
    path("", include("vanthu.signing.urls")),
    path("", include("vanthu.exchange.urls")),
    path("", include("vanthu.records.urls")),
    path("api/v1/", include("vanthu.api.urls")),
]

# The error pages in the site's design (issue 12); /api/ and /exchange/v1/ keep the API's JSON error shape.
handler400 = "vanthu.ops.errors.bad_request"
handler403 = "vanthu.ops.errors.permission_denied"
handler404 = "vanthu.ops.errors.page_not_found"
handler500 = "vanthu.ops.errors.server_error"
