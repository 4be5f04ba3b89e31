"""Append-only, hash-chained audit events.

Events are grouped in chains (one per unit, plus "global"); each event's hash covers its content and the
previous event's hash in the same chain, so removing or editing any event breaks every hash after it.
`vanthu audit verify` recomputes the chains.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    chain = models.CharField(_("chuỗi"), max_length=40)
    seq = models.BigIntegerField(_("thứ tự trong chuỗi"))
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor_id = models.BigIntegerField(_("người thực hiện (mã)"), null=True, blank=True)
    actor_name = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    verb = models.CharField(_("hành động"), max_length=100)
    target_type = models.CharField(_("loại đối tượng"), max_length=60, blank=True)
    target_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    unit_id = models.BigIntegerField(_("đơn vị (mã)"), null=True, blank=True)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")]
        indexes = [
            models.Index(fields=["target_type", "target_id", "id"], name="audit_target"),
            models.Index(fields=["actor_id", "id"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_type}:{self.target_id}"


class AuditChainHead(models.Model):
    """The last sequence number and hash of each chain; locked while an event is appended."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"


class AuditCheckpoint(models.Model):
    """A signed, time-stamped statement "chain C had N events, the N-th with hash H" (decision 0022).

    `statement` is the exact UTF-8 JSON that was signed; `signature` the detached CMS (DER) over it, made with
    the deployment's key by the app that holds it (audit signs nothing itself: it is given a signer). Rows are
    only ever added, one per chain and sequence number."""

    chain = models.CharField(_("chuỗi"), max_length=40)
    seq = models.BigIntegerField(_("số sự kiện"))
    hash = models.CharField(max_length=64)
    made_at = models.DateTimeField(_("thời điểm lập"))
    statement = models.TextField()
    signature = models.BinaryField()
    signer = models.CharField(_("người ký"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("điểm kiểm tra nhật ký")
        verbose_name_plural = _("điểm kiểm tra nhật ký")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_chain_seq")]

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"
