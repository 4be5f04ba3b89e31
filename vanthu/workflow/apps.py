from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "vanthu.workflow"
    label = "workflow"
    verbose_name = _("Xử lý, chỉ đạo")

    def ready(self) -> None:
        from vanthu.notify import reminders as notify_reminders
        from vanthu.workflow import permissions, reminders

        permissions.register_needs()
        notify_reminders.register(reminders.SOURCE)
