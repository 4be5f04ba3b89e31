"""`vanthu audit …` — the audit trail (decision 0022).

    vanthu audit verify [--json]                      # the database's chains and checkpoints (exit 1: broken)
    vanthu audit verify FILE [--roots PEM] [--json]   # an export, offline: 0 intact, 1 tampered, 2 unreadable
    vanthu audit checkpoint [--unit U] [--json]       # sign a checkpoint of every chain that grew (idempotent)
    vanthu audit export --unit U --from D --to D --out F [--json]
    vanthu audit tamper-drill [--unit U] [--json]     # tamper with a fresh export every way; detected / tried

U is a unit's id or exchange code. Results on stdout (JSON with --json), messages on stderr. `verify FILE`
reads no database: its trust roots are `--roots` (PEM or DER), else those the file carries (which proves only
that it was not changed after sealing; the fingerprints are printed to compare).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vanthu.audit import trail


class Command(BaseCommand):
    help = "The audit trail: verify (database or export file), checkpoint, export, tamper-drill."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        verify = sub.add_parser("verify", help="verify the database's chains, or an export FILE offline")
        verify.add_argument("file", nargs="?", type=Path)
        verify.add_argument("--roots", type=Path, help="trusted roots (PEM or DER) for an export FILE")
        verify.add_argument("--json", action="store_true")
        point = sub.add_parser("checkpoint", help="sign a checkpoint of every chain that grew")
        point.add_argument("--unit", default="")
        point.add_argument("--json", action="store_true")
        export = sub.add_parser("export", help="write a unit's events with their checkpoints to a ZIP")
        export.add_argument("--unit", required=True)
        export.add_argument("--from", dest="start", required=True, type=dt.date.fromisoformat)
        export.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat)
        export.add_argument("--out", required=True, type=Path)
        export.add_argument("--json", action="store_true")
        drill = sub.add_parser("tamper-drill", help="tamper with a fresh export every way and count detections")
        drill.add_argument("--unit", default="")
        drill.add_argument("--json", action="store_true")

    def execute(self, *args: Any, **options: Any) -> str | None:
        # `verify FILE` reads no database, as `vanthu verify` does not: no system checks, which would load the
        # URLconf (every view, every action) and cost the person verifying an export offline seconds of start.
        if options.get("what") == "verify" and options.get("file") is not None:
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "verify" and options["file"] is None:
            self._verify_database(options)
            return
        code = {"verify": self._verify_file, "checkpoint": self._checkpoint, "export": self._export,
                "tamper-drill": self._drill}[what](options)
        if code:
            sys.exit(code)

    # --- the database ------------------------------------------------------------------------------------

    def _verify_database(self, options: dict[str, Any]) -> None:
        from vanthu.audit import checkpoints, log

        reports = log.verify_all()
        rows: list[dict[str, Any]] = [{"chain": r.chain, "events": r.events, "broken_at": r.broken_at,
                 "checkpoints_broken": checkpoints.mismatches(r.chain)} for r in reports]
        broken = [r for r in rows if r["broken_at"] is not None or r["checkpoints_broken"]]
        if options["json"]:
            self.stdout.write(json.dumps({"chains": rows, "broken": len(broken)}))
        else:
            for r in rows:
                state = "OK" if r not in broken else (
                    f"BROKEN at seq {r['broken_at']}" if r["broken_at"] is not None
                    else f"CHECKPOINT MISMATCH at seq {r['checkpoints_broken'][0]}")
                self.stdout.write(f"{r['chain']:>12}  {r['events']:>8} events  {state}")
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS(f"{len(reports)} chain(s) intact"))

    def _unit(self, value: str) -> Any:
        from vanthu.org.models import Unit

        found = (Unit.objects.filter(pk=int(value)).first() if value.isdigit()
                 else Unit.objects.filter(code=value).first())
        if found is None:
            raise CommandError(_("Không có đơn vị %(unit)s.") % {"unit": value})
        return found

    def _checkpoint(self, options: dict[str, Any]) -> int:
        from vanthu.core.actors import operator
        from vanthu.core.errors import ActionRefused
        from vanthu.ops import actions

        unit = self._unit(options["unit"]) if options["unit"] else None
        try:
            done = actions.make_checkpoints(acting=operator("audit checkpoint"), unit=unit)
        except ActionRefused as exc:
            self.stderr.write(exc.message)
            return 1
        if options["json"]:
            self.stdout.write(json.dumps([{"chain": c, "seq": s, "made": m} for c, s, m in done]))
        else:
            for chain, seq, made in done:
                self.stdout.write(f"{chain:>12}  seq {seq:>8}  {'made' if made else 'unchanged'}")
        self.stderr.write(_("%(made)d điểm kiểm tra mới, %(same)d chuỗi không có sự kiện mới.")
                          % {"made": sum(1 for d in done if d[2]), "same": sum(1 for d in done if not d[2])})
        return 0

    def _export(self, options: dict[str, Any]) -> int:
        from vanthu.core.actors import operator
        from vanthu.ops import audit_trail

        unit = self._unit(options["unit"])
        try:
            manifest = audit_trail.export(unit=unit, start=options["start"], end=options["end"], out=options["out"],
                                          acting=operator("audit export"))
        except audit_trail.ExportRefused as exc:
            self.stderr.write(str(exc))
            return 1
        if options["json"]:
            self.stdout.write(json.dumps(manifest, ensure_ascii=False))
        else:
            self.stdout.write(_("%(file)s: chuỗi %(chain)s, sự kiện số %(first)s đến %(last)s (%(events)s sự kiện), "
                                "%(marks)s điểm kiểm tra, ký bởi %(signer)s")
                              % {"file": options["out"], "chain": manifest["chain"], "first": manifest["first_seq"],
                                 "last": manifest["last_seq"], "events": manifest["events"],
                                 "marks": manifest["checkpoints"], "signer": manifest["signer"]})
        return 0

    # --- offline ------------------------------------------------------------------------------------------

    def _verify_file(self, options: dict[str, Any]) -> int:
        from vanthu.ops import audit_trail
        from vanthu.records.package.verify import load_roots
        from vanthu.signing.management.commands.verify import quiet_libraries

        try:
            raw = Path(options["file"]).read_bytes()
        except OSError as exc:
            self.stderr.write(_("Không đọc được tệp: %(reason)s") % {"reason": exc})
            return trail.EXIT_UNREADABLE
        pinned = options["roots"] is not None
        try:
            roots_raw = options["roots"].read_bytes() if pinned else trail.members_roots(raw)
            roots = load_roots(roots_raw)
        except (OSError, ValueError, TypeError) as exc:
            self.stderr.write(_("Không đọc được tệp chứng thư tin cậy: %(reason)s") % {"reason": exc})
            return trail.EXIT_UNREADABLE
        with quiet_libraries():
            verdict = trail.verify(raw, check=audit_trail.checker(roots))
        if not verdict.readable:
            self.stderr.write(_("Không đọc được bản xuất nhật ký: %(reason)s") % {"reason": verdict.reason})
        elif not pinned:
            self.stderr.write(_("Chưa chỉ định CA gốc tin cậy (--roots): đã dùng CA gốc mang theo trong tệp, chỉ "
                                "chứng minh tệp không bị sửa sau khi ký; hãy so dấu vân tay của CA gốc: %(fp)s")
                              % {"fp": ", ".join(hashlib.sha256(r.dump()).hexdigest() for r in roots)})
        if options["json"]:
            self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))
        elif verdict.readable:
            self.stdout.write("\n".join(_lines(verdict)))
        return verdict.exit_code

    def _drill(self, options: dict[str, Any]) -> int:
        from vanthu.audit.models import AuditEvent
        from vanthu.core.actors import operator
        from vanthu.ops import audit_trail, tamper
        from vanthu.records.package.verify import load_roots
        from vanthu.signing.management.commands.verify import quiet_libraries

        unit = self._unit(options["unit"]) if options["unit"] else None
        if unit is None:
            busiest = (AuditEvent.objects.filter(unit_id__isnull=False).values_list("unit_id", flat=True)
                       .order_by("-seq").first())
            if busiest is None:
                raise CommandError(_("Chưa có sự kiện nhật ký nào của đơn vị."))
            unit = self._unit(str(busiest))
        first = AuditEvent.objects.filter(unit_id=unit.pk).order_by("seq").values_list("at", flat=True).first()
        if first is None:
            raise CommandError(_("Chưa có sự kiện nhật ký nào của đơn vị."))
        with tempfile.TemporaryDirectory() as work:
            out = Path(work) / "drill.zip"
            try:
                audit_trail.export(unit=unit, start=first.date() - dt.timedelta(days=1), end=dt.date.today() +
                                   dt.timedelta(days=1), out=out, acting=operator("audit tamper-drill"))
            except audit_trail.ExportRefused as exc:
                self.stderr.write(str(exc))
                return 1
            raw = out.read_bytes()
        roots = load_roots(trail.members_roots(raw))
        with quiet_libraries():
            baseline, outcomes = tamper.drill(raw, check=audit_trail.checker(roots),
                                              wrong=audit_trail.checker([tamper.stranger_root()]))
        detected = sum(1 for o in outcomes if o.detected)
        if options["json"]:
            self.stdout.write(json.dumps({
                "unit": unit.pk, "events": baseline.events, "intact_exit": baseline.exit_code,
                "tried": len(outcomes), "detected": detected,
                "cases": [{"case": o.name, "expected": o.expected, "exit": o.exit_code, "checks": list(o.checks),
                           "detected": o.detected, "message": o.first} for o in outcomes]}, ensure_ascii=False))
        else:
            self.stdout.write(f"untouched export: exit {baseline.exit_code} ({baseline.events} events, "
                              f"{len(baseline.checkpoints)} checkpoints)")
            for o in outcomes:
                self.stdout.write(f"{o.name:<28} exit {o.exit_code}  {'detected' if o.detected else 'MISSED':<8} "
                                  f"[{o.expected}] {o.first}")
            self.stdout.write(f"tampering cases detected: {detected} out of {len(outcomes)} tried")
        return 0 if detected == len(outcomes) and baseline.exit_code == trail.EXIT_INTACT else 1


def _lines(verdict: trail.Verdict) -> list[str]:
    m = verdict.manifest
    lines = [_("Chuỗi %(chain)s (%(unit)s), từ %(start)s đến %(end)s, xuất lúc %(created)s")
             % {"chain": m.get("chain"), "unit": m.get("unit_name") or m.get("unit"), "start": m.get("from"),
                "end": m.get("to"), "created": m.get("created")},
             _("Sự kiện: %(n)s (số %(first)s đến %(last)s)") % {"n": verdict.events, "first": m.get("first_seq"),
                                                                 "last": m.get("last_seq")},
             _("Ký bởi: %(signer)s; dấu thời gian: %(at)s") % {"signer": verdict.seal_signer or "?",
                                                             "at": verdict.seal_timestamp or _("không có")}]
    for mark in verdict.checkpoints:
        lines.append(_("Điểm kiểm tra tại sự kiện số %(seq)s: %(state)s, dấu thời gian %(at)s")
                     % {"seq": mark["seq"], "state": _("hợp lệ") if mark["valid"] else _("KHÔNG hợp lệ"),
                        "at": mark["timestamp"] or _("không có")})
    for problem in verdict.problems:
        lines.append(f"[{problem.check}] {problem.message}")
    lines.append(_("Kết luận: %(verdict)s") % {"verdict": _("nhật ký nguyên vẹn") if not verdict.problems
                                               else _("nhật ký đã bị sửa (%(n)d điểm)") % {"n": len(verdict.problems)}})
    return lines
