from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "vanthu.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # Every app's jobs (their labels, retry policies and periods) are known to the web process too.
        from vanthu.jobs.registry import autodiscover

        autodiscover()
