from django.urls import path

from vanthu.exchange import agency_views, pages, views

app_name = "exchange"

urlpatterns = [
    path("exchange/v1/envelopes", views.envelopes, name="envelopes"),
    path("exchange/v1/batch", views.batch, name="batch"),
    path("exchange/v1/agencies", agency_views.agencies, name="agencies"),
    path("lien-thong/he-thong/", pages.peers, name="peers"),
    path("lien-thong/he-thong/<int:pk>/", pages.peer_edit, name="peer_edit"),
    path("lien-thong/he-thong/<int:pk>/ngung", pages.peer_deactivate, name="peer_deactivate"),
    path("lien-thong/bi-tu-choi/", pages.refused, name="refused"),
    path("lien-thong/goi-tin/<int:pk>/", pages.received, name="received"),
    path("lien-thong/goi-tin/<int:pk>/tai-ve", pages.received_raw, name="received_raw"),
]
