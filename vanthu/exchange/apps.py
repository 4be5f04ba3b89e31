from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "vanthu.exchange"
    label = "exchange"
    verbose_name = _("Liên thông văn bản")

    def ready(self) -> None:
        from vanthu.documents import outbox

        # By path, made on first use: the carriers import the whole receiving and signing stack.
        outbox.register_path("local", "vanthu.exchange.carriers.LocalEnvelopeTransport")  # replaces documents' "local"
        outbox.register_path("http", "vanthu.exchange.carriers.HttpTransport")
        outbox.register_path("bundle", "vanthu.exchange.carriers.BundleTransport")

        from vanthu.exchange import agency_hub
        from vanthu.org import agency_sync

        agency_sync.register_source(agency_hub.rows_from_peer)  # `vanthu agencies sync --peer NAME`

    def warm(self) -> None:
        """Called once when an app server process starts (vanthu/wsgi.py): the carriers, hence the whole receiving
        and signing stack, and the XML signature library's schemas."""
        import signxml.schemas  # noqa: F401 - imported now rather than in a peer's first request

        import vanthu.exchange.carriers  # noqa: F401
