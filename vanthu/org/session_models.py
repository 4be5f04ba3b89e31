"""The session row with its person's account, device and address (decision 0021; its store is org/sessions.py).

No import of org's other modules: `org/models.py` imports this one so that Django finds the model.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonSession(AbstractBaseSession):
    """A login session. `handle` (a hash of the secret session key) names it in pages and URLs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    handle = models.CharField(max_length=32, db_index=True, editable=False)
    user_agent = models.CharField(_("thiết bị"), max_length=300, blank=True, default="")
    address = models.GenericIPAddressField(_("địa chỉ"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    last_seen = models.DateTimeField(_("lần cuối"), null=True, blank=True)

    class Meta:
        db_table = "org_session"
        verbose_name = _("phiên đăng nhập")
        indexes = [models.Index(fields=["user", "expire_date"], name="org_session_user_expire")]

