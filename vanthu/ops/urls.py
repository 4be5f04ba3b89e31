from django.urls import path

from vanthu.ops import audit_views, views

app_name = "jobs"

urlpatterns = [
    path("quan-tri/viec-nen/", views.job_list, name="list"),
    path("quan-tri/viec-nen/<str:job_id>/chay-lai", views.job_retry, name="retry"),
    path("quan-tri/nhat-ky/", audit_views.checkpoints_page, name="checkpoints"),
    path("quan-tri/nhat-ky/<int:pk>/diem-kiem-tra", audit_views.checkpoint_now, name="checkpoint_now"),
]
