"""API tokens: a person's named, revocable keys for the JSON API.

The secret (`vt_…`) is shown once when the token is created; only its SHA-256 is kept. `prefix` (the first
characters after `vt_`) is stored in clear so that a person can tell their tokens apart in a list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

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


# How long an Idempotency-Key is remembered (docs/api.md, decision 0019): a retry within this period replays;
# after it the key is forgotten (pruned daily by vanthu.api.jobs) and may start a new request.
IDEMPOTENCY_TTL = dt.timedelta(hours=24)


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a person sent, bound to the operation and a hash of the request it came with.

    The same key with the same operation and request replays the first answer; with another operation or
    another request it is refused (422 idempotency_key_reused). `client_token` is what the creating action
    stores on its record (unique there), so concurrent retries still create one record.
    """

    person = models.ForeignKey(Person, verbose_name=_("cán bộ"), on_delete=models.CASCADE,
                               related_name="idempotency_keys")
    key = models.CharField(_("khóa"), max_length=200)
    operation = models.CharField(_("thao tác"), max_length=100)
    request_hash = models.CharField(_("mã băm yêu cầu"), max_length=64)
    client_token = models.UUIDField(_("mã yêu cầu"), default=uuid.uuid4, unique=True, editable=False)
    document_id = models.BigIntegerField(_("văn bản đã tạo"), null=True, blank=True)
    created_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), db_index=True)

    class Meta:
        verbose_name = _("khóa chống gửi lặp")
        verbose_name_plural = _("khóa chống gửi lặp")
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="api_idempotency_key_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.key} ({self.operation})"
