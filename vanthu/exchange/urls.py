from django.urls import path

from vanthu.exchange import views

urlpatterns = [
    path("exchange/v1/envelopes", views.envelopes, name="exchange_envelopes"),
]
