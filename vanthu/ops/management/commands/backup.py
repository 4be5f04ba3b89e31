"""`vanthu backup --out DIR [--json]`: the whole deployment into a new directory (decision 0023).

stdout: the summary (one JSON object with --json), including the manifest's SHA-256 to keep apart from the
backup; stderr: messages. Exit 0 written; 1 a stored file is missing or changed (each named, no manifest
written); 2 the directory is not new or empty, or cannot be written.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.ops.backup import dump


class Command(BaseCommand):
    help = "Sao lưu toàn bộ triển khai (CSDL, tệp, khóa máy chủ) vào một thư mục mới, kèm manifest mã băm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="thư mục mới hoặc rỗng")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = dump.backup(options["out"])
        except dump.BackupRefused as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        except OSError as exc:
            self.stderr.write(_("Không ghi được bản sao lưu: %(error)s") % {"error": exc})
            sys.exit(2)
        except dump.BackupFailed as exc:
            for item in exc.damage:
                self.stderr.write(f"✗ {item}")
            self.stderr.write(_("Sao lưu thất bại: %(n)d tệp thiếu hoặc hỏng trong kho; chưa ghi manifest.")
                              % {"n": len(exc.damage)})
            sys.exit(1)
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(summary), ensure_ascii=False))
            return
        self.stdout.write(_("Đã sao lưu vào %(dir)s") % {"dir": summary.directory})
        self.stdout.write(_("CSDL (%(engine)s): %(tables)d bảng, %(rows)d dòng, %(bytes)d byte nén")
                          % {"engine": summary.engine, "tables": summary.tables, "rows": summary.rows,
                             "bytes": summary.db_bytes})
        self.stdout.write(_("Tệp: %(files)d tệp lưu trữ (%(bytes)d byte), %(media)d tệp kèm công việc, "
                            "%(keys)d tệp khóa") % {"files": summary.files, "bytes": summary.file_bytes,
                                                    "media": summary.media, "keys": summary.signing})
        self.stdout.write(_("%(docs)d văn bản, %(events)d sự kiện nhật ký; thời gian: %(seconds)s")
                          % {"docs": summary.documents, "events": summary.audit_events,
                             "seconds": ", ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items())})
        self.stdout.write(_("SHA-256 của manifest.json (hãy giữ riêng): %(sha)s") % {"sha": summary.manifest_sha256})
