from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "vanthu.records"
    label = "records"
    verbose_name = _("Hồ sơ công việc")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vanthu.notify import reminders as notify_reminders
        from vanthu.records import permissions, reminders, system_checks  # noqa: F401  (registers the checks)

        permissions.register_needs()
        notify_reminders.register(reminders.SOURCE)
