from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanthu.search"
    label = "search"
    verbose_name = "Tra cứu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vanthu.search import checks  # noqa: F401  (registers the engine check)
