from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "vanthu.workflow"
    label = "workflow"
    verbose_name = _("Xử lý, chỉ đạo")

    def ready(self) -> None:
        from vanthu.workflow import permissions

        permissions.register_needs()
