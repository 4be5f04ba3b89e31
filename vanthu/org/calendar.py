"""Writes to the working-day calendar (`core.workdays`): the yearly notice's days off and working days.

The calendar lives in core (every app counts deadlines with it), but who may change it is an org rule: an admin
of a top unit (`org.access.require_admin_of_all`), or the operator's CLI (`vanthu calendar …`). Core imports
no app (the `layers` import contract), so these actions sit here, above it, rather than in core with a
predicate passed in: the rule is the one the other deployment-wide settings (the CA, the trust store) check.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import workdays
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.core.models import CalendarException, CalendarExceptionKind, CalendarNotice
from vanthu.org.access import Actor, require_admin_of_all


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Cần ghi lý do (số, ký hiệu văn bản quy định ngày này)."), field="reason")
    if len(reason) > 300:
        raise ActionRefused(_("Lý do dài quá 300 ký tự."), field="reason")
    return reason


@action("core.calendar.day_set")
def set_calendar_day(*, day: dt.date, kind: str, reason: str, acting: Actor) -> CalendarException:
    """Make `day` a day off or a working day (a make-up day), replacing what an earlier override said of it."""
    require_admin_of_all(acting)
    if kind not in CalendarExceptionKind.values:
        raise ActionRefused(_("Loại ngày không hợp lệ."), field="kind")
    reason = _clean_reason(reason)
    if kind == CalendarExceptionKind.OFF and not workdays.is_working_day(day) \
            and not CalendarException.objects.filter(date=day).exists():
        raise ActionRefused(_("Ngày %(day)s đã là ngày nghỉ.") % {"day": day.strftime("%d/%m/%Y")}, field="day")
    if kind == CalendarExceptionKind.WORKING and workdays.is_working_day(day) \
            and not CalendarException.objects.filter(date=day).exists():
        raise ActionRefused(_("Ngày %(day)s đã là ngày làm việc.") % {"day": day.strftime("%d/%m/%Y")},
                            field="day")
    row, _created = CalendarException.objects.update_or_create(date=day, defaults={"kind": kind, "reason": reason})
    workdays.forget(day.year)
    transaction.on_commit(lambda: workdays.forget(day.year))  # a rollback must not leave a stale year
    log.record(actor=acting, verb="core.calendar.day_set", target=row,
               data={"date": day.isoformat(), "kind": kind, "reason": reason})
    return row


@action("core.calendar.day_cleared")
def clear_calendar_day(*, day: dt.date, acting: Actor) -> None:
    """Remove the override of `day`: the rules decide it again."""
    require_admin_of_all(acting)
    deleted, _n = CalendarException.objects.filter(date=day).delete()
    if not deleted:
        raise ActionRefused(_("Ngày %(day)s không có ngoại lệ.") % {"day": day.strftime("%d/%m/%Y")}, field="day",
                            status=404)
    workdays.forget(day.year)
    transaction.on_commit(lambda: workdays.forget(day.year))  # a rollback must not leave a stale year
    log.record(actor=acting, verb="core.calendar.day_cleared", data={"date": day.isoformat()})


@action("core.calendar.notice_entered")
def enter_notice(*, year: int, reference: str, acting: Actor) -> CalendarNotice:
    """Record that the Government's notice of `year` is entered: the year's calendar is no longer provisional."""
    require_admin_of_all(acting)
    reference = _clean_reason(reference)
    row, _created = CalendarNotice.objects.update_or_create(year=year, defaults={"reference": reference})
    workdays.forget(year)
    transaction.on_commit(lambda: workdays.forget(year))  # a rollback must not leave a stale year
    log.record(actor=acting, verb="core.calendar.notice_entered", target=row,
               data={"year": year, "reference": reference})
    return row
