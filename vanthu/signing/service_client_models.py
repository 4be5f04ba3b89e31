"""Clients of the endpoints that sign for others (decision 0021): the time-stamp service today.

A client is named, holds a token shown once when it is made (`vsc_…`; only its SHA-256 is kept), and may be
revoked. No import of signing's other modules: `signing/models.py` imports this one so that Django finds it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceClient(models.Model):
    name = models.CharField(_("tên"), max_length=100, unique=True,
                            help_text=_("Hệ thống nào dùng dịch vụ, ví dụ “cổng dịch vụ công”."))
    prefix = models.CharField(_("tiền tố"), max_length=8)
    token_hash = models.CharField(_("mã băm SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        db_table = "signing_service_client"
        verbose_name = _("ứng dụng dùng dịch vụ ký")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
