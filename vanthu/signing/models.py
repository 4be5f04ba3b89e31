"""Signing: vanthu's own CA and TSA, trusted roots, certificates, keys, signature images, remote requests,
and stored validation results.

Private keys are never stored in clear: `key_encrypted` fields hold a `keystore` blob (AES-256-GCM under a
passphrase or the server key, see keystore.py). Certificates are kept as DER; the other certificate columns
are copies for listing and searching, filled from the DER when the row is created.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanthu.core.models import StoredFile
from vanthu.org.models import Person, Unit


class KeyAlgorithm(models.TextChoices):
    RSA = "rsa", _("RSA-2048")
    ECDSA = "ecdsa", _("ECDSA P-256")


class CaRole(models.TextChoices):
    ROOT = "root", _("CA gốc")
    ISSUING = "issuing", _("CA cấp chứng thư")


class CertificateAuthority(models.Model):
    """vanthu's own CA for the embedded default and small deployments: a root and an issuing CA under it.

    The key is encrypted under the server key (keystore, mode "server") so that CRLs and OCSP responses can be
    signed unattended. Serial numbers are random (RFC 5280 §4.1.2.2, CA/B Forum style, 159 bits), so no
    counter is kept; CRL numbers are the CRL's thisUpdate in seconds since the epoch, which only increases.
    """

    slug = models.SlugField(_("mã"), max_length=40, unique=True,
                            help_text=_("Dùng trong địa chỉ CRL và chứng thư CA, ví dụ /pki/crl/issuing.crl."))
    role = models.CharField(_("vai trò"), max_length=10, choices=CaRole.choices)
    parent = models.ForeignKey("self", verbose_name=_("CA cấp trên"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("tên (CN)"), max_length=200)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    key_encrypted = models.BinaryField(_("khóa bí mật (đã mã hóa)"))
    key_algorithm = models.CharField(_("thuật toán khóa"), max_length=10, choices=KeyAlgorithm.choices)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    is_active = models.BooleanField(_("đang cấp chứng thư"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("CA của hệ thống")
        verbose_name_plural = _("CA của hệ thống")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class TimestampAuthority(models.Model):
    """vanthu's built-in RFC 3161 TSA: a certificate from the issuing CA (extendedKeyUsage timeStamping,
    critical) and its key under the server key. The newest active row answers requests."""

    issuer = models.ForeignKey(CertificateAuthority, verbose_name=_("CA cấp"), on_delete=models.PROTECT,
                               related_name="timestamp_authorities")
    name = models.CharField(_("tên (CN)"), max_length=200)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    key_encrypted = models.BinaryField(_("khóa bí mật (đã mã hóa)"))
    serial = models.CharField(_("số hiệu (hex)"), max_length=64)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("dịch vụ cấp dấu thời gian")
        verbose_name_plural = _("dịch vụ cấp dấu thời gian")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.name


class TrustAnchor(models.Model):
    """A CA certificate imported by the admin (e.g. the Government CA root and its intermediates).

    Self-signed certificates are trust roots; the others are intermediates that help build paths up to an
    enabled root (they are not trusted on their own). Disabled rows are ignored everywhere.
    """

    name = models.CharField(_("tên"), max_length=200)
    certificate_der = models.BinaryField(_("chứng thư (DER)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    is_root = models.BooleanField(_("là CA gốc (tự ký)"))
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    enabled = models.BooleanField(_("đang tin cậy"), default=True)
    added_by = models.ForeignKey(Person, verbose_name=_("người thêm"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư CA tin cậy")
        verbose_name_plural = _("chứng thư CA tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CertStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hiệu lực")
    REVOKED = "revoked", pgettext_lazy("certificate status", "Đã thu hồi")
    SUPERSEDED = "superseded", _("Đã được thay thế")


class RevocationReason(models.TextChoices):
    """CRLReason of RFC 5280 §5.3.1 (values are cryptography's x509.ReasonFlags values).

    certificateHold is left out: vanthu's revocations are final. aACompromise concerns attribute certificates.
    """

    UNSPECIFIED = "unspecified", _("Không nêu lý do")
    KEY_COMPROMISE = "keyCompromise", _("Lộ hoặc mất khóa bí mật")
    CA_COMPROMISE = "cACompromise", _("Lộ khóa của tổ chức cấp chứng thư")
    AFFILIATION_CHANGED = "affiliationChanged", _("Thay đổi đơn vị, chức vụ")
    SUPERSEDED = "superseded", _("Đã cấp chứng thư thay thế")
    CESSATION = "cessationOfOperation", _("Thôi công tác, đơn vị giải thể")
    PRIVILEGE_WITHDRAWN = "privilegeWithdrawn", _("Bị rút quyền ký")


class CertSource(models.TextChoices):
    ISSUED = "issued", _("Do CA của hệ thống cấp")
    IMPORTED = "imported", _("Nhập từ tổ chức khác")
    TOKEN = "token", _("Đọc từ thiết bị ký số")


class Certificate(models.Model):
    """An end-entity signing certificate of a person (personal signature) or of a unit (organisation seal).

    Exactly one of `person`, `unit` is set. `chain` holds the issuer certificates (base64 DER, nearest first,
    possibly up to the root) as issued or imported. Renewal creates a new row with `renewed_from` pointing
    at the old one, which becomes `superseded`.
    """

    der = models.BinaryField(_("chứng thư (DER)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    serial = models.CharField(_("số hiệu (hex)"), max_length=64, db_index=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    common_name = models.CharField(_("tên chủ thể (CN)"), max_length=200)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    issued_by = models.ForeignKey(CertificateAuthority, verbose_name=_("CA của hệ thống đã cấp"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="issued")
    chain = models.JSONField(_("chuỗi chứng thư CA (base64 DER)"), default=list, blank=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    key_usage = models.JSONField(_("mục đích sử dụng khóa"), default=list, blank=True)
    key_algorithm = models.CharField(_("thuật toán khóa"), max_length=10, choices=KeyAlgorithm.choices)
    person = models.ForeignKey(Person, verbose_name=_("cán bộ"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="certificates")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị (chữ ký số cơ quan)"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="certificates")
    source = models.CharField(_("nguồn"), max_length=10, choices=CertSource.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=CertStatus.choices,
                              default=CertStatus.ACTIVE)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=30, choices=RevocationReason.choices,
                                         blank=True)
    renewed_from = models.OneToOneField("self", verbose_name=_("gia hạn từ"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="renewed_by")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số")
        verbose_name_plural = _("chứng thư số")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="signing_certificate_one_owner",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="signing_certificate_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["issued_by", "serial"], name="signing_cert_issuer_serial")]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial[:16]})"

    @property
    def owner(self) -> Person | Unit:
        owner = self.person or self.unit
        assert owner is not None
        return owner


class Backend(models.TextChoices):
    SOFTWARE = "software", _("Khóa lưu trên máy chủ")
    PKCS11 = "pkcs11", _("Thiết bị ký số (USB token, PKCS#11)")
    REMOTE = "remote", _("Ký số từ xa")
    SIM = "sim", _("Ký số trên SIM (SIM-PKI)")


class KeyCredential(models.Model):
    """How a person or unit signs with a certificate: which back-end holds the key.

    software: `key_encrypted` (keystore blob; a passphrase-protected one needs the passphrase at each
    signing). pkcs11: the token and key on it (the module is settings.PKCS11_MODULE), unlocked by the
    token PIN. remote: the external signing service and the credential id there (CSC-style signHash).
    sim: the key is on the SIM of the person's phone: `service_url` is the Mobile Signature Service Provider
    (MSSP, ETSI TS 102 204 style) and `remote_credential_id` the phone number (MSISDN).
    At most one active default per owner; `backends.credential_info` picks the default, else the newest.
    """

    person = models.ForeignKey(Person, verbose_name=_("cán bộ"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="key_credentials")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="key_credentials")
    backend = models.CharField(_("nơi giữ khóa"), max_length=10, choices=Backend.choices)
    certificate = models.ForeignKey(Certificate, verbose_name=_("chứng thư số"), on_delete=models.PROTECT,
                                    related_name="credentials")
    key_encrypted = models.BinaryField(_("khóa bí mật (đã mã hóa)"), null=True, blank=True)
    token_label = models.CharField(_("nhãn thiết bị ký số"), max_length=32, blank=True)
    key_label = models.CharField(_("nhãn khóa trên thiết bị"), max_length=100, blank=True)
    key_id = models.CharField(_("mã khóa trên thiết bị (hex)"), max_length=128, blank=True)
    service_url = models.URLField(_("địa chỉ dịch vụ ký số từ xa"), blank=True)
    remote_credential_id = models.CharField(_("mã chứng thư ở dịch vụ ký từ xa"), max_length=200, blank=True)
    is_default = models.BooleanField(_("mặc định"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        ordering = ["-is_default", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="signing_credential_one_owner",
            ),
            models.CheckConstraint(
                condition=~Q(backend="software") | Q(key_encrypted__isnull=False),
                name="signing_credential_software_has_key",
            ),
            models.CheckConstraint(
                condition=~Q(backend="pkcs11") | ~Q(token_label=""),
                name="signing_credential_pkcs11_has_token",
            ),
            models.CheckConstraint(
                condition=~Q(backend="remote") | (~Q(service_url="") & ~Q(remote_credential_id="")),
                name="signing_credential_remote_has_service",
            ),
            models.CheckConstraint(
                condition=~Q(backend="sim") | (~Q(service_url="") & ~Q(remote_credential_id="")),
                name="signing_credential_sim_has_mssp_and_phone",
            ),
            models.UniqueConstraint(fields=["person"], condition=Q(is_default=True, is_active=True),
                                    name="signing_credential_one_default_per_person"),
            models.UniqueConstraint(fields=["unit"], condition=Q(is_default=True, is_active=True),
                                    name="signing_credential_one_default_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_backend_display()} — {self.certificate}"

    @property
    def owner(self) -> Person | Unit:
        owner = self.person or self.unit
        assert owner is not None
        return owner


class SignatureImage(models.Model):
    """A person's handwritten signature (blue ink, transparent PNG) or a unit's seal (red, transparent PNG),
    with its real printed size in millimetres. One current image per owner; uploading replaces it."""

    person = models.OneToOneField(Person, verbose_name=_("cán bộ"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="signature_image")
    unit = models.OneToOneField(Unit, verbose_name=_("đơn vị"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="seal_image")
    file = models.ForeignKey(StoredFile, verbose_name=_("tệp PNG"), on_delete=models.PROTECT, related_name="+")
    width_mm = models.DecimalField(_("chiều rộng (mm)"), max_digits=5, decimal_places=1)
    height_mm = models.DecimalField(_("chiều cao (mm)"), max_digits=5, decimal_places=1)
    uploaded_by = models.ForeignKey(Person, verbose_name=_("người tải lên"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hình chữ ký, con dấu")
        verbose_name_plural = _("hình chữ ký, con dấu")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="signing_image_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.unit)


class RemoteState(models.TextChoices):
    PENDING = "pending", _("Chờ người ký xác nhận")
    COMPLETED = "completed", _("Đã nhận chữ ký")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Quá hạn")


class RemoteSigningRequest(models.Model):
    """One interrupted signing: vanthu prepared the data to be signed; an external signer returns the value.

    `digest` is the hash (of the CMS signed attributes) the remote service signs, CSC signHash style;
    `prepared` and `context` are opaque to this app: the PAdES code keeps there what it needs to finish the
    PDF (the prepared document, the field name …). `signature` is the raw signature value returned, checked
    against the certificate before the request becomes `completed`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credential = models.ForeignKey(KeyCredential, verbose_name=_("khóa ký số"), on_delete=models.PROTECT,
                                   related_name="remote_requests")
    state = models.CharField(_("trạng thái"), max_length=10, choices=RemoteState.choices,
                             default=RemoteState.PENDING)
    digest_algorithm = models.CharField(_("thuật toán băm"), max_length=10, default="sha256")
    digest = models.BinaryField(_("giá trị băm cần ký"))
    prepared = models.BinaryField(_("dữ liệu đã chuẩn bị"), default=b"", blank=True)
    context = models.JSONField(_("thông tin kèm theo"), default=dict, blank=True)
    signature = models.BinaryField(_("giá trị chữ ký"), null=True, blank=True)
    requested_by = models.ForeignKey(Person, verbose_name=_("người yêu cầu"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    problem = models.CharField(_("lý do không thành công"), max_length=500, blank=True)
    # SIM-PKI: the MSSP's transaction id once the request was sent to the phone (empty before)
    mssp_transid = models.CharField(_("mã giao dịch tại MSSP"), max_length=100, blank=True, db_default="")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    completed_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu ký số từ xa")
        verbose_name_plural = _("yêu cầu ký số từ xa")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="signing_remote_state_expiry")]

    def __str__(self) -> str:
        return f"{self.id} ({self.state})"


class FileValidation(models.Model):
    """The stored result of validating a file's signatures (filled by validation.validate_and_store).

    `report` is the JSON form of service.ValidationResult (one entry per signature); `problem` is the
    translated reason shown when the file is unreadable or invalid.
    """

    file = models.OneToOneField(StoredFile, verbose_name=_("tệp"), primary_key=True, on_delete=models.CASCADE,
                                related_name="validation")
    validated_at = models.DateTimeField(_("kiểm tra lúc"))
    valid = models.BooleanField(_("hợp lệ"))
    readable = models.BooleanField(_("đọc được"), default=True)
    problem = models.CharField(_("vấn đề"), max_length=500, blank=True)
    report = models.JSONField(_("kết quả chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("kết quả kiểm tra chữ ký")
        verbose_name_plural = _("kết quả kiểm tra chữ ký")

    def __str__(self) -> str:
        return f"{self.file_id[:12]}: {'valid' if self.valid else 'invalid'}"


from vanthu.signing.service_client_models import ServiceClient as ServiceClient  # noqa: E402  (Django finds it)
