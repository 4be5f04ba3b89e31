from django.urls import URLPattern, path

from vanthu.notify import views

app_name = "notify"
urlpatterns: list[URLPattern] = [
    path("thong-bao/", views.notification_list, name="list"),
    path("thong-bao/chuong/", views.bell, name="bell"),
    path("thong-bao/<int:pk>/mo/", views.notification_open, name="open"),
    path("thong-bao/<int:pk>/da-doc/", views.notification_read, name="read"),
    path("thong-bao/da-doc-het/", views.notification_read_all, name="read_all"),
    path("thong-bao/cai-dat/", views.preferences, name="preferences"),
]
