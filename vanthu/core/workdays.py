"""Working days: which days an office works, and deadlines counted in them (hạn xử lý).

A year's calendar is built from rules and then from data (/work/shared/reference/calendar.md §1–3):
1. the weekly rest days (settings.WEEKEND_DAYS, Saturday and Sunday by default);
2. the statutory holidays of the Labour Code 2019 Art. 112: 1/1; Tết (the last day of the old lunar year and
   lunar 1/1–4/1, the project's default placement); Giỗ Tổ Hùng Vương (lunar 10/3, `core.lunar`, UTC+7); 30/4;
   1/5; 2/9 and the day next to it (1/9 when 2/9 is a Tuesday, Wednesday, Friday or Saturday, else 3/9); 24/11
   (Ngày Văn hóa Việt Nam) from 2026. A holiday on a rest day gives the next free weekday off (Art. 111(3)), in
   date order;
3. the Government's yearly notice, entered as `CalendarException` rows (an extra day off, or a working day such
   as a make-up Saturday); they win over 1 and 2. A year without a `CalendarNotice` is *provisional*.

Counting (Civil Code 2015 Art. 147(2)): "N working days from D" ends on the N-th working day strictly after D.
Overdue is computed when read (`is_overdue`), never stored. A year's days off are cached in this process for
settings.CALENDAR_CACHE_SECONDS and dropped at once when this process writes an override (org/calendar.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core import lunar
from vanthu.core.choices import Urgency
from vanthu.core.models import CalendarException, CalendarExceptionKind, CalendarNotice

ONE_DAY = dt.timedelta(days=1)
CULTURE_DAY_FROM = 2026  # 24/11, Ngày Văn hóa Việt Nam (Resolution 80-NQ/TW; Art. 112 as amended in 2026)
_URGENCY_KEYS = {
    Urgency.NORMAL: "normal",
    Urgency.URGENT: "urgent",
    Urgency.VERY_URGENT: "very_urgent",
    Urgency.FLASH: "flash",
    Urgency.FLASH_TIMED: "flash_timed",
}


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str
    compensatory: bool = False  # a day off given for a holiday that fell on a rest day


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: tuple[Holiday, ...]  # the statutory days and their compensatory days, before the notice
    extra_off: tuple[CalendarException, ...]  # the notice's days off
    working: tuple[CalendarException, ...]  # the notice's working days (make-up days)
    notice: str | None  # the notice's reference; None: provisional
    off_days: frozenset[dt.date] = field(default=frozenset())  # every day off that is not a weekly rest day
    worked_days: frozenset[dt.date] = field(default=frozenset())

    @property
    def provisional(self) -> bool:
        return self.notice is None


def weekend_days() -> frozenset[int]:
    return frozenset(settings.WEEKEND_DAYS)


def _is_weekend(d: dt.date) -> bool:
    return d.isoweekday() in weekend_days()


def statutory_holidays(year: int) -> list[Holiday]:
    """The Labour Code's holidays of `year` with their compensatory days, sorted (no database)."""
    tet = lunar.tet(year)
    days: list[Holiday] = [Holiday(dt.date(year, 1, 1), _("Tết Dương lịch"))]
    days.append(Holiday(tet - ONE_DAY, _("Tết Nguyên đán (ngày cuối năm âm lịch)")))
    days += [Holiday(tet + i * ONE_DAY, _("Tết Nguyên đán (mùng %(n)d)") % {"n": i + 1}) for i in range(4)]
    days.append(Holiday(lunar.hung_kings_day(year), _("Giỗ Tổ Hùng Vương (10/3 âm lịch)")))
    days.append(Holiday(dt.date(year, 4, 30), _("Ngày Chiến thắng")))
    days.append(Holiday(dt.date(year, 5, 1), _("Ngày Quốc tế Lao động")))
    national = dt.date(year, 9, 2)
    beside = dt.date(year, 9, 1) if national.isoweekday() in (2, 3, 5, 6) else dt.date(year, 9, 3)
    days.append(Holiday(national, _("Quốc khánh")))
    days.append(Holiday(beside, _("Quốc khánh (ngày liền kề)")))
    if year >= CULTURE_DAY_FROM:
        days.append(Holiday(dt.date(year, 11, 24), _("Ngày Văn hóa Việt Nam")))
    days.sort(key=lambda h: h.date)
    taken = {h.date for h in days}
    compensations: list[Holiday] = []
    for holiday in days:
        if not _is_weekend(holiday.date):
            continue
        d = holiday.date + ONE_DAY
        while _is_weekend(d) or d in taken:
            d += ONE_DAY
        taken.add(d)
        compensations.append(Holiday(d, _("Nghỉ bù %(name)s") % {"name": holiday.name}, compensatory=True))
    return sorted(days + compensations, key=lambda h: h.date)


_cache: dict[int, tuple[float, YearCalendar]] = {}
_lock = threading.Lock()


def forget(year: int | None = None) -> None:
    """Drop the cached calendar of `year` (of every year when None): an override changed."""
    with _lock:
        if year is None:
            _cache.clear()
        else:
            _cache.pop(year, None)


def year_calendar(year: int) -> YearCalendar:
    """The calendar of `year`: statutory days, the notice's overrides, and the resulting sets (cached)."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(year)
    if hit is not None and now - hit[0] < settings.CALENDAR_CACHE_SECONDS:
        return hit[1]
    holidays = tuple(statutory_holidays(year))
    rows = list(CalendarException.objects.filter(date__year=year).order_by("date"))
    extra_off = tuple(r for r in rows if r.kind == CalendarExceptionKind.OFF)
    working = tuple(r for r in rows if r.kind == CalendarExceptionKind.WORKING)
    notice = CalendarNotice.objects.filter(year=year).values_list("reference", flat=True).first()
    worked = frozenset(r.date for r in working)
    off = frozenset({h.date for h in holidays} | {r.date for r in extra_off}) - worked
    calendar = YearCalendar(year, holidays, extra_off, working, notice, off, worked)
    with _lock:
        _cache[year] = (now, calendar)
    return calendar


def _forget_on_change(sender: object, instance: CalendarException | CalendarNotice, **kwargs: object) -> None:
    year = instance.year if isinstance(instance, CalendarNotice) else instance.date.year
    forget(year)


for _model in (CalendarException, CalendarNotice):
    post_save.connect(_forget_on_change, sender=_model, dispatch_uid=f"workdays.forget.{_model.__name__}")
    post_delete.connect(_forget_on_change, sender=_model, dispatch_uid=f"workdays.forget.del.{_model.__name__}")


def is_working_day(d: dt.date) -> bool:
    calendar = year_calendar(d.year)
    if d in calendar.worked_days:
        return True
    return not _is_weekend(d) and d not in calendar.off_days


def next_working_day(d: dt.date) -> dt.date:
    """`d` itself when it is a working day, else the first working day after it (Civil Code Art. 148(5))."""
    while not is_working_day(d):
        d += ONE_DAY
    return d


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after `start` (before it when n < 0); n = 0 is `next_working_day(start)`."""
    if n == 0:
        return next_working_day(start)
    step = ONE_DAY if n > 0 else -ONE_DAY
    d, left = start, abs(n)
    while left:
        d += step
        if is_working_day(d):
            left -= 1
    return d


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after `a` up to and including `b` (negative when b is before a): add_working_days's inverse."""
    if b < a:
        return -working_days_between(b, a)
    count, d = 0, a
    while d < b:
        d += ONE_DAY
        if is_working_day(d):
            count += 1
    return count


def default_working_days(urgency: int) -> int:
    return int(settings.DEADLINE_WORKING_DAYS[_URGENCY_KEYS[Urgency(urgency)]])


def deadline_for_urgency(urgency: int, start: dt.date) -> dt.date:
    """The default deadline of something received on `start` with `urgency` (settings.DEADLINE_WORKING_DAYS).

    0 days (Hỏa tốc by default) is `start` itself, even on a day off: a flash message is handled at once.
    """
    n = default_working_days(urgency)
    return start if n == 0 else add_working_days(start, n)


def is_overdue(deadline: dt.date | None, today: dt.date | None = None) -> bool:
    """Past its deadline: the deadline day itself is still in time. No deadline is never overdue."""
    if deadline is None:
        return False
    return (today or timezone.localdate()) > deadline


def overdue_filter(field: str = "deadline", today: dt.date | None = None) -> Q:
    """The database side of `is_overdue`, for lists and roll-ups: `field` (a DateField) is before today."""
    return Q(**{f"{field}__lt": today or timezone.localdate()})


def is_provisional(d: dt.date) -> bool:
    """`d` falls in a year whose notice has not been entered: its days off may still move."""
    return year_calendar(d.year).provisional
