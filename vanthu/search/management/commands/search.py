"""`vanthu search reindex [--from postgresql] | sync [--loop] | status`: rebuild the index (from the documents, or
copied from PostgreSQL's index when Tantivy takes over), follow the documents, or say how far it is."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Chỉ mục tra cứu: dựng lại (reindex), theo kịp văn bản mới (sync, --loop mỗi giây), tình trạng (status)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["reindex", "sync", "status"])
        parser.add_argument("--loop", action="store_true", help="sync: lặp lại mãi, mỗi --interval giây")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--from", dest="source", choices=["documents", "postgresql"], default="documents",
                            help="reindex: từ văn bản (mặc định) hay chép từ chỉ mục PostgreSQL sang Tantivy")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        from vanthu.search import indexing
        from vanthu.search.engines import engine_for
        from vanthu.search.models import IndexedDocument, Watermark

        if options["what"] == "reindex":
            started = time.monotonic()
            if options["source"] == "postgresql":
                total = indexing.copy_from_database_engine(progress=options["verbosity"] > 1)
            else:
                total = indexing.reindex(progress=options["verbosity"] > 1)
            spent = time.monotonic() - started
            self.stdout.write(f"engine {engine_for(connection).name}: reindexed {total} documents in {spent:.1f} s "
                              f"({total / max(spent, 1e-9):.0f}/s)")
        elif options["what"] == "sync":
            while True:
                done = indexing.sync_all()
                if done:
                    self.stdout.write(f"indexed {done} documents")
                if not options["loop"]:
                    break
                connection.close_if_unusable_or_obsolete()
                time.sleep(options["interval"])
        else:
            mark = Watermark.objects.filter(name="documents").first()
            self.stdout.write(f"engine: {engine_for(connection).name}")
            self.stdout.write(f"documents indexed: {IndexedDocument.objects.count()}")
            self.stdout.write(f"watermark: {mark.updated_at if mark else None}")
