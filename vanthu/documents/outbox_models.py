"""The messages between units: what a unit sends through a transport (`OutboxMessage`: an issued document for one
recipient, or a status about it) and what it received (`Arrival`, by the message's key). Models of the documents
app (imported by `models.py`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanthu.documents.status_models import EDXML_CODES, RecallAnswer
from vanthu.org.models import Unit


class MessageKind(models.TextChoices):
    DOCUMENT = "document", _("Văn bản")
    STATUS = "status", _("Trạng thái")


class MessageStatus(models.TextChoices):
    """What a status message says, with its edXML status code (`edxml_code`; Decision 28/2018, QCVN 102
    Status): from the recipient back to the sender — arrived (01), returned with a reason (02), registered
    (03), assigned (04), in progress (05), done (06), recall accepted (15) or refused (16) —, or from the
    sender to the recipient — recall, update or replacement requested (13; stored as "cancelled", its value
    before the handshake existed)."""

    ARRIVED = "arrived", _("Đã đến")
    RETURNED = "returned", _("Trả lại")
    REGISTERED = "registered", _("Đã vào sổ")
    ASSIGNED = "assigned", _("Đã phân công xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DONE = "done", _("Đã xử lý xong")
    CANCELLED = "cancelled", _("Yêu cầu thu hồi, thay thế")
    RECALL_ACCEPTED = "recall_accepted", _("Đồng ý thu hồi")
    RECALL_REFUSED = "recall_refused", _("Từ chối thu hồi")

    @property
    def edxml_code(self) -> str:
        """The code of `exchange.edxml.model.StatusCode` (kept as a string: documents does not import
        exchange)."""
        return EDXML_CODES[self.value]

    @classmethod
    def from_edxml_code(cls, code: str) -> MessageStatus:
        """The status of an edXML status code ("03"); ValueError for a code vanthu does not use."""
        for value, known in EDXML_CODES.items():
            if known == code:
                return cls(value)
        raise ValueError(f"unknown edXML status code {code!r}")


class OutboxMessage(models.Model):
    """One message a unit sends through a transport: an issued document for one recipient, written in the
    issuing transaction, or a status about such a document. A delivery job (`documents.jobs.deliver`) hands
    it to its transport; the sender's row only ever changes in the sender's own transactions.

    `address` is what the transport needs to find the destination: a unit's id for the local transport, an
    organ id for the exchange between deployments. `answers` (status messages) is the key of the document
    message the status is about.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Đang chờ chuyển")
        DELIVERED = "delivered", _("Đã chuyển đến")
        FAILED = "failed", pgettext_lazy("delivery", "Không chuyển được")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="outbox")
    recipient = models.ForeignKey("documents.Recipient", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="messages")
    answers = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=MessageStatus.choices, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    transport = models.CharField(_("kênh"), max_length=30)
    address = models.CharField(_("địa chỉ nhận"), max_length=100)
    state = models.CharField(_("tình trạng chuyển"), max_length=10, choices=State.choices, default=State.WAITING)
    failure = models.CharField(max_length=30, blank=True)  # a code of `documents.outbox.FAILURES`
    failure_detail = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thư chuyển đi")
        verbose_name_plural = _("thư chuyển đi")
        constraints = [
            models.UniqueConstraint(fields=["recipient"], condition=Q(kind="document"),
                                    name="documents_outbox_one_per_recipient"),
            models.CheckConstraint(condition=Q(kind="status") | Q(recipient__isnull=False),
                                   name="documents_outbox_document_has_recipient"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="outbox_state")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.transport}:{self.address} ({self.state})"


class Arrival(models.Model):
    """What a unit received through a transport, by the message's key: a second delivery of the same message
    finds this row and creates nothing more; a cancellation that overtakes its document is kept here until
    the document arrives (it then arrives cancelled)."""

    key = models.UUIDField(unique=True)
    transport = models.CharField(max_length=30)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reply_to = models.CharField(max_length=100, blank=True)  # the sender's address for status messages
    document = models.OneToOneField("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="arrival")
    cancelled_at = models.DateTimeField(null=True, blank=True)  # when the sender's recall (13) arrived
    cancel_reason = models.CharField(max_length=500, blank=True)
    # The receiver's answer to the recall: accepted (15, the document frozen) or refused (16, with a reason);
    # pending while a person decides (see `delivery_status.RECALL_NEEDS_A_DECISION`).
    recall_answer = models.CharField(_("trả lời thu hồi"), max_length=10, choices=RecallAnswer.choices, blank=True,
                                     db_default="")
    recall_answer_reason = models.CharField(_("lý do từ chối thu hồi"), max_length=500, blank=True, db_default="")
    recall_answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản nhận qua kênh liên thông")
        verbose_name_plural = _("văn bản nhận qua kênh liên thông")

    def __str__(self) -> str:
        return f"{self.transport}:{self.key}"
