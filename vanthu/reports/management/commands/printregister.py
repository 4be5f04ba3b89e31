"""`vanthu printregister` — print a unit's register to a file, for the IT admin on the server.

    vanthu printregister --unit BTL --kind incoming --year 2026 --format pdf -o so-den-BTL-2026.pdf
    vanthu printregister --unit 4 --kind outgoing --from 2025-07-01 --to 2026-06-30 --series mat -o so.xlsx

The unit is given by its abbreviation (BTL, TM …) or its id. Without dates the whole year is printed
(--year, default this year). The format defaults to the output file's extension, else PDF. The print is
recorded in the audit log like one from the web page (actor: the server, via "cli").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents.numbering import GENERAL
from vanthu.org.models import Unit
from vanthu.reports import registers
from vanthu.reports.views import FORMATS, produce


def find_unit(value: str) -> Unit:
    """A unit by id or by abbreviation (abbreviations are unique among siblings only: ambiguity is an error)."""
    if value.isdigit():
        unit = Unit.objects.select_related("parent").filter(pk=int(value)).first()
        if unit is None:
            raise CommandError(_("Không có đơn vị mã số %(id)s.") % {"id": value})
        return unit
    matches = list(Unit.objects.select_related("parent").filter(abbreviation__iexact=value).order_by("path"))
    if not matches:
        raise CommandError(_("Không có đơn vị viết tắt “%(abbr)s”.") % {"abbr": value})
    if len(matches) > 1:
        listing = ", ".join(f"{u.pk} ({u.name})" for u in matches)
        raise CommandError(_("Có nhiều đơn vị viết tắt “%(abbr)s”; hãy chọn theo mã số: %(list)s.")
                           % {"abbr": value, "list": listing})
    return matches[0]


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("Ngày “%(value)s” không hợp lệ; hãy ghi năm-tháng-ngày.") % {"value": value}) from exc


class Command(BaseCommand):
    help = "Print a unit's incoming or outgoing register (Decree 30 Phụ lục IV) as PDF or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit abbreviation (BTL) or id")
        parser.add_argument("--kind", required=True, choices=sorted(registers.KINDS))
        parser.add_argument("--year", type=int, help="the whole year (default: this year)")
        parser.add_argument("--from", dest="start", help="first day, yyyy-mm-dd (instead of --year)")
        parser.add_argument("--to", dest="end", help="last day, yyyy-mm-dd (instead of --year)")
        parser.add_argument("--series", default=GENERAL, help="number series: chung (default), mat, loai-QĐ …")
        parser.add_argument("--format", choices=sorted(FORMATS), help="pdf or xlsx (default: from -o, else pdf)")
        parser.add_argument("-o", "--output", type=Path, help="output file (default: so-den-BTL-2026.pdf here)")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = find_unit(options["unit"])
        if options["start"] or options["end"]:
            if options["year"]:
                raise CommandError(_("Dùng --year hoặc --from/--to, không dùng cả hai."))
            if not (options["start"] and options["end"]):
                raise CommandError(_("Cần cả --from và --to."))
            start, end = _day(options["start"]), _day(options["end"])
        else:
            year = options["year"] or timezone.localdate().year
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if end < start:
            raise CommandError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
        if (end - start).days + 1 > registers.MAX_DAYS:
            raise CommandError(_("Mỗi lần in được tối đa %(days)s ngày.") % {"days": registers.MAX_DAYS})
        output: Path | None = options["output"]
        fmt = options["format"] or (output.suffix.lstrip(".").lower() if output is not None else "") or "pdf"
        if fmt not in FORMATS:
            raise CommandError(_("Định dạng “%(value)s” không được hỗ trợ; hãy chọn pdf hoặc xlsx.") % {"value": fmt})
        printout = registers.open_register(unit=unit, kind=registers.KINDS[options["kind"]],
                                           series=options["series"], start=start, end=end)
        content, _name, ascii_name = produce(printout, fmt=fmt, printed_by=None, via="cli")
        target = output or Path(ascii_name)
        target.write_bytes(content)
        self.stdout.write(_("Đã in %(title)s của %(unit)s (%(count)s văn bản) ra %(file)s.") % {
            "title": printout.title.lower(), "unit": unit.name, "count": printout.count, "file": target,
        })
