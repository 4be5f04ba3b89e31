"""`vanthu demo`: create the demo Military Region and its documents in an empty database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vanthu.demo.build import SEED, DemoAlreadyLoaded, Summary, build_demo


def describe(summary: Summary) -> list[str]:
    statuses = ", ".join(f"{status} {count}" for status, count in sorted(summary.by_status.items()))
    return [
        _("Đã tạo dữ liệu minh họa: %(u)d đơn vị, %(p)d cán bộ, %(d)d văn bản (%(s)d chữ ký số) trong %(t).0f giây.")
        % {"u": summary.units, "p": summary.people, "d": summary.documents, "s": summary.signatures,
           "t": summary.seconds},
        _("Thời gian mô phỏng: %(a)s → %(b)s.") % {"a": f"{summary.start:%d/%m/%Y}", "b": f"{summary.end:%d/%m/%Y}"},
        _("Trạng thái văn bản: %(s)s.") % {"s": statuses},
    ]


class Command(BaseCommand):
    help = "Tạo dữ liệu minh họa (Quân khu 10: đơn vị, cán bộ, văn bản) trong cơ sở dữ liệu trống."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=SEED, help="Hạt giống ngẫu nhiên (mặc định %(default)s).")
        parser.add_argument("--no-signing", action="store_true",
                            help="Không cấp chứng thư số, không ký và phát hành văn bản (nhanh hơn; "
                                 "không có văn bản đã phát hành nên ít văn bản hơn).")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])

        def progress(step: str) -> None:
            if verbosity > 1:
                self.stdout.write(f"… {step}")

        try:
            summary = build_demo(seed=options["seed"], signing=not options["no_signing"], progress=progress)
        except DemoAlreadyLoaded as exc:
            if str(exc):
                raise CommandError(_("Dữ liệu minh họa đã được tạo trong cơ sở dữ liệu này; không tạo lại.")) from exc
            raise CommandError(
                _("Cơ sở dữ liệu đã có đơn vị; lệnh demo chỉ chạy trên cơ sở dữ liệu trống.")
            ) from exc
        if verbosity:
            for line in describe(summary):
                self.stdout.write(line)
