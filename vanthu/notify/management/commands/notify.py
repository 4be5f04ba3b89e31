"""`vanthu notify remind|mail|status`: the reminder pass now (as the hourly job does), mail what waits, counts.

- remind [--today YYYY-MM-DD]: one reminder pass (idempotent: a stage already sent is not sent again); the mails
  are sent by the job it enqueues (at once with --mail).
- mail: mail every notification waiting for it now (exit 1 when the SMTP server cannot be reached).
- status: notifications unread, and by mail state.
Results on stdout (JSON with --json), messages on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from vanthu.core.actors import operator
from vanthu.notify import actions, delivery, mail
from vanthu.notify.models import Notification


class Command(BaseCommand):
    help = "Notifications: `remind` runs the reminder pass, `mail` mails what waits, `status` counts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["remind", "mail", "status"])
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="the day the pass counts from (YYYY-MM-DD; default today)")
        parser.add_argument("--mail", action="store_true", help="remind: also mail at once")
        parser.add_argument("--json", action="store_true")

    def _out(self, result: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "remind":
            outcome = actions.send_reminders(acting=operator("notify remind"), today=options["today"])
            result: dict[str, Any] = {"today": outcome.today.isoformat(), "items": outcome.items,
                                      "created": outcome.created, "by_stage": outcome.by_stage}
            if options["mail"]:
                result["mailed"] = self._mail()
        elif what == "mail":
            result = {"mailed": self._mail()}
        else:
            result = {"unread": Notification.objects.filter(read_at__isnull=True).count(),
                      "mail": dict(Notification.objects.values_list("mail_state").annotate(n=Count("pk"))
                                   .values_list("mail_state", "n"))}
        self._out(result, options["json"])

    def _mail(self) -> int:
        try:
            return delivery.mail_all_pending()
        except mail.MailServerDown as exc:
            raise CommandError(f"the SMTP server cannot be reached: {exc}") from exc
