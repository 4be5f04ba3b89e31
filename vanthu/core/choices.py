"""Vocabulary shared by every app: urgency (độ khẩn) and secrecy (độ mật).

Urgency values are edXML `Priority` codes (QCVN 102): 0 Thường … 4 Hỏa tốc hẹn giờ.
Secrecy values order the levels so that `document.secrecy <= person.clearance` is the clearance rule.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.IntegerChoices):
    NORMAL = 0, _("Thường")
    URGENT = 1, _("Khẩn")
    VERY_URGENT = 2, _("Thượng khẩn")
    FLASH = 3, _("Hỏa tốc")
    FLASH_TIMED = 4, _("Hỏa tốc hẹn giờ")


class Secrecy(models.IntegerChoices):
    NONE = 0, _("Không mật")
    CONFIDENTIAL = 1, _("Mật")
    SECRET = 2, _("Tối mật")
    TOP_SECRET = 3, _("Tuyệt mật")
