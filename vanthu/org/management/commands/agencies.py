"""`vanthu agencies import FILE` (CSV or XLSX: name, short name, code) as the operator; `vanthu agencies list`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.org import agencies
from vanthu.org.agency_actions import import_agencies
from vanthu.org.models import Agency


class Command(BaseCommand):
    help = "Directory of outside agencies (issuing bodies): import from a CSV or XLSX file, or list it."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import")
        imp.add_argument("file")
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "list":
            for agency in Agency.objects.filter(is_active=True).order_by("name"):
                self.stdout.write("\t".join([agency.name, agency.short_name, agency.code]))
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không thấy tệp %(path)s.") % {"path": path})
        try:
            rows = agencies.parse(path.read_bytes(), filename=path.name)
            result = import_agencies(rows=rows, acting=operator("agencies import"))
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Đã nhập danh bạ cơ quan: %(c)s mới, %(u)s cập nhật, %(n)s không đổi.")
                          % {"c": result.created, "u": result.updated, "n": result.unchanged})
