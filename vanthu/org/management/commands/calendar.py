"""`vanthu calendar show YEAR [--json]` and `vanthu calendar add-off|add-working|clear|notice …` (as the operator).

`show` prints the year's days off (statutory, compensatory, the notice's) and its make-up working days on
stdout; messages and refusals go to stderr (exit 1).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanthu.core import workdays
from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.core.models import CalendarExceptionKind
from vanthu.org import calendar


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CommandError(_("Ngày không hợp lệ: %(text)s (dùng YYYY-MM-DD hoặc DD/MM/YYYY).") % {"text": text})


WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")  # thứ Hai … Chủ nhật


def _day(d: dt.date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {d.strftime('%d/%m/%Y')}"


class Command(BaseCommand):
    help = "Working-day calendar: show a year's holidays and make-up days; add a day off or a working day."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        show = sub.add_parser("show")
        show.add_argument("year", type=int)
        show.add_argument("--json", action="store_true")
        for name in ("add-off", "add-working"):
            p = sub.add_parser(name)
            p.add_argument("date")
            p.add_argument("--reason", required=True)
        clear = sub.add_parser("clear")
        clear.add_argument("date")
        notice = sub.add_parser("notice")
        notice.add_argument("year", type=int)
        notice.add_argument("--reference", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        try:
            if what == "show":
                self._show(options["year"], as_json=options["json"])
            elif what in ("add-off", "add-working"):
                kind = CalendarExceptionKind.OFF if what == "add-off" else CalendarExceptionKind.WORKING
                row = calendar.set_calendar_day(day=_date(options["date"]), kind=kind, reason=options["reason"],
                                                acting=operator(f"calendar {what}"))
                self.stderr.write(_("Đã ghi %(day)s: %(kind)s.") % {"day": row.date.strftime("%d/%m/%Y"),
                                                                     "kind": row.get_kind_display()})
            elif what == "clear":
                calendar.clear_calendar_day(day=_date(options["date"]), acting=operator("calendar clear"))
                self.stderr.write(_("Đã xóa ngoại lệ."))
            else:
                calendar.enter_notice(year=options["year"], reference=options["reference"],
                                      acting=operator("calendar notice"))
                self.stderr.write(_("Đã ghi thông báo của năm %(year)d.") % {"year": options["year"]})
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc

    def _show(self, year: int, *, as_json: bool) -> None:
        if not 1900 <= year <= 2199:
            raise CommandError(_("Năm không hợp lệ: %(year)d.") % {"year": year})
        cal = workdays.year_calendar(year)
        off: list[dict[str, Any]] = [
            {"date": h.date.isoformat(), "name": h.name, "source": "compensatory" if h.compensatory else "statutory",
             "off": h.date in cal.off_days}
            for h in cal.holidays
        ]
        off += [{"date": r.date.isoformat(), "name": r.reason, "source": "notice", "off": True} for r in cal.extra_off]
        off.sort(key=lambda item: item["date"])
        working = [{"date": r.date.isoformat(), "reason": r.reason} for r in cal.working]
        if as_json:
            self.stdout.write(json.dumps({"year": year, "provisional": cal.provisional, "notice": cal.notice,
                                          "days_off": off, "working_days": working}, ensure_ascii=False, indent=2))
            return
        if cal.provisional:
            self.stderr.write(_("Năm %(year)d chưa có thông báo của Chính phủ: lịch nghỉ là tạm tính.")
                              % {"year": year})
        for item in off:
            d = dt.date.fromisoformat(item["date"])
            mark = "" if item["off"] else " " + _("(làm việc theo thông báo)")
            self.stdout.write(f"{_day(d)}  {_('nghỉ')}  {item['name']}{mark}")
        for item in working:
            d = dt.date.fromisoformat(item["date"])
            self.stdout.write(f"{_day(d)}  {_('làm bù')}  {item['reason']}")
