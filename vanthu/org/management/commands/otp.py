"""`vanthu otp code USERNAME`: the code a person's TOTP device accepts now (stdout), for the demo.

The TOTP secrets are in the database (as in every TOTP server), so whoever runs this on the server learns
nothing they could not compute; the second factor guards against a stolen password, not the server's operator.
Exit 0 with the code; 1 when the account is unknown or has no device.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.org.second_factor import next_code


class Command(BaseCommand):
    help = "The current second-factor (TOTP) code of an account: `vanthu otp code USERNAME`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        code = sub.add_parser("code", help="print the code the account's device accepts now")
        code.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Không có tài khoản %(name)s.") % {"name": username})
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise CommandError(_("Tài khoản %(name)s chưa đăng ký xác thực hai lớp.") % {"name": username})
        code = next_code(device)
        while code is None:  # both codes of the window were used: the next step's comes within 30 s
            time.sleep(1)
            device.refresh_from_db()
            code = next_code(device)
        self.stdout.write(code)
