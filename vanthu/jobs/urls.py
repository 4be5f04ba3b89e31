from django.urls import path

from vanthu.jobs import views

app_name = "jobs"

urlpatterns = [
    path("quan-tri/viec-nen/", views.job_list, name="list"),
    path("quan-tri/viec-nen/<str:job_id>/chay-lai", views.job_retry, name="retry"),
]
