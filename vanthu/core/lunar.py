"""The Vietnamese lunar calendar (âm lịch), reckoned at UTC+7, and its conversion to and from the Gregorian one.

Pure functions, no database. The method is Hồ Ngọc Đức's ("Thuật toán tính âm lịch"), from Jean Meeus'
*Astronomical Algorithms*: new moons and the Sun's longitude are computed, converted to the time zone (7 for
Vietnam since 1968; 8 gives the Chinese calendar), and a month starts on the civil day of its new moon. Month 11
holds the December solstice; in a year with 13 months the first month without a major solar term is the leap
month. See /work/shared/reference/calendar.md §4–5: the two calendars differ e.g. on Tết 1985, 2007 and 2030.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

VN_TZ = 7.0
_JD_ORDINAL_OFFSET = 1721425  # Julian day number of 1 January of year 1 (proleptic Gregorian) is ordinal 1 + this


@dataclass(frozen=True, order=True)
class LunarDate:
    """A lunar date: `year` is the lunar year (Tết of `year` is 1/1), `leap` marks the leap month (tháng nhuận)."""

    year: int
    month: int
    day: int
    leap: bool = False

    def __str__(self) -> str:
        return f"{self.day}/{self.month}{'n' if self.leap else ''}/{self.year}"


def _jdn(d: dt.date) -> int:
    return d.toordinal() + _JD_ORDINAL_OFFSET


def _date(jdn: int) -> dt.date:
    return dt.date.fromordinal(jdn - _JD_ORDINAL_OFFSET)


def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1 January 1900 (Meeus, truncated series)."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # Sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # Moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # Moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def _sun_longitude(jdn: float) -> float:
    """The Sun's apparent ecliptic longitude in radians, at Julian day `jdn` (UT)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - math.pi * 2 * math.floor(lon / (math.pi * 2))


def _new_moon_day(k: int, tz: float) -> int:
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


def _sun_sector(jdn: int, tz: float) -> int:
    """Which 30° sector (0–11) the Sun is in at the start of civil day `jdn` in time zone `tz`."""
    return math.floor(_sun_longitude(jdn - 0.5 - tz / 24) / math.pi * 6)


@lru_cache(maxsize=512)
def _month11(year: int, tz: float) -> int:
    """Julian day number of the first day of lunar month 11 that holds the December solstice of `year`."""
    off = _jdn(dt.date(year, 12, 31)) - 2415021
    k = math.floor(off / 29.530588853)
    nm = _new_moon_day(k, tz)
    if _sun_sector(nm, tz) >= 9:
        nm = _new_moon_day(k - 1, tz)
    return nm


def _leap_month_offset(a11: int, tz: float) -> int:
    k = math.floor((a11 - 2415021.076998695) / 29.530588853 + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            break
    return i - 1


def to_lunar(d: dt.date, tz: float = VN_TZ) -> LunarDate:
    """The lunar date of Gregorian day `d` (Vietnamese by default; tz=8 gives the Chinese calendar)."""
    day_number = _jdn(d)
    k = math.floor((day_number - 2415021.076998695) / 29.530588853)
    month_start = _new_moon_day(k + 1, tz)
    while month_start > day_number:  # the mean-lunation guess can be one month ahead near midnight
        k -= 1
        month_start = _new_moon_day(k + 1, tz)
    a11 = _month11(d.year, tz)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _month11(d.year - 1, tz)
    else:
        lunar_year = d.year + 1
        b11 = _month11(d.year + 1, tz)
    lunar_day = day_number - month_start + 1
    diff = math.floor((month_start - a11) / 29)
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:
        leap_diff = _leap_month_offset(a11, tz)
        if diff >= leap_diff:
            lunar_month = diff + 10
            if diff == leap_diff:
                leap = True
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_year, lunar_month, lunar_day, leap)


def to_solar(lunar: LunarDate, tz: float = VN_TZ) -> dt.date:
    """The Gregorian date of `lunar`. ValueError if that month (or leap month) or day does not exist."""
    year, month, day, leap = lunar.year, lunar.month, lunar.day, lunar.leap
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise ValueError(f"no lunar date {lunar}")
    if month < 11:
        a11, b11 = _month11(year - 1, tz), _month11(year, tz)
    else:
        a11, b11 = _month11(year, tz), _month11(year + 1, tz)
    k = math.floor(0.5 + (a11 - 2415021.076998695) / 29.530588853)
    off = month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11, tz)
        leap_month = leap_off - 2
        if leap_month < 0:
            leap_month += 12
        if leap and month != leap_month:
            raise ValueError(f"no leap month {month} in lunar year {year}")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"no leap month in lunar year {year}")
    month_start = _new_moon_day(k + off, tz)
    next_start = _new_moon_day(k + off + 1, tz)
    if day > next_start - month_start:
        raise ValueError(f"no lunar date {lunar}")
    return _date(month_start + day - 1)


def tet(year: int, tz: float = VN_TZ) -> dt.date:
    """Tết Nguyên đán (1/1) of lunar year `year`."""
    return to_solar(LunarDate(year, 1, 1), tz)


def hung_kings_day(year: int, tz: float = VN_TZ) -> dt.date:
    """Giỗ Tổ Hùng Vương: 10/3 of the regular (not leap) month 3."""
    return to_solar(LunarDate(year, 3, 10), tz)


def leap_month(year: int, tz: float = VN_TZ) -> int | None:
    """The leap month of lunar year `year` (the number it repeats), or None."""
    start, end = tet(year, tz), tet(year + 1, tz)
    d = start
    while d < end:
        ld = to_lunar(d, tz)
        if ld.leap:
            return ld.month
        d += dt.timedelta(days=28)
    return None
