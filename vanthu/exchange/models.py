"""The exchange's own rows: the peer directory, the evidence of every envelope received, the nonces of signed
HTTP requests already seen (decision 0013)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Secrecy
from vanthu.core.models import StoredFile
from vanthu.org.models import Unit


class TransportKind(models.TextChoices):
    HTTP = "http", _("HTTP giữa các hệ thống vanthu")
    BUNDLE = "bundle", _("Gói lưu chuyển (thiết bị lưu trữ)")


class Peer(models.Model):
    """Another deployment (another vanthu; later a VDXP hub or an X-Road security server) and what it may do:
    the organ ids (or prefixes, ending in '*') its units use, where to send, the CA certificates that certify
    its unit seals, and the highest secrecy it may receive."""

    name = models.CharField(_("tên hệ thống"), max_length=200, unique=True)
    organ_ids = models.TextField(
        _("mã định danh"), help_text=_("Mỗi dòng một mã định danh, hoặc tiền tố kết thúc bằng * (ví dụ *.H41)."))
    base_url = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    trust_roots = models.TextField(_("chứng thư CA tin cậy (PEM)"))
    max_secrecy = models.PositiveSmallIntegerField(_("độ mật cao nhất được nhận"), choices=Secrecy.choices,
                                                   default=Secrecy.NONE)
    transport = models.CharField(_("kênh"), max_length=10, choices=TransportKind.choices, default=TransportKind.HTTP)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hệ thống liên thông")
        verbose_name_plural = _("hệ thống liên thông")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def organ_patterns(self) -> list[str]:
        return [line.strip() for line in self.organ_ids.splitlines() if line.strip()]

    def covers(self, organ_id: str) -> bool:
        """Whether `organ_id` belongs to this peer (an exact id, or a pattern with '*' at either end)."""
        for pattern in self.organ_patterns:
            if pattern == organ_id:
                return True
            if pattern.endswith("*") and organ_id.startswith(pattern[:-1]):
                return True
            if pattern.startswith("*") and organ_id.endswith(pattern[1:]):
                return True
        return False


class ReceivedEnvelope(models.Model):
    """Every envelope that reached this deployment, accepted or refused, with its raw bytes: the evidence.
    The same bytes twice meet on the SHA-256 and get the first answer again."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("Đã nhận")
        REFUSED = "refused", _("Bị từ chối")

    sha256 = models.CharField(max_length=64, unique=True)
    raw = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    transport = models.CharField(_("kênh"), max_length=30)
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.PROTECT, related_name="envelopes")
    kind = models.CharField(max_length=10, blank=True)  # document | status | "" (unreadable)
    from_organ = models.CharField(_("nơi gửi"), max_length=50, blank=True)
    from_name = models.CharField(_("tên nơi gửi"), max_length=200, blank=True)
    to_organ = models.CharField(max_length=50, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document_id = models.CharField(max_length=120, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    status_code = models.CharField(max_length=2, blank=True)
    signer = models.CharField(_("người ký gói tin"), max_length=500, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    secrecy = models.PositiveSmallIntegerField(choices=Secrecy.choices, default=Secrecy.NONE)  # as the envelope said
    state = models.CharField(_("kết quả"), max_length=10, choices=State.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("lý do"), max_length=1000, blank=True)
    incoming_id = models.BigIntegerField(null=True, blank=True)  # the incoming document it made (documents)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    # a refused document from a bundle peer: when its status 02 left in a bundle back (HTTP answers at once)
    answered_at = models.DateTimeField(null=True, blank=True)
    # the envelope signer's certificate: good | revoked | unknown (exchange/revocation.py); "" when not reached
    revocation = models.CharField(_("thu hồi chứng thư"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("gói tin đã nhận")
        verbose_name_plural = _("gói tin đã nhận")
        indexes = [models.Index(fields=["unit", "state", "received_at"], name="exchange_received_unit")]

    def __str__(self) -> str:
        return f"{self.from_organ} {self.document_id} ({self.state})"


class UsedNonce(models.Model):
    """A nonce of a signed HTTP request already accepted: the same request again is refused (replay)."""

    organ_id = models.CharField(max_length=50)
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organ_id", "nonce"], name="exchange_nonce_once")]

    def __str__(self) -> str:
        return f"{self.organ_id} {self.nonce}"


class PeerCrl(models.Model):
    """A CRL a peer's certificates declare (their CRL distribution point), as the hourly job last fetched it:
    the receive pipeline checks envelope signers against it without a network call (exchange/revocation.py).
    A row is noted the first time a certificate names the URL; `der` stays empty until a fetch succeeds."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="crls")
    url = models.URLField(max_length=500)
    der = models.BinaryField(blank=True, default=b"")
    next_update = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=500, blank=True)  # the last fetch's failure, "" after a success

    class Meta:
        verbose_name = _("danh sách chứng thư thu hồi của hệ thống liên thông")
        verbose_name_plural = _("danh sách chứng thư thu hồi của hệ thống liên thông")
        constraints = [models.UniqueConstraint(fields=["peer", "url"], name="exchange_peer_crl_once")]

    def __str__(self) -> str:
        return f"{self.peer_id} {self.url}"


class BatchClaim(models.Model):
    """An outbox message taken into a batch being delivered to a peer (exchange/sending.py, decision 0029):
    another worker leaves it to that batch. Deleted when the batch's answer is applied; a claim older than
    `claims.CLAIM_SECONDS` (its worker died) no longer holds."""

    message_id = models.BigIntegerField(primary_key=True)
    claimed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.message_id} {self.claimed_at:%H:%M:%S}"


class AnsweredArrival(models.Model):
    """A status 01 (arrived) this deployment delivered inside its answer to the batch that brought the document
    (decision 0046), with its signed bytes: the same delivery again (its answer lost) is answered with the same
    bytes, which the sender's trail records once. `message_id`: the outbox message (documents) it delivered."""

    message_id = models.BigIntegerField(primary_key=True)
    body = models.BinaryField()
    answered_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.message_id} {self.answered_at:%Y-%m-%d %H:%M:%S}"
