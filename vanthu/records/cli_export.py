"""`vanthu record export RECORD --out FILE [--user USERNAME] [--json]`: write the record's package (decision 0018)
directly, without a job. RECORD is the record's id, or its code (số và ký hiệu hồ sơ) with `--year` when the
code is in several years. Without --user the operator exports as the system; with it, as that person (who must
be allowed to). stdout: what was written; stderr: why not. Exit 0 written, 1 refused, 2 no such record/person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person
from vanthu.records.exporting import export_record
from vanthu.records.models import Record

NAME = "export"
HELP = "Write a record as a self-contained package (ZIP) anyone can verify offline."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("record", help="the record's id, or its code (số và ký hiệu hồ sơ)")
    parser.add_argument("--out", type=Path, required=True, help="the package file to write (.zip)")
    parser.add_argument("--year", type=int, default=None, help="the record's year, when its code is not enough")
    parser.add_argument("--user", default=None, help="export as this person (default: the operator)")
    parser.add_argument("--json", action="store_true")


def find_record(text: str, year: int | None) -> Record | None:
    rows = Record.objects.select_related("unit", "creator")
    if text.isdigit() and year is None:
        found = rows.filter(pk=int(text)).first()
        if found is not None:
            return found
    rows = rows.filter(code=text)
    if year is not None:
        rows = rows.filter(year=year)
    matches = list(rows.order_by("-year", "pk")[:2])
    return matches[0] if len(matches) == 1 else None


def run(command: BaseCommand, options: dict[str, Any]) -> int:
    record = find_record(options["record"], options["year"])
    if record is None:
        command.stderr.write(_("Không có hồ sơ “%(record)s” (hoặc mã hồ sơ có ở nhiều năm: dùng --year).")
                             % {"record": options["record"]})
        return 2
    acting: Any = operator("record export")
    if options["user"]:
        acting = Person.objects.select_related("unit").filter(user__username=options["user"]).first()
        if acting is None:
            command.stderr.write(_("Không có người dùng “%(user)s”.") % {"user": options["user"]})
            return 2
    try:
        written = export_record(record=record, out=options["out"], acting=acting)
    except ActionRefused as exc:
        command.stderr.write(exc.message)
        return 1
    result = {"record": record.file_code, "file": str(written.path), "documents": written.documents,
              "files": written.files, "bytes": written.bytes, "manifest_sha256": written.manifest_sha256}
    if options["json"]:
        command.stdout.write(json.dumps(result, ensure_ascii=False))
    else:
        command.stdout.write(_("Đã xuất gói hồ sơ %(record)s: %(file)s (%(documents)d văn bản, %(files)d tệp, "
                               "%(bytes)d byte; SHA-256 bản kê %(manifest)s)")
                             % {**result, "manifest": written.manifest_sha256})
    return 0
