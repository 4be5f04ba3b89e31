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

stdout: the results (one JSON object with --json); stderr: messages.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vanthu.core import blobs, files
from vanthu.core.models import StoredFile
from vanthu.core.store_backends import Backend, BlobDamaged, StoreUnavailable, backend, from_url


class Command(BaseCommand):
    help = ("Stored files: `verify` re-hashes every file; `gc` removes orphans left by rolled-back writes; "
            "`migrate --to URL` copies every file to another backend. Exit 0 ok, 1 files at fault, 2 bad input.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["verify", "gc", "migrate"])
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

