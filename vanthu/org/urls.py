"""Login, logout (POST), the language switch (POST, also from the login page), sessions, issuing bodies."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path
from django.views.i18n import set_language

from vanthu.org import agency_views, session_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("org/issuing-bodies/", agency_views.issuing_bodies, name="issuing_bodies"),
    path("org/agencies/", agency_views.agency_directory, name="agency_directory"),
    path("org/agencies/<int:pk>/toggle/", agency_views.agency_toggle, name="agency_toggle"),
    path("org/units/<int:pk>/head/", agency_views.unit_head, name="unit_head"),
    path("tai-khoan/phien/", session_views.my_sessions, name="my_sessions"),
    path("tai-khoan/phien/<str:handle>/ket-thuc", session_views.my_session_end, name="my_session_end"),
    path("quan-tri/nguoi/<int:pk>/phien/", session_views.person_sessions, name="person_sessions"),
    path("quan-tri/nguoi/<int:pk>/phien/<str:handle>/ket-thuc", session_views.person_session_end,
         name="person_session_end"),
]
