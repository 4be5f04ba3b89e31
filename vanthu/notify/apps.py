from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "vanthu.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from vanthu.notify import checks, rights_alerts  # noqa: F401  (checks: registers the SMTP checks)

        rights_alerts.subscribe()  # alerts on rights changes: org announces them (org.signals, decision 0027)
