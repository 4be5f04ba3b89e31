"""Work records (hồ sơ công việc): the yearly catalogue, records and what is filed in them, archive transfer and
handover (Decree 30/2020 Điều 28–31, Phụ lục V; record metadata per Phụ lục VI and Circular 02/2019).

The shape, top down:
- `Catalogue` (danh mục hồ sơ) of one unit for one year, with `Heading`s (đề mục) and `CatalogueEntry`s (one
  line of the catalogue: số và ký hiệu hồ sơ, title, retention, the person responsible);
- `Record` (hồ sơ) opened from an entry (an ad hoc record adds its entry to the catalogue first);
- `RecordItem` (one document or other file in a record, with its ordinal: số thứ tự văn bản trong hồ sơ);
- `Transfer` (one archive transfer, nộp lưu: the list of records handed to the archive and its acceptance);
- `Handover` with `HandoverItem`s (bàn giao: a leaver's open records and unfinished tasks passing to a
  successor, confirmed by both).

A record's history is its audit trail (`vanthu.audit.log.events_for(record)`): every action on it writes one
event targeting it (reasons such as the reopening's are in the event's data).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit
from vanthu.records.freeze_models import RecordFreeze  # noqa: F401
from vanthu.records.hold_models import HOLD_MAX_MONTHS, HoldState, RecordHold  # noqa: F401

RETENTION_MIN_YEARS = 1
RETENTION_MAX_YEARS = 70  # Circular 10/2022/TT-BNV's longest fixed period; longer is "vĩnh viễn"


def retention_label(years: int | None) -> str:
    """'10 năm' or 'Vĩnh viễn' (years None = permanent)."""
    if years is None:
        return gettext("Vĩnh viễn")
    return gettext("%(n)d năm") % {"n": years}


class CatalogueState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã duyệt")
    PUBLISHED = "published", _("Đã ban hành")


class Catalogue(models.Model):
    """Danh mục hồ sơ of one unit for one year (Điều 28): drafted by the unit's clerk, approved by the head of the
    unit, then published. `copied_from` is last year's catalogue when it was copied forward as a start."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="catalogues")
    year = models.PositiveSmallIntegerField(_("năm"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=CatalogueState.choices,
                             default=CatalogueState.DRAFT)
    copied_from = models.ForeignKey("self", verbose_name=_("sao từ danh mục"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(Person, verbose_name=_("người duyệt"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("danh mục hồ sơ")
        verbose_name_plural = _("danh mục hồ sơ")
        ordering = ["unit_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="records_catalogue_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit.name} — {self.year}"


class Heading(models.Model):
    """Đề mục of a catalogue (e.g. "I. Tổ chức, cán bộ"), in order; entries sit under a heading."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="headings")
    ordinal = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.CharField(_("số đề mục"), max_length=10, blank=True)
    title = models.CharField(_("tên đề mục"), max_length=300)

    class Meta:
        verbose_name = _("đề mục")
        ordering = ["catalogue_id", "ordinal", "id"]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}" if self.code else self.title


class RecordKind(models.TextChoices):
    """What sets a record's legal time to the archive (Decree 30 Điều 30.1): a construction (XDCB) record is due
    3 months after the project's final settlement (the record's end), any other within 1 year of the work's
    end (its year; `vanthu.records.periods`)."""

    GENERAL = "general", _("Hồ sơ công việc")
    CONSTRUCTION = "construction", _("Hồ sơ xây dựng cơ bản")


class CatalogueEntry(models.Model):
    """One line of the catalogue: số và ký hiệu hồ sơ (`code`, e.g. "01.TCCB"; FileNotation, 20), the record's
    title, its retention (`retention_years`, None = vĩnh viễn) and the person responsible for the record (người
    lập hồ sơ). `ad_hoc` marks an entry added by opening a record outside the approved catalogue (Điều 29.2)."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="entries")
    heading = models.ForeignKey(Heading, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries")
    ordinal = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.CharField(_("số và ký hiệu hồ sơ"), max_length=20)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    retention_years = models.PositiveSmallIntegerField(
        _("thời hạn bảo quản (năm)"), null=True, blank=True,
        validators=[MinValueValidator(RETENTION_MIN_YEARS), MaxValueValidator(RETENTION_MAX_YEARS)],
        help_text=_("Để trống: vĩnh viễn."))
    responsible = models.ForeignKey(Person, verbose_name=_("người lập hồ sơ"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    ad_hoc = models.BooleanField(_("mở ngoài danh mục"), default=False)
    kind = models.CharField(_("loại hồ sơ"), max_length=12, choices=RecordKind.choices, default=RecordKind.GENERAL)
    # the document types and subject words that suggest this entry when filing (e.g. ["QĐ"], "khen thưởng")
    suggest_types = models.JSONField(_("loại văn bản gợi ý"), default=list, blank=True)
    suggest_words = models.CharField(_("từ khóa gợi ý"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mục hồ sơ trong danh mục")
        ordering = ["catalogue_id", "ordinal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="records_entry_catalogue_code"),
            models.CheckConstraint(
                condition=Q(retention_years__isnull=True)
                | Q(retention_years__gte=RETENTION_MIN_YEARS, retention_years__lte=RETENTION_MAX_YEARS),
                name="records_entry_retention_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def retention_label(self) -> str:
        return retention_label(self.retention_years)


class RecordState(models.TextChoices):
    OPEN = "open", _("Đang mở")
    CLOSED = "closed", _("Đã kết thúc")
    TRANSFERRED = "transferred", _("Đã nộp lưu")


class Record(models.Model):
    """Hồ sơ (Điều 29): opened from a catalogue entry by its responsible person (`creator`, người lập hồ sơ),
    documents filed in it as `RecordItem`s; closed (kết thúc) with the final title, code and retention, the
    totals and the dates; reopened with a reason; listed for transfer once closed; after the archive accepts it
    (`state` TRANSFERRED, `transfer.accepted_at` set) it is read-only for the unit and held by the archive.

    Metadata per Phụ lục VI / Circular 02/2019: FileCode = {`organ_id`, `year` (FileCatalog), `code`
    (FileNotation)}, Title, Maintenance (`retention_years`), Rights (`rights`), Creator, Language,
    StartDate/EndDate, DocTotal/PageTotal (set at closing), Description."""

    entry = models.ForeignKey(CatalogueEntry, verbose_name=_("mục trong danh mục"), on_delete=models.PROTECT,
                              related_name="records")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="records")
    year = models.PositiveSmallIntegerField(_("năm hồ sơ"))
    organ_id = models.CharField(_("mã cơ quan"), max_length=13, blank=True)
    code = models.CharField(_("số và ký hiệu hồ sơ"), max_length=20)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    retention_years = models.PositiveSmallIntegerField(
        _("thời hạn bảo quản (năm)"), null=True, blank=True,
        validators=[MinValueValidator(RETENTION_MIN_YEARS), MaxValueValidator(RETENTION_MAX_YEARS)])
    rights = models.CharField(_("chế độ sử dụng"), max_length=30, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=50, default="Tiếng Việt")
    description = models.CharField(_("chú giải"), max_length=500, blank=True)
    creator = models.ForeignKey(Person, verbose_name=_("người lập hồ sơ"), on_delete=models.PROTECT,
                                related_name="records")
    state = models.CharField(_("trạng thái"), max_length=12, choices=RecordState.choices, default=RecordState.OPEN)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    doc_total = models.PositiveIntegerField(_("tổng số văn bản"), null=True, blank=True)
    page_total = models.PositiveIntegerField(_("tổng số trang"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey("Transfer", verbose_name=_("đợt nộp lưu"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="records")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["unit_id", "-year", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "code"], name="records_record_unit_year_code"),
            models.CheckConstraint(
                condition=Q(retention_years__isnull=True)
                | Q(retention_years__gte=RETENTION_MIN_YEARS, retention_years__lte=RETENTION_MAX_YEARS),
                name="records_record_retention_range"),
        ]
        indexes = [models.Index(fields=["unit", "state", "year"], name="records_unit_state_year")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def retention_label(self) -> str:
        return retention_label(self.retention_years)

    @property
    def file_code(self) -> str:
        """FileCode as Phụ lục VI writes it: OrganId.FileCatalog.FileNotation (the organ part when known)."""
        parts = [self.organ_id, str(self.year), self.code] if self.organ_id else [str(self.year), self.code]
        return ".".join(parts)

    @property
    def is_open(self) -> bool:
        return self.state == RecordState.OPEN

    @property
    def is_held_by_archive(self) -> bool:
        return self.state == RecordState.TRANSFERRED


class ItemKind(models.TextChoices):
    INCOMING = "in", _("Văn bản đến")
    OUTGOING = "out", _("Văn bản đi")
    INTERNAL = "internal", _("Văn bản nội bộ")
    OTHER = "other", _("Tài liệu khác")


class RecordItem(models.Model):
    """One document, or one other file, in a record, at its ordinal (số thứ tự văn bản trong hồ sơ, from 1, no
    gap: removing an item of an open record closes the gap). A document may be in several records, once per
    record. An "other file" (`document` None) carries its own title, date, pages and stored file."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="items")
    ordinal = models.PositiveIntegerField(_("số thứ tự"))
    kind = models.CharField(_("loại"), max_length=10, choices=ItemKind.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="record_items")
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("tên tài liệu"), max_length=500, blank=True)
    dated = models.DateField(_("ngày tài liệu"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    filed_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản trong hồ sơ")
        ordering = ["record_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["record", "ordinal"], name="records_item_record_ordinal"),
            models.UniqueConstraint(fields=["record", "document"], condition=Q(document__isnull=False),
                                    name="records_item_record_document"),
            models.CheckConstraint(condition=Q(document__isnull=False) | Q(file__isnull=False),
                                   name="records_item_document_or_file"),
        ]
        indexes = [models.Index(fields=["document"], name="records_item_document")]

    def __str__(self) -> str:
        return f"{self.record_id}#{self.ordinal}"


class TransferState(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp, chờ lưu trữ nhận")
    ACCEPTED = "accepted", _("Lưu trữ đã nhận")


class Transfer(models.Model):
    """One archive transfer (nộp lưu, Điều 30) of a unit's closed records of one record year: the mục lục hồ sơ
    nộp lưu is printed from its records; the archive (clerks of the archive unit) accepts it, after which the
    records are TRANSFERRED and read-only for the unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị nộp"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm hồ sơ"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=TransferState.choices,
                             default=TransferState.SUBMITTED)
    submitted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("nộp lúc"), auto_now_add=True)
    accepted_by = models.ForeignKey(Person, verbose_name=_("người nhận"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("đợt nộp lưu")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}/{self.pk}"


class HandoverState(models.TextChoices):
    PENDING = "pending", _("Chờ xác nhận")
    DONE = "done", _("Đã bàn giao")


class Handover(models.Model):
    """Bàn giao (Điều 31): `giver`'s open records and unfinished tasks pass to `receiver`, a person of the same
    unit. Drawn up by the giver or a leader or administrator over the unit; the giver's side is confirmed by
    the giver (or, when the giver has already left, by the leader who drew it up: `giver_confirmed_by`), the
    receiver confirms their own side; when both have confirmed the items pass (`done_at`)."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    giver = models.ForeignKey(Person, verbose_name=_("người bàn giao"), on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(Person, verbose_name=_("người nhận bàn giao"), on_delete=models.PROTECT,
                                 related_name="+")
    reason = models.CharField(_("lý do"), max_length=500)
    state = models.CharField(_("trạng thái"), max_length=10, choices=HandoverState.choices,
                             default=HandoverState.PENDING)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    giver_confirmed_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    giver_confirmed_at = models.DateTimeField(_("bên giao xác nhận lúc"), null=True, blank=True)
    receiver_confirmed_at = models.DateTimeField(_("bên nhận xác nhận lúc"), null=True, blank=True)
    done_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("biên bản bàn giao")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(giver=models.F("receiver")),
                                              name="records_handover_two_people")]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.receiver_id}"


class HandoverItem(models.Model):
    """One thing handed over: a record or a workflow task (`task_id`, an `Assignment`), listed when the handover
    is drawn up and passed when it is done; `label` keeps what it was called then (the handover record's text)."""

    class Kind(models.TextChoices):
        RECORD = "record", _("Hồ sơ")
        TASK = "task", _("Công việc")

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("workflow.Assignment", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    label = models.CharField(max_length=600)

    class Meta:
        ordering = ["handover_id", "kind", "id"]

    def __str__(self) -> str:
        return self.label
