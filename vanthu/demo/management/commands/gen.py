"""`vanthu gen --documents N --units M`: realistic documents in bulk (then `vanthu search reindex`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Sinh văn bản mẫu với số lượng lớn (để đo tra cứu)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--documents", type=int, default=10_000)
        parser.add_argument("--units", type=int, default=50)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--workers", type=int, default=2, help="processes writing documents (PostgreSQL)")
        parser.add_argument("--no-index", action="store_true", help="leave indexing to `vanthu search reindex`")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanthu.demo import scale
        from vanthu.search import indexing

        started = time.monotonic()

        def progress(n: int) -> None:
            if n % 20_000 == 0 or n == options["documents"]:
                self.stdout.write(f"{n} văn bản, {time.monotonic() - started:.0f} s")

        from django.db import connection

        from vanthu.search.engines import configured, database_engine

        # COPY writes the PostgreSQL engine's rows as it goes (whatever engine is configured: Tantivy is then
        # built from them, `vanthu search reindex --from postgresql`)
        inline = connection.vendor == "postgresql"
        dropped: list[tuple[str, str]] = []
        if inline:
            database_engine(connection).bulk_begin()
            if options["documents"] >= 50_000:  # rebuilt once at the end: several times faster than row by row
                dropped = scale.secondary_indexes()
                with connection.cursor() as cursor:
                    for name, _definition in dropped:
                        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        try:
            made = scale.generate(documents=options["documents"], units=options["units"], seed=options["seed"],
                                  progress=progress, workers=options["workers"])
        finally:
            if dropped:
                began = time.monotonic()
                with connection.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '512MB'")
                    for _name, definition in dropped:
                        cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
                self.stdout.write(f"documents' indexes rebuilt in {time.monotonic() - began:.1f} s")
        generated = time.monotonic() - started
        self.stdout.write(f"generated {made} documents in {generated:.1f} s ({made / generated:.0f}/s)")
        if inline:
            began = time.monotonic()
            database_engine(connection).bulk_end()
            from django.utils import timezone

            from vanthu.search.models import Watermark

            Watermark.objects.update_or_create(name="documents", defaults={"updated_at": timezone.now()})
            self.stdout.write(f"index built in {time.monotonic() - began:.1f} s")
            if configured() != "database":  # Tantivy configured: built from the rows just written
                began = time.monotonic()
                total = indexing.copy_from_database_engine()
                self.stdout.write(f"{total} documents copied to {configured()} in {time.monotonic() - began:.1f} s")
        elif not options["no_index"]:
            began = time.monotonic()
            total = indexing.reindex()
            spent = time.monotonic() - began
            self.stdout.write(f"indexed {total} documents in {spent:.1f} s ({total / max(spent, 1e-9):.0f}/s)")
