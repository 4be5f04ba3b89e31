"""API tokens: a person's named, revocable keys for the JSON API.

The secret (`vt_…`) is shown once when the token is created; only its SHA-256 is kept. `prefix` (the first
characters after `vt_`) is stored in clear so that a person can tell their tokens apart in a list.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.org.models import Person

SECRET_PREFIX = "vt_"  # noqa: S105  (the visible prefix of every token, not a secret)
PREFIX_LENGTH = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("cán bộ"), on_delete=models.CASCADE,
                               related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100, help_text=_("Dùng vào việc gì, ví dụ “tích hợp cổng TTĐT”."))
    prefix = models.CharField(_("tiền tố"), max_length=PREFIX_LENGTH)
    secret_hash = models.CharField(_("mã băm SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["person", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({SECRET_PREFIX}{self.prefix}…)"

    def is_expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
