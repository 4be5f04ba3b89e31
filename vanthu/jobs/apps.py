from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "vanthu.jobs"
    label = "jobs"
    verbose_name = "Jobs"
