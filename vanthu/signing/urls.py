from django.urls import path, re_path

from vanthu.signing import views

app_name = "signing"

urlpatterns = [
    # Public PKI endpoints. Their paths are printed in certificates (pki.crl_url …): never change them.
    path("pki/ca/<slug:slug>.crt", views.ca_certificate, name="ca_certificate"),
    path("pki/crl/<slug:slug>.crl", views.crl, name="crl"),
    path("pki/ocsp", views.ocsp, name="ocsp"),
    re_path(r"^pki/ocsp/(?P<encoded>[A-Za-z0-9+/=%]+)$", views.ocsp_get, name="ocsp_get"),
    path("pki/tsa", views.timestamp, name="tsa"),
    # Admin pages.
    path("ky-so/chung-thu/", views.certificate_list, name="certificates"),
    path("ky-so/chung-thu/<int:pk>/", views.certificate_detail, name="certificate"),
    path("ky-so/chung-thu/<int:pk>/thu-hoi", views.certificate_revoke, name="certificate_revoke"),
    path("ky-so/chung-thu/<int:pk>/gia-han", views.certificate_renew, name="certificate_renew"),
    path("ky-so/tin-cay/", views.anchors, name="anchors"),
    path("ky-so/tin-cay/<int:pk>/bat-tat", views.anchor_toggle, name="anchor_toggle"),
    path("ky-so/nguoi-ky/", views.owners, name="owners"),
    path("ky-so/nguoi-ky/<str:kind>/<int:pk>/", views.owner_detail, name="owner"),
    path("ky-so/nguoi-ky/<str:kind>/<int:pk>/hinh.png", views.owner_image, name="owner_image"),
    path("ky-so/nguoi-ky/<str:kind>/<int:pk>/<str:what>", views.owner_action, name="owner_action"),
    path("ky-so/khoa/<int:pk>/mac-dinh", views.credential_default, name="credential_default"),
    # Each signer's own page.
    path("ky-so/mat-khau-khoa-ky/", views.my_passphrase, name="my_passphrase"),
]
