"""`vanthu record …` — work records on the command line.

    vanthu record list [--closed] [--json] [--user USERNAME]   # records USERNAME may see (all, for the operator)

Each subcommand is its own module `vanthu/records/cli_<name>.py` with `NAME`, `HELP`, `add_arguments(parser)` and
`run(command, options) -> int` (the exit code); this dispatcher lists them in `SUBCOMMANDS` and loads those
present, so a subcommand (e.g. `export`, `verify` of the record package) is added by adding its module.
Results on stdout (JSON with --json), messages on stderr.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

SUBCOMMANDS = ("list", "export", "verify")


def _modules() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for name in SUBCOMMANDS:
        dotted = f"vanthu.records.cli_{name}"
        if importlib.util.find_spec(dotted) is None:
            continue
        module = importlib.import_module(dotted)
        found[module.NAME] = module
    return found


class Command(BaseCommand):
    help = "Work records (hồ sơ công việc): list, and the subcommands of vanthu/records/cli_*.py."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, module in _modules().items():
            module.add_arguments(sub.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        module = _modules()[options["subcommand"]]
        code = int(module.run(self, options))
        if code:
            sys.exit(code)
