"""`vanthu files verify|gc|migrate`: check the stored files against their names, remove orphans, move the
store to another backend (docs/files.md).

- verify: every StoredFile's bytes are in the store and still hash to their name; each one missing or
  altered is named with what refers to it (exit 1), else exit 0.
- gc: remove objects that no StoredFile row knows (left by a transaction that rolled back after writing its
  file), older than --min-age-hours so that uploads in progress are never touched.
- migrate --to URL: copy every stored file to another backend (`file:///PATH` or `s3://BUCKET/PREFIX`),
  resumable: an object already there with the right hash is skipped; each copy is re-read from the target
  and checked by hash. Then point VANTHU_FILES_URL at the target. Exit 0 all there, 1 some file could not
  be copied or checked (each named), 2 a bad URL or an unreachable store.
- record-reads: the downloads nginx served from signed links (its log, VANTHU_FILES_LINK_LOG) not yet in the
  audit chain become read events, as the job `documents.jobs.record_link_reads` does every few seconds.
  Prints {"recorded", "skipped" (by reason), "position", …}. Exit 0 (a missing log records nothing), 1 the log
  cannot be read.

stdout: the results (one JSON object with --json); stderr: messages.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from importlib import import_module
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vanthu.core import blobs, files
from vanthu.core.actors import operator
from vanthu.core.models import StoredFile
from vanthu.core.store_backends import Backend, BlobDamaged, StoreUnavailable, backend, from_url

# The reads of link downloads are documents' action, above core: imported when run, as `vanthu bench` does.
LINK_READS = "vanthu.documents.actions.link_reads"


class Command(BaseCommand):
    help = ("Stored files: `verify` re-hashes every file; `gc` removes orphans left by rolled-back writes; "
            "`migrate --to URL` copies every file to another backend; `record-reads` records the downloads nginx "
            "served from signed links (VANTHU_FILES_LINK_LOG) in the audit chain. "
            "Exit 0 ok, 1 files at fault or an unreadable log, 2 bad input.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["verify", "gc", "migrate", "record-reads"])
        parser.add_argument("--min-age-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--to", default="", help="migrate: the target store, file:///PATH or s3://BUCKET/PREFIX")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["what"] == "verify":
                code = self._verify(as_json=options["json"])
            elif options["what"] == "gc":
                code = self._gc(min_age=options["min_age_hours"] * 3600, dry_run=options["dry_run"],
                                as_json=options["json"])
            elif options["what"] == "record-reads":
                code = self._record_reads(as_json=options["json"])
            else:
                code = self._migrate(target_url=options["to"], as_json=options["json"])
        except StoreUnavailable as exc:
            self.stderr.write(_("Không truy cập được kho lưu trữ tệp: %(detail)s") % {"detail": exc.detail})
            code = 2
        if code:
            sys.exit(code)

    def _out(self, data: dict[str, Any], lines: list[str], *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            for line in lines:
                self.stdout.write(line)

    def _verify(self, *, as_json: bool) -> int:
        count, bad = files.verify_all()
        problems = [{"sha256": sha, "problem": why, "used_by": files.users_of(sha)} for sha, why in bad]
        lines = []
        for item in problems:
            lines.append(f"BAD {item['sha256']} {item['problem']}")
            lines.extend(f"    {user}" for user in item["used_by"])
        lines.append(_("%(bad)d trên %(count)d tệp bị thiếu hoặc bị thay đổi") % {"bad": len(bad), "count": count}
                     if bad else _("%(count)d tệp lưu trữ nguyên vẹn") % {"count": count})
        self._out({"store": backend().url, "checked": count, "bad": problems}, lines, as_json=as_json)
        return 1 if bad else 0

    def _gc(self, *, min_age: float, dry_run: bool, as_json: bool) -> int:
        store = backend()
        now = time.time()
        orphans = []
        for key, modified in store.objects():
            if now - modified < min_age:
                continue
            if not StoredFile.objects.filter(sha256=key).exists():
                orphans.append(key)
                if not dry_run:
                    store.delete(key)
        strays = store.stray_temporaries(older_than=min_age)
        if not dry_run:
            for path in strays:
                path.unlink(missing_ok=True)
        removed = len(orphans) + len(strays)
        lines = [f"orphan {key}" for key in orphans]
        lines.append((_("sẽ xóa %(n)d tệp mồ côi") if dry_run else _("đã xóa %(n)d tệp mồ côi")) % {"n": removed})
        self._out({"store": store.url, "orphans": orphans, "temporaries": len(strays), "dry_run": dry_run}, lines,
                  as_json=as_json)
        return 0

    def _record_reads(self, *, as_json: bool) -> int:
        link_reads = import_module(LINK_READS)
        try:
            outcome = link_reads.record_configured(acting=operator("files record-reads"))
        except link_reads.LinkLogUnreadable as exc:
            self.stderr.write(_("Không đọc được nhật ký tải tệp qua liên kết %(log)s: %(detail)s")
                              % {"log": link_reads.configured_log()[0], "detail": exc})
            return 1
        data = outcome.as_dict()
        if not outcome.present:
            self.stderr.write(_("Chưa có nhật ký tải tệp qua liên kết %(log)s: không có gì để ghi.")
                              % {"log": outcome.log})
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(outcome.skipped.items()))
        self._out(data, [_("%(log)s: đã ghi %(recorded)d lượt tải vào nhật ký; bỏ qua %(skipped)d dòng%(reasons)s; "
                           "vị trí %(position)d")
                         % {"log": outcome.log, "recorded": outcome.recorded,
                            "skipped": sum(outcome.skipped.values()), "reasons": f" ({skipped})" if skipped else "",
                            "position": outcome.position}], as_json=as_json)
        return 0

    def _migrate(self, *, target_url: str, as_json: bool) -> int:
        source = backend()
        try:
            target = from_url(target_url)
        except ValueError as exc:
            self.stderr.write(_("--to phải là file:///ĐƯỜNG_DẪN hoặc s3://BUCKET/PREFIX (%(reason)s)")
                              % {"reason": exc})
            return 2
        if target.url == source.url:
            self.stderr.write(_("Kho đích trùng với kho đang dùng (VANTHU_FILES_URL)."))
            return 2
        faults = target.problems()
        if faults:
            for fault in faults:
                self.stderr.write(fault)
            return 2
        copied, skipped, failed = 0, 0, []
        copied_bytes = 0
        for sha, size in StoredFile.objects.values_list("sha256", "size").iterator(chunk_size=2000):
            there = blobs.check(sha, store=target)
            if there is None:
                skipped += 1
                continue
            if there == "content differs":  # a copy left damaged: written again
                target.delete(sha)
            try:
                _copy(sha, source=source, target=target)
            except BlobDamaged as exc:
                failed.append({"sha256": sha, "problem": exc.why, "used_by": files.users_of(sha)})
                continue
            why = blobs.check(sha, store=target)
            if why is not None:
                failed.append({"sha256": sha, "problem": f"target: {why}", "used_by": files.users_of(sha)})
                continue
            copied += 1
            copied_bytes += size
        lines = [f"FAILED {item['sha256']} {item['problem']}" for item in failed]
        lines.append(_("%(from)s → %(to)s: đã chép và kiểm tra %(copied)d tệp (%(bytes)d byte), bỏ qua %(skipped)d "
                       "tệp đã có sẵn, lỗi %(failed)d")
                     % {"from": source.url, "to": target.url, "copied": copied, "bytes": copied_bytes,
                        "skipped": skipped, "failed": len(failed)})
        if not failed:
            lines.append(_("Xong: đặt VANTHU_FILES_URL=%(to)s rồi khởi động lại các máy chủ.") % {"to": target.url})
        self._out({"from": source.url, "to": target.url, "copied": copied, "bytes": copied_bytes,
                   "skipped": skipped, "failed": failed}, lines, as_json=as_json)
        return 1 if failed else 0


def _copy(sha: str, *, source: Backend, target: Backend) -> None:
    """Stream one object from `source` to `target` through a temporary file checked by hash."""
    fd, name = tempfile.mkstemp(dir=target.temp_dir(), prefix="vanthu-migrate-")
    staged = Path(name)
    try:
        with open(fd, "wb") as out, source.open(sha) as handle:
            blobs.copy_checked(sha, handle, out)
        target.put_file(sha, staged, sha256=sha, size=staged.stat().st_size)
    finally:
        staged.unlink(missing_ok=True)

