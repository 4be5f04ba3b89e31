from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "vanthu.records"
    label = "records"
    verbose_name = _("Hồ sơ công việc")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vanthu.documents import guards
        from vanthu.notify import reminders as notify_reminders
        from vanthu.records import freezes, permissions, reminders, system_checks  # noqa: F401  (the checks)

        permissions.register_needs()
        guards.register("records.frozen", freezes.guard_document)  # decision 0027
        notify_reminders.register(reminders.SOURCE)
