"""`vanthu bench NAME [options]` — benchmarks that print figures (never tests, never timed assertions).

Each benchmark is a function `main(argv, out)` named by its dotted path in BENCHMARKS, imported only when
run (core imports no other app). `vanthu bench NAME --help` shows the benchmark's own options.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

BENCHMARKS: dict[str, str] = {
    "signing": "vanthu.demo.bench_signing.main",
    "pages": "vanthu.demo.bench_pages.main",
    "issuing": "vanthu.demo.bench_issuing.main",
    "search": "vanthu.search.bench.main",
    "reminders": "vanthu.notify.bench.main",
    "exchange": "vanthu.demo.bench_exchange.main",
    "work": "vanthu.demo.bench_work.main",
    "records": "vanthu.demo.bench_records.main",
    "deploy": "vanthu.demo.bench_deploy.main",
    "link-reads": "vanthu.demo.bench_link_reads.main",
}


class Command(BaseCommand):
    help = "Run a benchmark and print its figures: " + ", ".join(BENCHMARKS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("benchmark", choices=sorted(BENCHMARKS))
        parser.add_argument("options", nargs=argparse.REMAINDER, help="the benchmark's own options")

    def handle(self, *args: Any, **options: Any) -> None:
        module_name, function_name = BENCHMARKS[options["benchmark"]].rsplit(".", 1)
        function = getattr(import_module(module_name), function_name)
        function(list(options["options"]), self.stdout)
