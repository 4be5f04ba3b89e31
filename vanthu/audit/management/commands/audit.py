"""`vanthu audit verify`: recompute every audit hash chain and say where one was broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanthu.audit import log


class Command(BaseCommand):
    help = "Audit trail tools: `verify` recomputes every hash chain (exit 1 when one is broken)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        reports = log.verify_all()
        broken = [r for r in reports if not r.ok]
        for report in reports:
            state = "OK" if report.ok else f"BROKEN at seq {report.broken_at}"
            self.stdout.write(f"{report.chain:>12}  {report.events:>8} events  {state}")
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken")
        self.stdout.write(self.style.SUCCESS(f"{len(reports)} chain(s) intact"))
