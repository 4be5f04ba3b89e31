"""The Vietnamese lunar calendar (UTC+7) against the dates of /work/shared/reference/calendar.md."""

from __future__ import annotations

import datetime as dt

import pytest

from vanthu.core import lunar
from vanthu.core.lunar import LunarDate

D = dt.date


@pytest.mark.parametrize(("year", "vietnam", "china"), [
    (1968, D(1968, 1, 29), D(1968, 1, 30)),
    (1969, D(1969, 2, 16), D(1969, 2, 17)),
    (1985, D(1985, 1, 21), D(1985, 2, 20)),  # a whole month apart: the leap months fell in different years
    (2007, D(2007, 2, 17), D(2007, 2, 18)),
    (2030, D(2030, 2, 2), D(2030, 2, 3)),
    (2053, D(2053, 2, 18), D(2053, 2, 19)),
])
def test_tet_where_vietnam_and_china_differ(year, vietnam, china):
    assert lunar.tet(year) == vietnam
    assert lunar.tet(year, tz=8) == china


@pytest.mark.parametrize(("year", "day"), [
    (2020, D(2020, 1, 25)), (2023, D(2023, 1, 22)), (2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)),
    (2026, D(2026, 2, 17)), (2027, D(2027, 2, 6)), (2028, D(2028, 1, 26)), (2031, D(2031, 1, 23)),
    (2033, D(2033, 1, 31)), (2034, D(2034, 2, 19)), (2035, D(2035, 2, 8)),
])
def test_tet_published_and_reference_table(year, day):
    assert lunar.tet(year) == day


@pytest.mark.parametrize(("year", "vietnam", "china"), [
    (1975, D(1975, 4, 20), D(1975, 4, 21)),
    (2009, D(2009, 4, 4), D(2009, 4, 5)),
    (2037, D(2037, 4, 24), D(2037, 4, 25)),
    (2038, D(2038, 4, 13), D(2038, 4, 14)),
])
def test_hung_kings_day_where_vietnam_and_china_differ(year, vietnam, china):
    assert lunar.hung_kings_day(year) == vietnam
    assert lunar.hung_kings_day(year, tz=8) == china


@pytest.mark.parametrize(("year", "day"), [
    (2018, D(2018, 4, 25)), (2020, D(2020, 4, 2)), (2021, D(2021, 4, 21)), (2023, D(2023, 4, 29)),
    (2025, D(2025, 4, 7)), (2026, D(2026, 4, 26)), (2027, D(2027, 4, 16)),
    (2031, D(2031, 4, 1)),  # 2031 has a leap month 3: Giỗ Tổ is in the regular month
])
def test_hung_kings_day(year, day):
    assert lunar.hung_kings_day(year) == day


def test_last_day_of_the_year_is_29_or_30_of_month_12():
    assert lunar.to_lunar(D(2026, 2, 16)) == LunarDate(2025, 12, 29)
    assert lunar.to_lunar(D(2033, 1, 30)) == LunarDate(2032, 12, 30)


@pytest.mark.parametrize(("year", "month"), [(2025, 6), (2026, None), (2028, 5), (2031, 3), (2033, 11)])
def test_leap_months(year, month):
    assert lunar.leap_month(year) == month


def test_leap_month_3_of_2031_and_its_tenth_day():
    assert lunar.to_solar(LunarDate(2031, 3, 10, leap=True)) == D(2031, 4, 30)
    assert lunar.to_lunar(D(2031, 4, 30)) == LunarDate(2031, 3, 10, leap=True)
    with pytest.raises(ValueError, match="no "):
        lunar.to_solar(LunarDate(2026, 3, 10, leap=True))


def test_month_start_near_midnight_differs():
    # New moon of 25 June 2006 at 23:05 Hanoi time: the month starts a day apart.
    assert lunar.to_lunar(D(2006, 6, 25)).day == 1
    assert lunar.to_lunar(D(2006, 6, 25), tz=8).day != 1


def test_round_trip_every_day_1960_to_2060():
    d = D(1960, 1, 1)
    while d < D(2061, 1, 1):
        assert lunar.to_solar(lunar.to_lunar(d)) == d, d
        d += dt.timedelta(days=1)


def test_impossible_dates_are_refused():
    with pytest.raises(ValueError, match="no "):
        lunar.to_solar(LunarDate(2026, 13, 1))
    with pytest.raises(ValueError, match="no "):
        lunar.to_solar(LunarDate(2026, 1, 31))
