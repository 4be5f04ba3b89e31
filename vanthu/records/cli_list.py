"""`vanthu record list [--closed] [--json] [--user USERNAME]`: the records a person may see (open ones, or with
--closed the closed and transferred ones); without --user, every record (the operator at the server)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from vanthu.org.models import Person
from vanthu.records.models import Record, RecordState
from vanthu.records.queries import record_list

NAME = "list"
HELP = "List the records a person may see."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--closed", action="store_true", help="closed and transferred records instead of open ones")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--user", default=None, help="the person's username (default: every record)")


def _rows(options: dict[str, Any]) -> QuerySet[Record] | None:
    username = options["user"]
    if username:
        person = Person.objects.select_related("unit").filter(user__username=username).first()
        if person is None:
            return None
        return record_list(person, closed=options["closed"])
    rows = Record.objects.all()
    rows = rows.exclude(state=RecordState.OPEN) if options["closed"] else rows.filter(state=RecordState.OPEN)
    return rows.select_related("unit", "creator").annotate(items_count=Count("items")).order_by(
        "-year", "unit_id", "code", "id")


def as_dict(record: Any) -> dict[str, Any]:
    return {
        "id": record.pk, "code": record.code, "file_code": record.file_code, "year": record.year,
        "title": record.title, "unit": record.unit.name, "state": record.state,
        "retention": record.retention_label, "retention_years": record.retention_years,
        "creator": record.creator.full_name, "start_date": record.start_date.isoformat(),
        "end_date": record.end_date.isoformat() if record.end_date else None,
        "items": record.items_count, "doc_total": record.doc_total, "page_total": record.page_total,
    }


def run(command: BaseCommand, options: dict[str, Any]) -> int:
    rows = _rows(options)
    if rows is None:
        command.stderr.write(_("Không có người dùng “%(user)s”.") % {"user": options["user"]})
        return 2
    data = [as_dict(r) for r in rows]
    if options["json"]:
        command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for row in data:
        command.stdout.write(f"{row['id']:>6}  {row['year']}  {row['code']:<20} {row['state']:<12} "
                             f"{row['items']:>4}  {row['title'][:70]}  ({row['unit']})")
    return 0
