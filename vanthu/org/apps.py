from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "vanthu.org"
    label = "org"
    verbose_name = _("Tổ chức")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from vanthu.org.sessions import stamp_login

        # Django's own login signal (not a step of vanthu's workflow): the new session notes its device, address
        # and first use as it is saved by login(), so the first page after it writes nothing more.
        user_logged_in.connect(stamp_login, dispatch_uid="vanthu.org.sessions.stamp_login")
