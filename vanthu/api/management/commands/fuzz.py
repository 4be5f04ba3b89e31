"""`vanthu fuzz intake [--minutes N] [--targets …] [--engine hypothesis|atheris] [--json]`: the long run of the
intake fuzzing (issue 13 item 6, decision 0024) over the demo database, printing the figures
(docs/security.md records them).

hypothesis (the default): the PDF, DOCX and signed-file targets of `vanthu.api.intake_fuzz`, the time shared
between them, as the demo's clerk Lan (incoming) and drafter Quang (drafts); everything runs in one transaction
rolled back at the end, so the database is left as it was and no job is enqueued. atheris: libFuzzer's
coverage-guided mutation of the same seeds through the upload check and the signature validation, in a child
process (no database). Exit 0 when nothing crashed or hung, 1 otherwise, 2 when it cannot run.
Needs the dev dependencies (hypothesis; atheris on Linux x86-64).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.api import intake_fuzz


class Command(BaseCommand):
    help = _("Thử tệp độc hại vào các cửa nhận tệp (PDF, DOCX, tệp đã ký) và in số liệu.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["intake"])
        parser.add_argument("--minutes", type=float, default=1.0, help=_("Thời gian chạy (phút)."))
        parser.add_argument("--targets", default=",".join(intake_fuzz.TARGETS),
                            help=_("Các cửa thử, cách nhau bằng dấu phẩy: %(all)s.")
                            % {"all": ", ".join(intake_fuzz.TARGETS)})
        parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
        parser.add_argument("--json", action="store_true", help=_("In số liệu dạng JSON."))

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = max(1.0, options["minutes"] * 60)
        if options["engine"] == "atheris":
            figures = self._atheris(seconds)
        else:
            targets = tuple(t for t in options["targets"].split(",") if t)
            unknown = set(targets) - set(intake_fuzz.TARGETS)
            if unknown:
                self.stderr.write(_("Cửa thử không có: %(names)s") % {"names": ", ".join(sorted(unknown))})
                sys.exit(2)
            figures = self._hypothesis(targets, seconds)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        else:
            for line in figures["lines"]:
                self.stdout.write(line)
        sys.exit(0 if figures["crashes"] == 0 and figures["hangs"] == 0 else 1)

    def _hypothesis(self, targets: tuple[str, ...], seconds: float) -> dict[str, Any]:
        try:
            import hypothesis  # noqa: F401
        except ImportError:  # pragma: no cover - a dev dependency
            self.stderr.write(_("Chưa cài hypothesis (pip install -e '.[dev]')."))
            sys.exit(2)
        context = self._context() if {"incoming", "draft"} & set(targets) else None
        seeds = self._seeds()
        report = intake_fuzz.Report()
        with transaction.atomic():
            share = seconds / len(targets)
            for target in targets:
                intake_fuzz.fuzz(seeds=seeds, targets=(target,), max_examples=10 ** 6, context=context,
                                 deadline=time.monotonic() + share, derandomize=False, report=report)
            transaction.set_rollback(True)
        return {"engine": "hypothesis", "cases": sum(report.cases.values()), "crashes": sum(report.crashes.values()),
                "hangs": sum(report.hangs.values()), "per_target": dict(report.cases),
                "outcomes": dict(report.outcomes), "samples": report.samples, "seconds": round(report.seconds),
                "lines": report.lines()}

    def _seeds(self) -> intake_fuzz.Seeds:
        """The demo's own files: its latest incoming letter's PDF and a draft's PDF (`vanthu demo` writes both)."""
        from vanthu.core import blobs
        from vanthu.documents.models import Direction, Document

        def latest(direction: str) -> bytes | None:
            document = (Document.objects.filter(direction=direction, current_file__content_type="application/pdf")
                        .select_related("current_file").order_by("-pk").first())
            return blobs.read(document.current_file.sha256) if document and document.current_file else None

        incoming, draft = latest(Direction.INCOMING), latest(Direction.OUTGOING)
        if incoming is None or draft is None:
            self.stderr.write(_("Thiếu văn bản của dữ liệu minh họa: hãy chạy `vanthu demo` trước."))
            sys.exit(2)
        return intake_fuzz.make_seeds(incoming=incoming, draft=draft)

    def _context(self) -> intake_fuzz.Context:
        from vanthu.api.actions import create_token
        from vanthu.core.actors import SystemActor
        from vanthu.documents.models import DocumentType
        from vanthu.org.models import Person, Unit

        people = {p.user.username: p for p in Person.objects.select_related("user", "unit__parent").filter(
            user__username__in=("lan", "quang"))}
        if set(people) != {"lan", "quang"}:
            self.stderr.write(_("Thiếu người của dữ liệu minh họa (lan, quang): hãy chạy `vanthu demo` trước."))
            sys.exit(2)
        actor = SystemActor("fuzz intake")
        kinds = {t.abbreviation or t.name: t.pk for t in DocumentType.objects.all()}
        quang = people["quang"]
        recipients = list(Unit.objects.exclude(pk=quang.unit.pk).filter(
            abbreviation__in=("F301", "BCH-A")).values_list("pk", flat=True)[:2])
        # the tokens are rows of this transaction, rolled back with the rest
        with transaction.atomic():
            lan_token = create_token(person=people["lan"], name="fuzz", acting=actor, days=1)[1]
            quang_token = create_token(person=quang, name="fuzz", acting=actor, days=1)[1]
        return intake_fuzz.Context(
            incoming_token=lan_token, draft_token=quang_token,
            incoming_form={"unit": people["lan"].unit.pk, "doc_type": kinds.get("Công văn"),
                           "organ_name": "Bộ Tổng Tham mưu", "subject": "V/v thử tệp", "code_number": "125",
                           "code_notation": "BTTM-TC", "urgency": 1},
            draft_form={"doc_type": kinds.get("KH"), "subject": "Kế hoạch thử tệp",
                        "drafting_unit": quang.unit.pk, "issuing_unit": (quang.unit.parent or quang.unit).pk,
                        "recipient_units": recipients, "note": "Bản thử"})

    def _atheris(self, seconds: float) -> dict[str, Any]:
        try:
            import atheris  # noqa: F401
        except ImportError:
            self.stderr.write(_("Chưa cài atheris (chỉ có gói dựng sẵn cho Linux x86-64); dùng --engine hypothesis."))
            sys.exit(2)
        seeds = self._seeds()
        with tempfile.TemporaryDirectory(prefix="vanthu-atheris-") as work:
            corpus = Path(work) / "corpus"
            corpus.mkdir()
            for kind in ("pdf", "draft", "docx", "signed"):
                (corpus / kind).write_bytes(seeds.of(kind))
            longest = max(len(seeds.of(kind)) for kind in ("pdf", "draft", "docx", "signed"))
            command = [sys.executable, "-m", "vanthu.api.atheris_intake", str(corpus),
                       f"-max_total_time={int(seconds)}", f"-timeout={intake_fuzz.TIMEOUT_SECONDS}",
                       f"-max_len={longest * 2}", "-rss_limit_mb=3072", "-print_final_stats=1"]
            started = time.monotonic()
            done = subprocess.run(command, capture_output=True, text=True, cwd=work, check=False)
            log = done.stderr
        runs = re.findall(r"Done (\d+) runs", log) or re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
        hangs = 1 if "ERROR: libFuzzer: timeout" in log else 0
        crashes = 0 if done.returncode == 0 or hangs else 1
        lines = ["engine: atheris (libFuzzer)", f"cases: {runs[-1] if runs else '?'}", f"crashes: {crashes}",
                 f"hangs (over {intake_fuzz.TIMEOUT_SECONDS} s): {hangs}",
                 f"seconds: {time.monotonic() - started:.0f}"]
        if crashes or hangs:
            lines += ["  " + line for line in log.splitlines()[-30:]]
        return {"engine": "atheris", "cases": int(runs[-1]) if runs else None, "crashes": crashes, "hangs": hangs,
                "seconds": round(time.monotonic() - started), "lines": lines}
