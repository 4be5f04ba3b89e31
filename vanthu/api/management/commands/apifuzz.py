"""`vanthu apifuzz`: the long form of the API's schemathesis run (issue 18), over the demo database.

Every operation, positive and negative data, as three demo people (the Staff's clerk Lan, the commander Hùng,
the drafter Quang), with real ids of the demo in paths half of the time. Everything runs in one transaction
that is rolled back at the end: the database is left as it was, and no job is enqueued. Prints the figures
(docs/api.md records them). Needs the dev dependency schemathesis.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

PEOPLE = ("lan", "hung", "quang", "son", "quantri")  # fuzz.ALLOWED names who may use each operation


class Command(BaseCommand):
    help = "Chạy schemathesis dài trên toàn bộ API (dữ liệu minh họa; mọi thay đổi được hoàn tác)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=100, help="Số ca mỗi thao tác và mỗi chế độ.")
        parser.add_argument("--seed", type=int, default=18)
        parser.add_argument("--scenarios", type=int, default=200,
                            help="Số kịch bản của giai đoạn có trạng thái (stateful), 0 để bỏ qua.")
        parser.add_argument("--steps", type=int, default=8, help="Số bước tối đa mỗi kịch bản.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from vanthu.api import fuzz
        except ImportError as exc:  # pragma: no cover - schemathesis is a dev dependency
            raise CommandError("schemathesis is not installed (pip install -e '.[dev]')") from exc
        from vanthu.api.actions import create_token
        from vanthu.core.actors import SystemActor
        from vanthu.documents.models import Document
        from vanthu.org.models import Person
        from vanthu.workflow.models import Assignment

        people = {p.user.username: p for p in Person.objects.select_related("user").filter(user__username__in=PEOPLE)}
        if set(people) != set(PEOPLE):
            raise CommandError(f"the demo's people ({', '.join(PEOPLE)}) are missing: run `vanthu demo` first")
        started = time.monotonic()
        with transaction.atomic():
            actor = SystemActor("apifuzz")
            tokens = {name: create_token(person=person, name="apifuzz", acting=actor, days=1)[1]
                      for name, person in people.items()}
            seeds = {
                "document_id": list(Document.objects.order_by("-pk").values_list("pk", flat=True)[:200]),
                "assignment_id": list(Assignment.objects.order_by("-pk").values_list("pk", flat=True)[:200]),
                "task_id": list(Assignment.objects.order_by("pk").values_list("pk", flat=True)[:200]),
            }
            report = fuzz.run(tokens=tokens, seeds=seeds, max_examples=options["cases"], seed=options["seed"])
            chained = (fuzz.run_stateful(tokens=tokens, max_examples=options["scenarios"], steps=options["steps"],
                                         seed=options["seed"]) if options["scenarios"] else None)
            transaction.set_rollback(True)
        for line in report.lines():
            self.stdout.write(line)
        if chained is not None:
            self.stdout.write("stateful phase (schemathesis' state machine over the inferred links):")
            for line in chained.lines():
                self.stdout.write("  " + line)
        self.stdout.write(f"seconds: {time.monotonic() - started:.0f}")
        failures = {**report.contract_failures(), **(chained.contract_failures() if chained else {})}
        if failures:
            raise CommandError(f"contract failures: {failures}")
