from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "vanthu.documents"
    label = "documents"
    verbose_name = _("Văn bản")

    def ready(self) -> None:
        from vanthu.documents import limits, outbox
        from vanthu.notify import reminders

        outbox.register_path("local", "vanthu.documents.local_transport.LocalTransport")  # made on first use
        reminders.register(limits.SOURCE)  # the clerk's same-day limits (checklist 22, 27)
