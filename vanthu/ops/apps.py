from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "vanthu.ops"
    label = "ops"
    verbose_name = "Operations"
