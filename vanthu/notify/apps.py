from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "vanthu.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from vanthu.notify import checks  # noqa: F401  (registers the SMTP checks)
