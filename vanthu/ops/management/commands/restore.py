"""`vanthu restore DIR [--replace] [--expect SHA256] [--signatures] [--json]`: load a backup into an empty
deployment, then verify it (decision 0023; the order of the checks is in vanthu/ops/backup/load.py).

stdout: what was restored and verified (one JSON object with --json), with the drill line; stderr: messages.
Exit 0 restored and verified; 1 the backup is damaged (each missing or changed part named; nothing restored)
or the restored deployment does not verify (each problem named); 2 not a backup, another version, or a
deployment that is not empty (without --replace).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.ops.backup import load


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào triển khai trống, rồi kiểm tra tệp, sổ, nhật ký (và chữ ký)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--replace", action="store_true",
                            help="xóa toàn bộ dữ liệu hiện có của triển khai và thay bằng bản sao lưu")
        parser.add_argument("--expect", default=None, help="SHA-256 của manifest.json đã giữ riêng")
        parser.add_argument("--signatures", action="store_true",
                            help="kiểm tra lại chữ ký của mọi văn bản đã phát hành sau khi khôi phục")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = load.restore(options["directory"], replace=options["replace"], expect=options["expect"],
                                    signatures=options["signatures"])
        except load.RestoreRefused as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        except load.BackupDamaged as exc:
            for item in exc.damage:
                self.stderr.write(f"✗ {item}")
            self.stderr.write(_("Bản sao lưu bị thiếu hoặc bị sửa (%(n)d chỗ); không khôi phục gì.")
                              % {"n": len(exc.damage)})
            sys.exit(1)
        verdict = restored.verdict
        if options["json"]:
            out = dataclasses.asdict(restored)
            out["verdict"]["ok"] = verdict.ok
            out["drill"] = verdict.drill_line()
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(_("Đã khôi phục (%(source)s → %(engine)s): %(rows)d dòng, %(files)d tệp, %(docs)d văn "
                                "bản, %(registers)d sổ, %(chains)d chuỗi nhật ký (%(events)d sự kiện)")
                              % {"source": restored.source_engine, "engine": restored.engine, "rows": verdict.rows,
                                 "files": verdict.files, "docs": verdict.documents, "registers": verdict.registers,
                                 "chains": verdict.chains, "events": verdict.events})
            if verdict.signed_documents is not None:
                self.stdout.write(_("Chữ ký: %(n)d chữ ký trên %(docs)d văn bản đã phát hành")
                                  % {"n": verdict.signatures, "docs": verdict.signed_documents})
            self.stdout.write(verdict.drill_line())
            self.stdout.write(", ".join(f"{k} {v:.1f} s" for k, v in restored.seconds.items()))
        for problem in verdict.problems:
            self.stderr.write(f"✗ {problem}")
        if not verdict.ok:
            self.stderr.write(_("Kiểm tra sau khôi phục phát hiện %(n)d vấn đề.") % {"n": len(verdict.problems)})
            sys.exit(1)
