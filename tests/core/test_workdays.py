"""Working days: the statutory holidays, the yearly notice's overrides, counting, urgency defaults, overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from vanthu.audit.models import AuditEvent
from vanthu.core import workdays
from vanthu.core.choices import Urgency
from vanthu.core.errors import ActionRefused
from vanthu.core.models import CalendarException, CalendarExceptionKind
from vanthu.org import calendar

D = dt.date
OFF, WORKING = CalendarExceptionKind.OFF, CalendarExceptionKind.WORKING


def days_off(year: int) -> list[dt.date]:
    return sorted(workdays.year_calendar(year).off_days)


def test_statutory_days_off_2025(db):
    assert days_off(2025) == [
        D(2025, 1, 1),
        D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31), D(2025, 2, 1),  # 29/12 to 4/1
        D(2025, 2, 3),  # for Saturday 1/2 (4 Tết)
        D(2025, 4, 7),  # Giỗ Tổ
        D(2025, 4, 30), D(2025, 5, 1),
        D(2025, 9, 1), D(2025, 9, 2),  # 2/9 is a Tuesday: the day before
    ]


def test_statutory_days_off_2026_with_culture_day(db):
    assert days_off(2026) == [
        D(2026, 1, 1),
        D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),
        D(2026, 4, 26), D(2026, 4, 27),  # Giỗ Tổ on Sunday, compensated on Monday
        D(2026, 4, 30), D(2026, 5, 1),
        D(2026, 9, 1), D(2026, 9, 2),  # Wednesday 2/9: Tuesday 1/9 (as the 2026 notice chose)
        D(2026, 11, 24),
    ]


def test_statutory_days_off_2027_compensation_in_sequence(db):
    cal = workdays.year_calendar(2027)
    assert sorted(cal.off_days) == [
        D(2027, 1, 1),
        D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 2, 9),
        D(2027, 2, 10), D(2027, 2, 11),  # for Saturday 6/2 and Sunday 7/2, after the Tết days
        D(2027, 4, 16), D(2027, 4, 30),
        D(2027, 5, 1), D(2027, 5, 3),  # 1/5 is a Saturday
        D(2027, 9, 2), D(2027, 9, 3),  # Thursday 2/9: Friday 3/9
        D(2027, 11, 24),
    ]
    compensatory = [h for h in cal.holidays if h.compensatory]
    assert [h.date for h in compensatory] == [D(2027, 2, 10), D(2027, 2, 11), D(2027, 5, 3)]
    assert cal.provisional


def test_two_holidays_on_one_weekend_2023():
    days = {h.date for h in workdays.statutory_holidays(2023) if h.compensatory}
    assert {D(2023, 5, 2), D(2023, 5, 3)} <= days  # Giỗ Tổ Sat 29/4, 30/4 Sun; Mon 1/5 is itself a holiday


def test_the_2025_notice_swaps_days(db, cast):
    for day, kind, reason in [
        (D(2025, 1, 27), OFF, "Tết: 25/01–02/02/2025"),
        (D(2025, 2, 3), WORKING, "Tết: 25/01–02/02/2025"),
        (D(2025, 5, 2), OFF, "Hoán đổi: nghỉ thứ Sáu 02/5/2025"),
        (D(2025, 4, 26), WORKING, "Hoán đổi: làm bù thứ Bảy 26/4/2025"),
    ]:
        calendar.set_calendar_day(day=day, kind=kind, reason=reason, acting=cast.admin)
    assert not workdays.is_working_day(D(2025, 1, 27))
    assert workdays.is_working_day(D(2025, 2, 3))
    assert not workdays.is_working_day(D(2025, 5, 2))
    assert workdays.is_working_day(D(2025, 4, 26))  # a Saturday worked
    assert workdays.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert workdays.add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    assert workdays.working_days_between(D(2025, 4, 25), D(2025, 5, 5)) == 4  # 26/4, 28/4, 29/4, 5/5


def test_add_and_between_across_tet_2026(db):
    assert workdays.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert workdays.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)
    assert workdays.add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)
    assert workdays.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    assert workdays.working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1
    assert workdays.add_working_days(D(2026, 2, 14), 0) == D(2026, 2, 23)  # a Saturday before Tết
    assert workdays.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # across the year, over 1/1 and a weekend


def test_weekend_is_configurable(db, settings):
    assert not workdays.is_working_day(D(2026, 3, 7))  # a Saturday
    settings.WEEKEND_DAYS = [7]
    workdays.forget()
    assert workdays.is_working_day(D(2026, 3, 7))
    assert not workdays.is_working_day(D(2026, 3, 8))
    # Giỗ Tổ 2026 is a Sunday: its compensatory day is still Monday 27/4; 1/5 is a Friday, nothing moves.
    assert not workdays.is_working_day(D(2026, 4, 27))


def test_urgency_defaults(db):
    received = D(2026, 2, 13)  # the Friday before Tết
    assert workdays.deadline_for_urgency(Urgency.FLASH, received) == received
    assert workdays.deadline_for_urgency(Urgency.FLASH, D(2026, 2, 14)) == D(2026, 2, 14)  # even on a day off
    assert workdays.deadline_for_urgency(Urgency.VERY_URGENT, received) == D(2026, 2, 23)
    assert workdays.deadline_for_urgency(Urgency.URGENT, received) == D(2026, 2, 24)
    assert workdays.deadline_for_urgency(Urgency.NORMAL, received) == D(2026, 3, 6)


def test_urgency_defaults_follow_the_settings(db, settings):
    settings.DEADLINE_WORKING_DAYS = {**settings.DEADLINE_WORKING_DAYS, "normal": 3, "flash": 1}
    assert workdays.deadline_for_urgency(Urgency.NORMAL, D(2026, 2, 13)) == D(2026, 2, 25)
    assert workdays.deadline_for_urgency(Urgency.FLASH, D(2026, 2, 13)) == D(2026, 2, 23)


def test_overdue_is_computed_at_read_time():
    assert not workdays.is_overdue(D(2026, 2, 23), today=D(2026, 2, 23))
    assert workdays.is_overdue(D(2026, 2, 23), today=D(2026, 2, 24))
    assert not workdays.is_overdue(None, today=D(2026, 2, 24))


def test_an_override_drops_the_cached_year(db, cast):
    assert workdays.is_working_day(D(2026, 8, 31))  # cached now
    calendar.set_calendar_day(day=D(2026, 8, 31), kind=OFF, reason="9441/TB-BNV", acting=cast.admin)
    assert not workdays.is_working_day(D(2026, 8, 31))
    calendar.clear_calendar_day(day=D(2026, 8, 31), acting=cast.admin)
    assert workdays.is_working_day(D(2026, 8, 31))
    assert AuditEvent.objects.filter(verb="core.calendar.day_set").count() == 1
    assert AuditEvent.objects.filter(verb="core.calendar.day_cleared").count() == 1


def test_only_a_top_unit_admin_may_change_the_calendar(db, cast):
    with pytest.raises(ActionRefused) as refused:
        calendar.set_calendar_day(day=D(2026, 8, 31), kind=OFF, reason="9441/TB-BNV", acting=cast.minh)
    assert refused.value.status == 403
    assert not CalendarException.objects.exists()
    assert AuditEvent.objects.filter(verb="core.calendar.day_set.refused").count() == 1


def test_bad_overrides_are_refused(db, cast):
    with pytest.raises(ActionRefused, match="lý do"):
        calendar.set_calendar_day(day=D(2026, 8, 31), kind=OFF, reason="  ", acting=cast.admin)
    with pytest.raises(ActionRefused, match="đã là ngày nghỉ"):
        calendar.set_calendar_day(day=D(2026, 9, 2), kind=OFF, reason="x", acting=cast.admin)
    with pytest.raises(ActionRefused, match="đã là ngày làm việc"):
        calendar.set_calendar_day(day=D(2026, 8, 28), kind=WORKING, reason="x", acting=cast.admin)
    with pytest.raises(ActionRefused):
        calendar.clear_calendar_day(day=D(2026, 8, 28), acting=cast.admin)
    assert not CalendarException.objects.exists()


def test_a_notice_ends_the_provisional_year(db, cast):
    assert workdays.is_provisional(D(2026, 5, 4))
    calendar.enter_notice(year=2026, reference="9441/TB-BNV", acting=cast.admin)
    assert not workdays.is_provisional(D(2026, 5, 4))
    assert workdays.year_calendar(2026).notice == "9441/TB-BNV"


def test_calendar_settings_are_checked(settings):
    from vanthu.core.checks import check_settings

    settings.WEEKEND_DAYS = [6, 8]
    settings.DEADLINE_WORKING_DAYS = {**settings.DEADLINE_WORKING_DAYS, "urgent": -1}
    ids = {problem.id for problem in check_settings()}
    assert {"vanthu.E030", "vanthu.E031"} <= ids


def test_overdue_filter_matches_is_overdue(db):
    today = D(2026, 2, 24)
    rows = [CalendarException.objects.create(date=d, kind=OFF, reason="x")
            for d in (D(2026, 2, 23), D(2026, 2, 24), D(2026, 2, 25))]
    late = set(CalendarException.objects.filter(workdays.overdue_filter("date", today)))
    assert late == {r for r in rows if workdays.is_overdue(r.date, today)} == {rows[0]}


def test_another_process_write_shows_after_the_cache_time(db, settings):
    row = CalendarException.objects.create(date=D(2026, 8, 31), kind=OFF, reason="9441/TB-BNV")
    assert not workdays.is_working_day(D(2026, 8, 31))
    # Another process's write: no signal reaches this one (a queryset update sends none).
    CalendarException.objects.filter(pk=row.pk).update(kind=WORKING)
    assert not workdays.is_working_day(D(2026, 8, 31))  # still the cached year
    settings.CALENDAR_CACHE_SECONDS = 0
    assert workdays.is_working_day(D(2026, 8, 31))
