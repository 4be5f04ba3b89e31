"""`vanthu outbox status|deliver` — the outbox of issued documents and statuses between units.

`status` counts messages by state (with the oldest waiting one); `deliver` delivers the waiting ones now in
this process, as the delivery jobs would (the jobs then find them delivered and do nothing).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Min

from vanthu.documents import delivering
from vanthu.documents.models import OutboxMessage


class Command(BaseCommand):
    help = "The outbox: status (messages by state) or deliver (the waiting ones, now)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["status", "deliver"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "deliver":
            tried = delivering.deliver_waiting()
            self.stdout.write(f"{tried} message(s) tried")
        rows = OutboxMessage.objects.values("state").annotate(n=Count("pk"), oldest=Min("created_at"))
        for row in rows.order_by("state"):
            self.stdout.write(f"{row['state']}: {row['n']} (oldest {row['oldest']:%Y-%m-%d %H:%M})")
