"""Documents, registers and their files.

One `Document` row is one document in one unit's register: an incoming document (văn bản đến) in the
receiving unit, or an outgoing document (văn bản đi) from draft to issue in the issuing unit. When an
outgoing document is issued to units of the tree, each recipient unit gets its own incoming Document whose
`source` is the outgoing one.

Field names and lengths follow Decree 30 Phụ lục VI (CodeNumber 11, CodeNotation 30, Subject 500, …).
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.models import StoredFile
from vanthu.documents.link_log_models import LinkLogPosition  # noqa: F401 (models of this app)
from vanthu.documents.long_term_models import LongTermSignature, LongTermState  # noqa: F401 (models of this app)
from vanthu.documents.outbox_models import Arrival, MessageKind, MessageStatus, OutboxMessage  # noqa: F401
from vanthu.documents.placement_models import PagePreview, Placement, PreviewState  # noqa: F401 (models of this app)
from vanthu.documents.read_models import DocumentRead  # noqa: F401 (models of this app)
from vanthu.documents.register_models import DocumentType, Register, RegisterKind, register_name  # noqa: F401
from vanthu.documents.rules_models import AmendKind, FormatCheckRule, NumberingPlan, PlanScheme  # noqa: F401
from vanthu.documents.scan_models import Scan, ScanSource  # noqa: F401 (models of this app)
from vanthu.documents.status_models import EDXML_CODES, RecallAnswer, RecipientStatus  # noqa: F401 (models of this app)
from vanthu.org.models import Person, Unit


class Direction(models.TextChoices):
    INCOMING = "in", _("Văn bản đến")
    OUTGOING = "out", _("Văn bản đi")


class Status(models.TextChoices):
    # incoming
    RECEIVED = "received", _("Chờ vào sổ")
    REGISTERED = "registered", _("Đã vào sổ")
    PRESENTED = "presented", _("Đã trình")
    DIRECTED = "directed", _("Đã chỉ đạo")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DONE = "done", _("Hoàn thành")
    RETURNED = "returned", _("Đã trả lại")
    CANCELLED = "cancelled", _("Đã hủy theo thu hồi")
    VOIDED = "voided", _("Đã hủy số đến")  # a wrong register entry: its number stays, never reused
    # outgoing
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang trình duyệt")
    AWAITING_SIGNATURE = "awaiting_signature", _("Chờ ký")
    SIGNED = "signed", _("Đã ký, chờ phát hành")
    ISSUED = "issued", _("Đã phát hành")
    RECALLED = "recalled", _("Đã thu hồi")
    REPLACED = "replaced", _("Đã bị thay thế")


INCOMING_OPEN = (Status.RECEIVED, Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS)
OUTGOING_OPEN = (Status.DRAFT, Status.IN_REVIEW, Status.AWAITING_SIGNATURE, Status.SIGNED)
FROZEN = (Status.ISSUED, Status.RECALLED, Status.REPLACED)


class ReceivedVia(models.TextChoices):
    PAPER = "paper", _("Văn bản giấy")
    ELECTRONIC = "electronic", _("Văn bản điện tử")
    INTERNAL = "internal", _("Liên thông nội bộ")
    EXCHANGE = "exchange", _("Trục liên thông")
    EMAIL = "email", _("Thư điện tử")


class Document(models.Model):
    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="documents",
        help_text=_("Đơn vị nhận (văn bản đến) hoặc đơn vị ban hành (văn bản đi)."),
    )
    drafting_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị soạn thảo"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="drafted_documents",
    )
    doc_type = models.ForeignKey(DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT)

    register = models.ForeignKey(Register, verbose_name=_("sổ"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="documents")
    number = models.PositiveIntegerField(_("số trong sổ"), null=True, blank=True,
                                         help_text=_("Số đến (văn bản đến) hoặc số văn bản (văn bản đi)."))

    # Phụ lục VI metadata
    code_number = models.CharField(_("số văn bản"), max_length=11, blank=True)
    code_notation = models.CharField(_("ký hiệu văn bản"), max_length=30, blank=True)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    organ_id = models.CharField(_("mã cơ quan ban hành"), max_length=13, blank=True)
    organ_name = models.CharField(_("cơ quan ban hành"), max_length=200)
    subject = models.CharField(_("trích yếu nội dung"), max_length=500)
    description = models.CharField(_("ghi chú"), max_length=500, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=30, default="Tiếng Việt")
    page_amount = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True,
                                                   validators=[MaxValueValidator(999)])
    signer_competence = models.CharField(_("thẩm quyền ký"), max_length=100, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=50, blank=True)
    urgency = models.PositiveSmallIntegerField(_("độ khẩn"), choices=Urgency.choices, default=Urgency.NORMAL)
    urgent_until = models.DateTimeField(_("hẹn giờ"), null=True, blank=True)
    secrecy = models.PositiveSmallIntegerField(_("độ mật"), choices=Secrecy.choices, default=Secrecy.NONE)
    due_date = models.DateField(_("hạn xử lý"), null=True, blank=True)
    issued_amount = models.PositiveSmallIntegerField(_("số lượng bản"), null=True, blank=True,
                                                     validators=[MaxValueValidator(999)])
    to_places = models.CharField(_("nơi nhận"), max_length=1000, blank=True)
    # Format components of Decree 30 Điều 8 that are not fields above (see `components.py`)
    place_name = models.CharField(_("địa danh"), max_length=50, blank=True, db_default="")
    circulation_note = models.CharField(_("chỉ dẫn phạm vi lưu hành"), max_length=100, blank=True, db_default="")
    drafter_initials = models.CharField(_("ký hiệu người soạn thảo"), max_length=10, blank=True, db_default="")
    address_block = models.CharField(_("địa chỉ, thư điện tử, trang thông tin, điện thoại, fax"), max_length=500,
                                     blank=True, db_default="")

    # incoming
    arrival_at = models.DateTimeField(_("ngày đến"), null=True, blank=True)
    received_via = models.CharField(_("hình thức nhận"), max_length=12, choices=ReceivedVia.choices, blank=True)
    source = models.ForeignKey("self", verbose_name=_("văn bản gốc"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deliveries")
    return_reason = models.CharField(_("lý do trả lại"), max_length=500, blank=True)
    # a wrong register entry cancelled (hủy): status "voided", the number kept in the register (issue 12)
    voided_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    void_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True, db_default="")
    voided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # outgoing
    signer = models.ForeignKey(Person, verbose_name=_("người ký"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="documents_to_sign")
    signer_authority = models.ForeignKey("org.SigningAuthority", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    approved_sha256 = models.CharField(_("mã băm bản đã duyệt"), max_length=64, blank=True)
    remote_request = models.ForeignKey(
        "signing.RemoteSigningRequest", verbose_name=_("yêu cầu ký số từ xa"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    on_paper = models.BooleanField(_("văn bản giấy ký tay"), default=False, db_default=False,
                                   help_text=_("Ký tay trên giấy; bản quét đính kèm; số lấy từ dãy số văn bản đi."))
    issued_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True)
    issued_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey("self", verbose_name=_("thay thế văn bản"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="replaced_by")
    # the incoming document this draft answers ("Soạn văn bản trả lời"); the incoming one lists its `replies`
    answers = models.ForeignKey("self", verbose_name=_("trả lời văn bản"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="replies")
    amends = models.ForeignKey("self", verbose_name=_("bổ sung, đính chính văn bản"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="amended_by")
    amend_kind = models.CharField(_("hình thức"), max_length=10, choices=AmendKind.choices, blank=True,
                                  db_default="")
    recalled_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    recall_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)
    # Set while the organisation signature is being applied, outside any transaction (the lease of one
    # issuance attempt: a second attempt waits for it to end or to go stale). See decision 0007.
    issuing_since = models.DateTimeField(_("đang phát hành từ"), null=True, blank=True, editable=False)

    current_file = models.ForeignKey(StoredFile, verbose_name=_("tệp văn bản"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    # Who made this record: none for a document delivered by another unit (the sender is not its creator —
    # creators may read what they created; a delivered copy belongs to the receiving unit).
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="documents_created"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="documents_number_unique_in_register"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(register__isnull=False), name="documents_number_needs_register"
            ),
            # Decree 30 Điều 15: number plus notation is unique per issuer and year, paper and electronic alike
            # (secret documents: their own series and register, unique by the constraint above).
            models.UniqueConstraint(
                F("unit"), F("code_number"), F("code_notation"), ExtractYear("issued_date"),
                condition=Q(direction="out", number__isnull=False, secrecy=0),
                name="documents_notation_unique_per_issuer_year",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True, amend_kind="") | (Q(amends__isnull=False) & ~Q(amend_kind="")),
                name="documents_amend_has_kind",
            ),
        ]
        indexes = [
            # register pages: newest number first
            models.Index(fields=["register", "-number"], name="doc_register_number"),
            # clerk queues: open documents of a unit by status
            models.Index(fields=["unit", "status", "-urgency", "created_at"], name="doc_unit_status"),
            models.Index(fields=["signer", "status"], name="doc_signer_status"),
            models.Index(fields=["created_by", "status"], name="doc_creator_status"),
            models.Index(fields=["drafting_unit", "status"], name="doc_drafting_status"),
            models.Index(fields=["source"], name="doc_source"),
            # registering twice is caught: the same notation, issuing body and date in the unit
            models.Index(fields=["unit", "code_notation", "code_number", "issued_date"], name="doc_duplicate"),
        ]

    def __str__(self) -> str:
        return self.notation or self.subject[:80]

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING

    @property
    def is_outgoing(self) -> bool:
        return self.direction == Direction.OUTGOING

    @property
    def is_frozen(self) -> bool:
        """Issued documents are immutable: their files and metadata no longer change."""
        return self.is_outgoing and self.status in FROZEN

    @property
    def notation(self) -> str:
        """'12/QĐ-BTL' — number and notation as printed after 'Số:'."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation

    @property
    def is_urgent(self) -> bool:
        return self.urgency >= Urgency.URGENT


class DocumentFile(models.Model):
    """A file of a document: its main PDF or an attachment (phụ lục, tệp đính kèm)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Văn bản")
        ATTACHMENT = "attachment", _("Tệp đính kèm")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên tệp"), max_length=200)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    ordinal = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text=_("Không ghi cho tệp của văn bản do đơn vị khác gửi đến."))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp của văn bản")
        verbose_name_plural = _("tệp của văn bản")
        ordering = ["kind", "ordinal", "pk"]

    def __str__(self) -> str:
        return self.name


class Conversion(models.TextChoices):
    """Where a DOCX draft version's conversion to PDF stands (empty: a PDF was uploaded, or it is converted)."""

    PENDING = "pending", _("Đang chuyển đổi")
    FAILED = "failed", _("Không chuyển được")


class DraftVersion(models.Model):
    """One version of a draft: the uploaded source (PDF or DOCX) and the PDF that is read and signed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    source = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    source_name = models.CharField(_("tên tệp"), max_length=200)
    # Empty while a DOCX is being converted by a job (conversion = pending), or when its conversion failed.
    pdf = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    conversion = models.CharField(_("chuyển sang PDF"), max_length=10, choices=Conversion.choices, blank=True)
    conversion_error = models.CharField(_("lý do không chuyển được"), max_length=500, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản dự thảo")
        verbose_name_plural = _("phiên bản dự thảo")
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"


class ReviewKind(models.TextChoices):
    CONTENT = "content", _("Kiểm tra nội dung")
    FORMAT = "format", _("Kiểm tra thể thức")
    APPROVE = "approve", _("Phê duyệt")


class ReviewState(models.TextChoices):
    WAITING = "waiting", _("Chưa đến lượt")
    PENDING = "pending", _("Chờ ý kiến")
    APPROVED = "approved", pgettext_lazy("review state", "Đồng ý")
    RETURNED = "returned", pgettext_lazy("review state", "Trả lại")
    CANCELLED = "cancelled", _("Đã hủy")


class ReviewStep(models.Model):
    """A step of a draft's review and approval chain, decided in order."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="review_steps")
    round = models.PositiveSmallIntegerField(default=1)
    ordinal = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="review_steps")
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.WAITING)
    version = models.ForeignKey(DraftVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.CharField(_("ý kiến"), max_length=1000, blank=True)
    # the format check's checklist (`components.CHECKLIST` item → passed), recorded with the decision
    checklist = models.JSONField(_("kết quả kiểm tra"), default=dict, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bước trình duyệt")
        verbose_name_plural = _("bước trình duyệt")
        ordering = ["document", "round", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "round", "ordinal"], name="documents_review_step_unique")
        ]
        indexes = [models.Index(fields=["reviewer", "state"], name="review_reviewer_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.reviewer}"


class Recipient(models.Model):
    """Where an outgoing document goes: a unit of the tree, or an outside body by name."""

    class Purpose(models.TextChoices):
        ACTION = "action", _("Để thực hiện")
        INFO = "info", _("Để biết")
        ARCHIVE = "archive", pgettext_lazy("recipient purpose", "Lưu")

    class State(models.TextChoices):
        """How far the recipient has come, as its statuses tell the sender (see `delivery.RANK`)."""

        PLANNED = "planned", _("Chưa gửi")
        SENT = "sent", _("Đã gửi")
        RECEIVED = "received", _("Đã đến")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        RETURNED = "returned", _("Bị trả lại")
        ASSIGNED = "assigned", _("Đã phân công xử lý")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        DONE = "done", _("Đã xử lý xong")
        RECALLING = "recalling", _("Đang yêu cầu thu hồi")
        RECALLED = "recalled", _("Đã thu hồi")
        RECALL_REFUSED = "recall_refused", _("Từ chối thu hồi")
        # Nothing carries it electronically (an outside body by name only, or a delivery that failed): the
        # clerk sends it on paper and records how and when (issue 12).
        PAPER_PENDING = "paper_pending", _("Gửi bản giấy / chờ gửi")
        PAPER_SENT = "paper_sent", _("Đã gửi bản giấy")

    class PaperVia(models.TextChoices):
        POST = "post", _("Bưu điện")
        HAND = "hand", _("Chuyển tay")
        COURIER = "courier", _("Giao liên")
        FAX = "fax", _("Fax")
        OTHER = "other", _("Cách khác")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_name = models.CharField(_("cơ quan nhận"), max_length=200, blank=True)
    # an outside body's edXML organ id: the exchange carries the document to the peer that holds it
    organ_id = models.CharField(_("mã định danh nơi nhận"), max_length=50, blank=True, db_default="")
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.ACTION)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PLANNED)
    # the incoming document at the recipient unit (local transport only), told by the "arrived" status
    delivered = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True, db_default="",
                              help_text=_("Lý do nơi nhận trả lại văn bản hoặc từ chối thu hồi, theo trạng thái nơi "
                                          "nhận báo về."))
    # how the paper copy went: recorded by the issuing unit's clerk (`actions.record_paper_sent`, audited)
    paper_via = models.CharField(_("cách gửi bản giấy"), max_length=10, choices=PaperVia.choices, blank=True,
                                 db_default="")
    paper_sent_at = models.DateTimeField(_("gửi bản giấy lúc"), null=True, blank=True)
    paper_note = models.CharField(_("ghi chú gửi bản giấy"), max_length=300, blank=True, db_default="")
    paper_recorded_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(external_name=""), name="documents_recipient_has_target"
            ),
            models.UniqueConstraint(
                fields=["document", "unit"], condition=Q(unit__isnull=False), name="documents_recipient_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return self.unit.name if self.unit_id and self.unit else self.external_name

    def awaits_paper(self, message: OutboxMessage | None) -> bool:
        """Nothing delivered it electronically (no transport for it, or its delivery failed): the clerk sends
        it on paper and records how and when (issue 12)."""
        if self.state == self.State.PAPER_PENDING:
            return True
        return self.state == self.State.SENT and message is not None and message.state == "failed"


class CopyForm(models.TextChoices):
    """Forms of copy (Decree 30 Điều 25) with their Phụ lục III abbreviations."""

    TRUE_COPY = "SY", _("SAO Y")
    REISSUE_COPY = "SL", _("SAO LỤC")
    EXTRACT = "TrS", _("TRÍCH SAO")


class DocumentCopy(models.Model):
    """An electronic copy of a document made by a unit: the copy's PDF carries the unit's organisation
    signature with the text-only stamp (copy form, unit, signing time) at the top right of page 1."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="copies")
    form = models.CharField(_("hình thức sao"), max_length=3, choices=CopyForm.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("cơ quan sao"), on_delete=models.PROTECT, related_name="+")
    source_copy = models.ForeignKey("self", verbose_name=_("sao từ bản sao y"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reissues")
    pages = models.CharField(_("các trang trích sao"), max_length=100, blank=True)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản sao điện tử")
        verbose_name_plural = _("bản sao điện tử")
        ordering = ["document", "made_at"]

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.document}"

    @property
    def file_name(self) -> str:
        base = (self.document.notation or f"van-ban-{self.document_id}").replace("/", "_")
        return f"{base}_{self.form}_{self.pk}.pdf"


class ShareReason(models.TextChoices):
    PRESENTED = "presented", _("Được trình")
    LEAD = "lead", _("Chủ trì xử lý")
    COOPERATE = "cooperate", _("Phối hợp")
    INFO = "info", _("Để biết")
    REVIEW = "review", _("Trình duyệt")
    SIGN = "sign", _("Ký")


class DocumentShare(models.Model):
    """Who beyond the owning unit may see a document: people and units it was presented, assigned or sent to.

    Written by the actions that present, direct, assign and submit for review; read by `access`.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=ShareReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyền xem văn bản")
        verbose_name_plural = _("quyền xem văn bản")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False), name="documents_share_has_target"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "document"], name="share_person"),
            models.Index(fields=["unit", "document"], name="share_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.person_id or self.unit_id} ({self.reason})"


def new_client_token() -> uuid.UUID:
    return uuid.uuid4()
