"""`vanthu files verify|gc`: check the stored files against their names, remove orphans.

- verify: every StoredFile's bytes still hash to its name (integrity check for the IT admin; exit 1 when not).
- gc: remove files on disk that no StoredFile row knows (left by a transaction that rolled back after
  writing its file), older than --min-age-hours so that uploads in progress are never touched.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vanthu.core import files
from vanthu.core.models import StoredFile


class Command(BaseCommand):
    help = "Stored files: `verify` re-hashes every file; `gc` removes orphan files left by rolled-back writes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["verify", "gc"])
        parser.add_argument("--min-age-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "verify":
            self._verify()
        else:
            self._gc(min_age=options["min_age_hours"] * 3600, dry_run=options["dry_run"])

    def _verify(self) -> None:
        count, bad = files.verify_all()
        for sha, why in bad:
            self.stdout.write(f"BAD {sha} {why}")
        if bad:
            raise CommandError(f"{len(bad)} of {count} stored files are missing or changed")
        self.stdout.write(self.style.SUCCESS(f"{count} stored files intact"))

    def _gc(self, *, min_age: float, dry_run: bool) -> None:
        root = Path(settings.FILES_DIR)
        now = time.time()
        removed = 0
        for path in root.glob("??/??/*"):
            if len(path.name) != 64 or now - path.stat().st_mtime < min_age:
                continue
            if not StoredFile.objects.filter(sha256=path.name).exists():
                removed += 1
                self.stdout.write(f"orphan {path.name}")
                if not dry_run:
                    path.unlink()
        for tmp in (root / "tmp").glob("*") if (root / "tmp").exists() else []:
            if now - tmp.stat().st_mtime >= min_age:
                removed += 1
                if not dry_run:
                    tmp.unlink()
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {removed} orphan file(s)"))
