"""The organisation: a unit tree of any depth, people, their roles and signing authority."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Secrecy

# QCVN 102:2016 agency identifier: level-4 (3 digits) . level-3 (2) . level-2 (2) . level-1 (letter + 2 digits)
EXCHANGE_CODE = RegexValidator(
    r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$",
    _("Mã định danh phải có dạng 000.00.00.G22 (QCVN 102:2016)."),
)
# QĐ 20/2020/QĐ-TTg electronic identifier (mã định danh điện tử): looser (letters, digits, dots, hyphens), ≤ 40
QD20_CODE = RegexValidator(
    r"^[A-Za-z0-9Đđ](?:[A-Za-z0-9Đđ._-]{0,38}[A-Za-z0-9Đđ])?$",
    _("Mã định danh điện tử (QĐ 20/2020) chỉ gồm chữ cái, chữ số, dấu chấm, dấu gạch, tối đa 40 ký tự."),
)
ABBREVIATION = RegexValidator(
    r"^[A-ZĐ][A-Za-zĐđ0-9]*(-[A-ZĐ][A-Za-zĐđ0-9]*)*$",
    _("Chữ viết tắt chỉ gồm chữ cái, chữ số và dấu gạch nối, bắt đầu bằng chữ in hoa (ví dụ BTL, TM, BTL-TM)."),
)


class UnitKind(models.TextChoices):
    COMMAND = "command", _("Bộ Tư lệnh")
    AGENCY = "agency", _("Cơ quan")
    LEVEL2 = "level2", _("Đơn vị cấp 2")
    SUBUNIT = "subunit", _("Đơn vị trực thuộc")
    OFFICE = "office", _("Phòng, ban")


class NumberingScheme(models.TextChoices):
    SINGLE = "single", _("Một dãy số chung cho mọi loại văn bản")
    PER_TYPE = "per_type", _("Mỗi loại văn bản một dãy số")


class NeedToKnow(models.IntegerChoices):
    """From which secrecy a document shared with a unit reaches only the people who receive it for the unit (its
    leaders and clerks, who assign cleared people), not every cleared person of the unit (Law 29/2018/QH14)."""

    CONFIDENTIAL = 1, _("Từ Mật trở lên")
    SECRET = 2, _("Từ Tối mật trở lên")
    TOP_SECRET = 3, _("Chỉ Tuyệt mật")
    OFF = 4, _("Không áp dụng")


class Unit(models.Model):
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("tên đơn vị"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=100, blank=True)
    abbreviation = models.CharField(
        _("chữ viết tắt trong ký hiệu văn bản"), max_length=20, validators=[ABBREVIATION],
        help_text=_("Dùng trong số, ký hiệu văn bản, ví dụ BTL trong 12/QĐ-BTL."),
    )
    code = models.CharField(
        _("mã định danh (QCVN 102)"), max_length=13, unique=True, null=True, blank=True, validators=[EXCHANGE_CODE]
    )
    code_qd20 = models.CharField(_("mã định danh điện tử (QĐ 20/2020)"), max_length=40, blank=True,
                                 validators=[QD20_CODE])
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices, default=UnitKind.SUBUNIT)
    place_name = models.CharField(
        _("địa danh"), max_length=50, blank=True, help_text=_("Địa danh ghi trên văn bản, ví dụ Đà Nẵng.")
    )
    # Materialised path of zero-padded ids ("000001/000004/"): subtree = path LIKE 'prefix%'.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    numbering_scheme = models.CharField(
        _("cách cấp số văn bản đi"), max_length=20, choices=NumberingScheme.choices, default=NumberingScheme.SINGLE
    )
    separate_secret_incoming = models.BooleanField(
        _("sổ riêng cho văn bản mật đến"), default=True,
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    need_to_know_from = models.PositiveSmallIntegerField(
        _("chỉ chỉ huy, văn thư nhận văn bản mật giao cho đơn vị"), choices=NeedToKnow.choices,
        default=NeedToKnow.SECRET,
        help_text=_("Văn bản từ độ mật này giao cho đơn vị chỉ đến chỉ huy và văn thư, những người phân công "
                    "cán bộ được tiếp cận xử lý."),
    )
    # The unit's head (người đứng đầu): preselected when a document is presented (issue 12 item 4). Empty: the
    # leader who signs for the unit in his own name (`org.queries.head_of`), never a deputy by accident.
    head = models.ForeignKey(
        "Person", verbose_name=_("người đứng đầu"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Chỉ huy được chọn sẵn khi văn thư trình văn bản."),
    )

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "abbreviation"], name="org_unit_abbreviation_unique_among_siblings"
            ),
            # Two units never share a QĐ 20 identifier (`identifiers.as_qcvn102` must find one unit); many have
            # none (""). The action's check names the holder; this holds under two admins at once.
            models.UniqueConstraint(
                fields=["code_qd20"], condition=~models.Q(code_qd20=""), name="org_unit_code_qd20_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_abbreviation(self) -> str:
        return self.abbreviation

    def is_within(self, other: Unit) -> bool:
        """True when this unit is `other` or one of its descendants."""
        return self.path.startswith(other.path)


def path_segment(pk: int) -> str:
    return f"{pk:06d}/"


class Rank(models.TextChoices):
    NONE = "", _("(không)")
    BINH_NHI = "binh_nhi", _("Binh nhì")
    BINH_NHAT = "binh_nhat", _("Binh nhất")
    HA_SI = "ha_si", _("Hạ sĩ")
    TRUNG_SI = "trung_si", _("Trung sĩ")
    THUONG_SI = "thuong_si", _("Thượng sĩ")
    THIEU_UY = "thieu_uy", _("Thiếu úy")
    TRUNG_UY = "trung_uy", _("Trung úy")
    THUONG_UY = "thuong_uy", _("Thượng úy")
    DAI_UY = "dai_uy", _("Đại úy")
    THIEU_TA = "thieu_ta", _("Thiếu tá")
    TRUNG_TA = "trung_ta", _("Trung tá")
    THUONG_TA = "thuong_ta", _("Thượng tá")
    DAI_TA = "dai_ta", _("Đại tá")
    THIEU_TUONG = "thieu_tuong", _("Thiếu tướng")
    TRUNG_TUONG = "trung_tuong", _("Trung tướng")
    THUONG_TUONG = "thuong_tuong", _("Thượng tướng")
    DAI_TUONG = "dai_tuong", _("Đại tướng")
    CNVQP = "cnvqp", _("Công nhân viên quốc phòng")


class Person(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person")
    full_name = models.CharField(_("họ và tên"), max_length=50)
    rank = models.CharField(_("cấp bậc"), max_length=20, choices=Rank.choices, blank=True, default="")
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="people")
    clearance = models.PositiveSmallIntegerField(
        _("mức được tiếp cận bí mật"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    is_active = models.BooleanField(_("đang công tác"), default=True)
    # after an action, open the next item of the same queue (issue 12); the person's own setting
    opens_next = models.BooleanField(_("mở việc tiếp theo sau mỗi thao tác"), default=True, db_default=True)

    class Meta:
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")
        ordering = ["unit__path", "full_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def position_label(self) -> str:
        """The position title in the reader's language (stored in Vietnamese; see org/titles.py)."""
        from vanthu.org.titles import position_label

        return position_label(self.position)

    @property
    def rank_and_name(self) -> str:
        """'Đại tá Nguyễn Văn A' — the name line under a signature in armed-forces documents."""
        rank = self.get_rank_display() if self.rank and self.rank != Rank.CNVQP else ""
        return f"{rank} {self.full_name}".strip()


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    LEADER = "leader", _("Chỉ huy, lãnh đạo")
    OFFICER = "officer", _("Chuyên viên, cán bộ")
    ADMIN = "admin", _("Quản trị")
    SECURITY = "security", _("Cán bộ bảo mật")  # sees the read audit of the unit and its subtree (issue 13)


class RoleGrant(models.Model):
    """A role a person holds over a unit. A leader's role reaches the unit's whole subtree."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [models.UniqueConstraint(fields=["person", "unit", "role"], name="org_rolegrant_unique")]
        indexes = [models.Index(fields=["unit", "role"], name="org_rolegrant_unit_role")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} — {self.unit}"


class AuthorityPrefix(models.TextChoices):
    """Signing-authority prefixes of Decree 30 Phụ lục I."""

    NONE = "", _("(ký trực tiếp)")
    TM = "TM.", _("TM. — thay mặt tập thể")
    KT = "KT.", _("KT. — ký thay người đứng đầu")
    TL = "TL.", _("TL. — thừa lệnh")
    TUQ = "TUQ.", _("TUQ. — thừa ủy quyền")
    Q = "Q.", _("Q. — quyền")


class SigningAuthority(models.Model):
    """Who may sign documents issued by a unit, and how the signature block reads.

    The block on the page is: `<prefix> <on_behalf_title>` (e.g. "KT. TƯ LỆNH"), then `title`
    ("PHÓ TƯ LỆNH"), the signature, and the rank and name. A TUQ. authority is a time-limited delegation
    from `delegated_by`.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="signing_authorities")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị ban hành"), on_delete=models.CASCADE,
                             related_name="signing_authorities")
    prefix = models.CharField(_("thẩm quyền ký"), max_length=5, choices=AuthorityPrefix.choices, blank=True)
    on_behalf_title = models.CharField(
        _("chức danh người đứng đầu / tập thể"), max_length=100, blank=True,
        help_text=_("Ví dụ TƯ LỆNH, THỦ TRƯỞNG, ĐẢNG ỦY (để trống khi ký trực tiếp)."),
    )
    title = models.CharField(_("chức vụ người ký"), max_length=100, help_text=_("Ví dụ PHÓ TƯ LỆNH."))
    document_types = models.JSONField(
        _("loại văn bản được ký"), default=list, blank=True,
        help_text=_("Danh sách chữ viết tắt loại văn bản; để trống là mọi loại."),
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    delegated_by = models.ForeignKey(
        Person, verbose_name=_("người ủy quyền"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thẩm quyền ký")
        verbose_name_plural = _("thẩm quyền ký")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="org_authority_valid_range",
            ),
            models.CheckConstraint(
                condition=~Q(prefix="TUQ.") | (Q(delegated_by__isnull=False) & Q(valid_until__isnull=False)),
                name="org_authority_tuq_is_time_limited_delegation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.competence_line} / {self.title}"

    @property
    def competence_line(self) -> str:
        """The first line of the signature block, e.g. 'KT. TƯ LỆNH' (edXML SignerInfo/Competence)."""
        if not self.prefix:
            return self.title.upper()
        return f"{self.prefix} {self.on_behalf_title.upper()}".strip()

    def is_valid_on(self, day: dt.date, *, type_abbreviation: str | None = None) -> bool:
        if self.revoked_at is not None:
            return False
        if day < self.valid_from or (self.valid_until is not None and day > self.valid_until):
            return False
        if self.document_types and type_abbreviation is not None:
            return type_abbreviation in self.document_types
        return True


class StandIn(models.Model):
    """A person away (on leave, on a mission) names who handles their work from `starts_on` to `ends_on`,
    both included; their unit's leader or clerk may name one for them. It ends by itself after `ends_on`
    (read as a date comparison, never a stored flag) or earlier when cancelled."""

    absent = models.ForeignKey("Person", verbose_name=_("người vắng"), on_delete=models.CASCADE,
                               related_name="stand_ins")
    stand_in = models.ForeignKey("Person", verbose_name=_("người xử lý thay"), on_delete=models.CASCADE,
                                 related_name="standing_in")
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến hết ngày"))
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    created_by = models.ForeignKey("Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("người xử lý thay")
        verbose_name_plural = _("người xử lý thay")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="org_standin_period"),
            models.CheckConstraint(condition=~Q(absent=F("stand_in")), name="org_standin_not_self"),
        ]
        indexes = [models.Index(fields=["stand_in", "ends_on"], name="standin_for_person")]

    def __str__(self) -> str:
        return f"{self.stand_in} thay {self.absent} ({self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y})"

    def is_active_on(self, day: dt.date) -> bool:
        return self.cancelled_at is None and self.starts_on <= day <= self.ends_on


class Agency(models.Model):
    """An outside agency in the directory of issuing bodies (cơ quan ban hành ngoài cây tổ chức): what the
    registration form offers beside the org tree, instead of free text retyped for every document."""

    name = models.CharField(_("tên cơ quan"), max_length=200, unique=True)
    short_name = models.CharField(_("tên ngắn"), max_length=100, blank=True)
    code = models.CharField(_("mã định danh (QCVN 102)"), max_length=50, blank=True, db_index=True,
                            validators=[EXCHANGE_CODE])
    code_qd20 = models.CharField(_("mã định danh điện tử (QĐ 20/2020)"), max_length=40, blank=True, db_index=True,
                                 validators=[QD20_CODE])
    # listed by the exchange hub (`org.agency_sync`): deactivated when the hub's list no longer has it
    from_hub = models.BooleanField(_("đồng bộ từ trục liên thông"), default=False)
    # lower-case, without diacritics (đ → d): what the accent-insensitive autocomplete matches
    folded = models.CharField(max_length=400, editable=False, db_index=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cơ quan ngoài")
        verbose_name_plural = _("cơ quan ngoài")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SecurityKey(models.Model):
    """A person's WebAuthn security key (decision 0020): the second factor beside the TOTP app, where the browser
    supports it. Only its public key is kept; `sign_count` catches a cloned key."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="security_keys")
    name = models.CharField(_("tên khóa"), max_length=64)
    credential_id = models.CharField(max_length=400, unique=True)  # base64url, as the browser names it
    public_key = models.BinaryField()  # COSE
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa bảo mật")
        verbose_name_plural = _("khóa bảo mật")
        ordering = ["person", "created_at"]

    def __str__(self) -> str:
        return self.name


from vanthu.org.session_models import PersonSession as PersonSession  # noqa: E402  (Django finds it here)
