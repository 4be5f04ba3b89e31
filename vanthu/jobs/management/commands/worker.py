"""`vanthu worker`: run jobs and the periodic schedule (see vanthu/jobs/worker.py)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tasks.utils import get_random_id

from vanthu.jobs import worker


class Command(BaseCommand):
    help = "Chạy các việc nền (jobs) và lịch định kỳ. / Run background jobs and the periodic schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true",
                            help="Chạy hết việc đang chờ rồi dừng. / Run what is waiting, then stop.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Số giây chờ khi hàng đợi trống (cơ sở dữ liệu). / Poll interval (database).")
        parser.add_argument("--worker-id", default="", help="Tên riêng của tiến trình này. / Unique worker id.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO)
        worker_id = options["worker_id"] or get_random_id()[:32]
        worker.run(worker_id=worker_id, interval=options["interval"], batch=options["batch"])
