from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "vanthu.exchange"
    label = "exchange"
    verbose_name = _("Liên thông văn bản")

    def ready(self) -> None:
        from vanthu.documents import outbox
        from vanthu.exchange.carriers import BundleTransport, HttpTransport, LocalEnvelopeTransport

        outbox.register(LocalEnvelopeTransport())  # replaces documents' "local" (same name, same place)
        outbox.register(HttpTransport())
        outbox.register(BundleTransport())

        from vanthu.exchange import agency_hub
        from vanthu.org import agency_sync

        agency_sync.register_source(agency_hub.rows_from_peer)  # `vanthu agencies sync --peer NAME`
