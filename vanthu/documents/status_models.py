"""The sender's trail of statuses and the receiver's answer to a recall (issue 8). Kept beside `models`,
which imports it (this module imports nothing of `models`: the relations are named by string)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile

# The edXML status code of each `models.MessageStatus` value (exchange.edxml.model.StatusCode).
EDXML_CODES: dict[str, str] = {
    "arrived": "01", "returned": "02", "registered": "03", "assigned": "04", "in_progress": "05", "done": "06",
    "cancelled": "13", "recall_accepted": "15", "recall_refused": "16",
}

# The statuses a recipient reports back (the labels of `models.MessageStatus`).
STATUS_CHOICES = [
    ("arrived", _("Đã đến")), ("returned", _("Trả lại")), ("registered", _("Đã vào sổ")),
    ("assigned", _("Đã phân công xử lý")), ("in_progress", _("Đang xử lý")), ("done", _("Đã xử lý xong")),
    ("cancelled", _("Yêu cầu thu hồi, thay thế")), ("recall_accepted", _("Đồng ý thu hồi")),
    ("recall_refused", _("Từ chối thu hồi")),
]


class RecallAnswer(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    ACCEPTED = "accepted", _("Đồng ý thu hồi")
    REFUSED = "refused", _("Từ chối thu hồi")


class RecipientStatus(models.Model):
    """The sender's trail, as evidence: one row per status message received about a recipient (01 arrived …
    06 done, 02 returned, 15/16 the answer to a recall), in the order received. `key` is the status
    message's own key: the same message delivered twice is recorded once. What the transport could prove
    comes with it — who signed the status, whether the signature was verified, the SHA-256 of the document it
    is bound to, and the signed envelope itself (`evidence`); the local transport carries none (`verified`
    False: the page says "nội bộ, chưa ký")."""

    key = models.UUIDField(unique=True)
    recipient = models.ForeignKey("documents.Recipient", on_delete=models.CASCADE, related_name="trail")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=20, choices=STATUS_CHOICES)
    reason = models.CharField(_("lý do, nội dung"), max_length=500, blank=True)
    at = models.DateTimeField(_("thời điểm tại nơi nhận"), null=True, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    transport = models.CharField(_("kênh"), max_length=30)
    signer = models.CharField(_("người, cơ quan ký"), max_length=300, blank=True)
    verified = models.BooleanField(_("đã xác minh chữ ký"), default=False)
    document_sha256 = models.CharField(_("mã băm văn bản"), max_length=64, blank=True)
    evidence = models.ForeignKey(StoredFile, verbose_name=_("gói tin đã ký"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("trạng thái nơi nhận báo về")
        verbose_name_plural = _("trạng thái nơi nhận báo về")
        ordering = ["recipient", "received_at", "pk"]
        indexes = [models.Index(fields=["document", "recipient"], name="trail_document")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.status} ({self.key})"

    @property
    def edxml_code(self) -> str:
        return EDXML_CODES.get(self.status, "")
