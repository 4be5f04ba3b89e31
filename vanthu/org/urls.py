"""Login, logout (POST), the language switch (POST, also from the login page), sessions, issuing bodies."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path
from django.views.i18n import set_language

from vanthu.org import agency_views, second_factor_views, session_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("org/issuing-bodies/", agency_views.issuing_bodies, name="issuing_bodies"),
    path("org/agencies/", agency_views.agency_directory, name="agency_directory"),
    path("org/agencies/<int:pk>/toggle/", agency_views.agency_toggle, name="agency_toggle"),
    path("org/units/<int:pk>/head/", agency_views.unit_head, name="unit_head"),
    path("org/units/<int:pk>/codes/", agency_views.unit_codes, name="unit_codes"),
    path("tai-khoan/phien/", session_views.my_sessions, name="my_sessions"),
    path("tai-khoan/phien/<str:handle>/ket-thuc", session_views.my_session_end, name="my_session_end"),
    path("quan-tri/nguoi/<int:pk>/phien/", session_views.person_sessions, name="person_sessions"),
    path("quan-tri/nguoi/<int:pk>/phien/<str:handle>/ket-thuc", session_views.person_session_end,
         name="person_session_end"),
    # The second factor (decision 0020).
    path("tai-khoan/xac-thuc/", second_factor_views.devices, name="second_factor"),
    path("tai-khoan/xac-thuc/dang-ky/", second_factor_views.enrol, name="second_factor_enrol"),
    path("tai-khoan/xac-thuc/dang-ky/qr.svg", second_factor_views.enrol_qr, name="second_factor_qr"),
    path("tai-khoan/xac-thuc/<int:pk>/go", second_factor_views.remove, name="second_factor_remove"),
    path("tai-khoan/xac-thuc/ma/", second_factor_views.verify, name="second_factor_verify"),
    path("tai-khoan/xac-thuc/khoa/tuy-chon-dang-ky", second_factor_views.key_registration_options,
         name="security_key_registration_options"),
    path("tai-khoan/xac-thuc/khoa/dang-ky", second_factor_views.key_register, name="security_key_register"),
    path("tai-khoan/xac-thuc/khoa/tuy-chon", second_factor_views.key_assertion_options,
         name="security_key_assertion_options"),
    path("tai-khoan/xac-thuc/khoa/<int:pk>/go", second_factor_views.key_remove, name="security_key_remove"),
    path("org/people/<int:pk>/xac-thuc/dat-lai/", second_factor_views.reset, name="second_factor_reset"),
]
