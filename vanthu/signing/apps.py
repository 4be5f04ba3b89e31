from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "vanthu.signing"
    label = "signing"
    verbose_name = _("Chữ ký số")

    def warm(self) -> None:
        """Called once when an app server process starts (vanthu/wsgi.py)."""
        from vanthu.signing import warmth

        warmth.warm()
