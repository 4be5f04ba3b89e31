"""When a record is due at the archive (Decree 30 Điều 30, checklist point 40).

- Any record: within 1 year of the work's end — the last day of the RECORDS_TRANSFER_MONTHS-th month after its
  year ends (`queries.transfer_deadline`, 12 months by default).
- A construction (XDCB) record (`RecordKind.CONSTRUCTION` on its catalogue entry): RECORDS_TRANSFER_CONSTRUCTION_
  MONTHS months (3) after the project's final settlement, which is the record's end date.
- An approved hold (`RecordHold`, at most 24 months) moves the due date by its months (Điều 30.2).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

from vanthu.records.hold_models import HoldState
from vanthu.records.models import Record, RecordKind
from vanthu.records.queries import transfer_deadline


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def legal_due_date(record: Record) -> dt.date:
    """The due date the law gives the record, before any hold."""
    if record.entry.kind == RecordKind.CONSTRUCTION and record.end_date is not None:
        return add_months(record.end_date, settings.RECORDS_TRANSFER_CONSTRUCTION_MONTHS)
    return transfer_deadline(record.year)


def held_months(record: Record) -> int:
    """Months of the approved hold (0 without one); uses a prefetched `holds` when there is one."""
    return sum(h.months for h in record.holds.all() if h.state == HoldState.APPROVED)


def due_date(record: Record) -> dt.date:
    """The day the record must be at the archive: the legal date moved by an approved hold."""
    return add_months(legal_due_date(record), held_months(record))
