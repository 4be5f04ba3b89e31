"""`vanthu record verify FILE [--trust ROOTS.pem] [--no-signatures] [--json]`: check a record package offline,
on any machine: no database is opened and no network is asked (vanthu/records/package/verify.py says what is
checked and what is trusted: by default the roots the package carries, said "not pinned"; with --trust only
the given roots).

stdout: the verdict (or one JSON object with --json); stderr: messages (not a package; roots not pinned).
Exit 0 intact, 1 anything changed, removed or added or the seal refused (each named), 2 not a package (or an
unreadable --trust file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

NAME = "verify"
HELP = "Check a record package offline (no database): exit 0 intact, 1 changed, 2 not a package."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", type=Path, help="the package (.zip)")
    parser.add_argument("--trust", type=Path, default=None,
                        help="trust only the root certificates in this PEM/DER file (default: those the package "
                             "carries, not pinned)")
    parser.add_argument("--no-signatures", action="store_true",
                        help="do not re-check the PDFs' own signatures (files and seal only)")
    parser.add_argument("--json", action="store_true")


def _lines(verdict: Any) -> list[str]:
    lines = [_("Gói hồ sơ: %(code)s — %(title)s") % {"code": verdict.record.get("code", "?"),
                                                     "title": verdict.record.get("title", "")},
             _("Tạo lúc: %(at)s; %(files)d tệp, %(bytes)d byte đã kiểm tra")
             % {"at": verdict.created, "files": verdict.files, "bytes": verdict.bytes}]
    sealed = verdict.seal
    if sealed is not None and sealed.readable:
        lines.append(_("Niêm phong: %(signer)s — %(verdict)s")
                     % {"signer": sealed.signer or "?", "verdict": _("HỢP LỆ") if sealed.ok else _("KHÔNG HỢP LỆ")})
        if sealed.timestamp is not None:
            lines.append("  " + _("Dấu thời gian: %(t)s") % {"t": sealed.timestamp.isoformat()})
        else:
            lines.append("  " + _("Dấu thời gian: không có hoặc không hợp lệ"))
    roots = ", ".join(r[:16] for r in verdict.roots) or "—"
    lines.append((_("CA gốc tin cậy (đã chỉ định bằng --trust): %(roots)s") if verdict.roots_pinned
                  else _("CA gốc tin cậy (mang theo trong gói, CHƯA chỉ định): %(roots)s")) % {"roots": roots})
    for check in verdict.signatures:
        lines.append(_("Chữ ký trong %(file)s: %(verdict)s")
                     % {"file": check["file"], "verdict": _("hợp lệ") if check["valid"] else _("không hợp lệ")})
        lines.extend("  - " + p for p in check["problems"])
    for problem in verdict.problems:
        lines.append("✗ " + problem.message)
    lines.append(_("Kết luận: %(verdict)s") % {"verdict": _("gói hồ sơ nguyên vẹn") if verdict.intact
                                               else _("gói hồ sơ đã bị thay đổi (%(n)d điểm)")
                                               % {"n": len(verdict.problems)}})
    return lines


def run(command: BaseCommand, options: dict[str, Any]) -> int:
    from vanthu.records.package import verify
    from vanthu.signing.management.commands.verify import quiet_libraries

    roots = None
    if options["trust"] is not None:
        try:
            roots = verify.load_roots(options["trust"].read_bytes())
        except (OSError, ValueError, TypeError) as exc:
            command.stderr.write(_("Không đọc được tệp chứng thư tin cậy: %(reason)s") % {"reason": exc})
            return verify.EXIT_NOT_PACKAGE
    with quiet_libraries():
        verdict = verify.verify(options["file"], roots=roots, signatures=not options["no_signatures"])
    if not verdict.is_package:
        command.stderr.write(verdict.reason)
    elif not verdict.roots_pinned:
        command.stderr.write(_("Chưa chỉ định CA gốc tin cậy (--trust): đã dùng CA gốc mang theo trong gói, chỉ "
                               "chứng minh gói không bị sửa sau khi niêm phong; hãy so dấu vân tay của CA gốc với "
                               "cơ quan phát hành."))
    if options["json"]:
        command.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))
    elif verdict.is_package:
        command.stdout.write("\n".join(_lines(verdict)))
    return verdict.exit_code
