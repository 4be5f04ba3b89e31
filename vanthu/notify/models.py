"""Notifications: one row per thing a person is told (the bell), with the state of its e-mail, and each person's
choice of what comes by mail.

`key` is unique per person: the same reminder (item + stage) or the same event is never created twice, however
many workers or retries try (inserted with ON CONFLICT DO NOTHING / get_or_create under the constraint).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanthu.org.models import Person


class Kind(models.TextChoices):
    REMINDER = "reminder", _("Nhắc hạn")
    OVERDUE = "overdue", _("Quá hạn")
    ESCALATION = "escalation", _("Báo cáo chỉ huy: quá hạn")
    TASK = "task", _("Việc mới")
    INFO = "info", _("Thông tin")


REMINDER_KINDS = (Kind.REMINDER, Kind.OVERDUE)


class MailState(models.TextChoices):
    OFF = "off", _("Không gửi thư")  # the person chose no mail for this kind, has no address, or mail is off
    PENDING = "pending", _("Chờ gửi thư")
    SENDING = "sending", _("Đang gửi thư")
    SENT = "sent", _("Đã gửi thư")


class Notification(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("liên kết"), max_length=500, blank=True)
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    mail_state = models.CharField(max_length=8, choices=MailState.choices, default=MailState.OFF)
    mail_claimed_at = models.DateTimeField(null=True, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True)
    mail_error = models.CharField(_("lỗi gửi thư"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="notify_notification_key_per_person")]
        indexes = [
            # the bell's COUNT (the list of a person's notifications uses the unique (person, key) index)
            models.Index(fields=["person", "created_at"], condition=Q(read_at__isnull=True),
                         name="notify_unread"),
            models.Index(fields=["mail_state", "id"], condition=Q(mail_state__in=["pending", "sending"]),
                         name="notify_mail_waiting"),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """What a person wants by e-mail besides the bell (no row: the defaults)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="notify_preference")
    mail_reminders = models.BooleanField(_("thư nhắc hạn và quá hạn"), default=True)
    mail_escalations = models.BooleanField(_("thư báo việc quá hạn của cấp dưới"), default=True)
    mail_other = models.BooleanField(_("thư cho các thông báo khác"), default=False)

    class Meta:
        verbose_name = _("tùy chọn thông báo")
        verbose_name_plural = _("tùy chọn thông báo")

    def __str__(self) -> str:
        return str(self.person)

    def wants_mail(self, kind: str) -> bool:
        if kind in REMINDER_KINDS:
            return self.mail_reminders
        if kind == Kind.ESCALATION:
            return self.mail_escalations
        return self.mail_other


DEFAULT_PREFERENCE = Preference()
