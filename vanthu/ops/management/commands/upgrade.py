"""`vanthu upgrade`: bring a deployment to the installed version (docs/deploy.md, "Upgrades").

Run once per upgrade, on one machine, after the new version is installed on every machine and before the app
servers are restarted:

1. checks: the system checks (with Django's deployment checks unless VANTHU_DEBUG), the database answers;
2. the migrations still to apply, then applied (`--check` stops after listing them: exit 1 when some are pending);
3. translations compiled, static files collected, the pages nginx shows by itself written;
4. the restart order printed.

Stdout: what was done, one line per step (JSON with --json); stderr: messages. Exit 0 done, 1 a check failed or
(with --check) migrations are pending, 2 usage error.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser, SystemCheckError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from vanthu.ops import deploy

RESTART_ORDER = [
    "systemctl stop 'vanthu-worker@*'        # jobs wait in the queue; none is lost",
    "vanthu upgrade                            # this command: checks, migrations, static files",
    "systemctl reload vanthu-web               # on each app server, one after the other (nginx sends to the others)",
    "systemctl start 'vanthu-worker@*'",
    "systemctl restart vanthu-search-sync",
    "curl -fsS http://127.0.0.1:8001/healthz   # every part 'ok'",
]


def pending_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = "Nâng cấp triển khai: kiểm tra, migrate, tệp tĩnh. / Upgrade the deployment: checks, migrations, static."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true",
                            help="Chỉ kiểm tra, liệt kê migration chưa chạy. / Only check, list pending migrations.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        steps: list[dict[str, Any]] = []

        def step(name: str, **data: Any) -> None:
            steps.append({"step": name, **data})
            if not options["json"]:
                details = " ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, list))
                self.stdout.write(f"{name}: {details}".rstrip(": "))
                for item in next((v for v in data.values() if isinstance(v, list)), []):
                    self.stdout.write(f"  {item}")

        try:
            call_command("check", deploy=not settings.DEBUG, fail_level="ERROR", stdout=io.StringIO(),
                         stderr=io.StringIO())
        except SystemCheckError as exc:
            self.stderr.write(str(exc))
            self._finish(steps, options, failed="checks")
            sys.exit(1)
        try:
            connections[DEFAULT_DB_ALIAS].ensure_connection()
        except Exception as exc:
            self.stderr.write(f"vanthu: the database does not answer: {exc}")
            self._finish(steps, options, failed="database")
            sys.exit(1)
        step("checks", ok=True)
        pending = pending_migrations()
        step("migrations pending", count=len(pending), names=pending)
        if options["check"]:
            self._finish(steps, options)
            sys.exit(1 if pending else 0)
        call_command("migrate", interactive=False, verbosity=0)
        step("migrations applied", count=len(pending))
        from vanthu.core.management.commands.compiletranslations import compile_catalogs

        compile_catalogs()
        step("translations compiled", ok=True)
        out = io.StringIO()
        call_command("collectstatic", interactive=False, verbosity=1, stdout=out)
        step("static files", summary=out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else "")
        static_root = Path(settings.STATIC_ROOT or settings.DATA_DIR / "static")
        pages = deploy.write_error_pages(static_root)
        step("proxy's own pages", files=[str(p) for p in pages])
        step("restart order", steps=RESTART_ORDER)
        self._finish(steps, options)

    def _finish(self, steps: list[dict[str, Any]], options: dict[str, Any], failed: str = "") -> None:
        if options["json"]:
            self.stdout.write(json.dumps({"ok": not failed, "failed": failed or None, "steps": steps},
                                         ensure_ascii=False))
