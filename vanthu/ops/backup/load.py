"""`vanthu restore DIR`: check the backup against its manifest, then load it into an empty deployment.

Order (nothing is restored unless every check before step 4 passes):
1. the manifest's own hash, then every part, stored file, task file and key file against the manifest
   (a missing or changed one: exit 1, named);
2. this code's migrations must be exactly those the backup was taken at (same version), the database must hold
   no data (units, people, documents, files, audit events) unless `replace=True`, and a server key already in
   SIGNING_DIR must be the backup's unless `replace=True`;
3. `migrate` brings an empty database to this version's schema;
4. one transaction: every table emptied, every part loaded with its ids (the audit chain's hashes cover ids and
   sequence numbers), constraints checked, PostgreSQL's sequences set past the largest id, the stored files and
   task files put back through the file store, the server key written — a failure rolls it all back (files
   already written are unreferenced and `vanthu files gc` removes them);
5. the search index is rebuilt (derived data, not backed up), then `verify.py` checks the result.
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actors import operator
from vanthu.ops.backup import codec, manifest, verify
from vanthu.ops.backup.dump import columns

# A deployment holding rows in any of these is not empty.
WORLD = ("auth.user", "org.unit", "org.person", "documents.document", "core.storedfile", "audit.auditevent")
BATCH = 500


class RestoreRefused(Exception):
    """The restore cannot start (exit 2): not a backup, another version, a deployment that is not empty."""


class BackupDamaged(Exception):
    """Parts of the backup are missing or changed (exit 1); nothing was restored."""

    def __init__(self, damage: list[manifest.Damage]) -> None:
        super().__init__("; ".join(str(d) for d in damage))
        self.damage = damage


@dataclass
class Restored:
    manifest_sha256: str
    source_engine: str
    engine: str
    verdict: verify.Verdict
    seconds: dict[str, float] = field(default_factory=dict)


def check(directory: Path, *, expect: str | None = None) -> dict[str, Any]:
    """The manifest, once every part of the backup matches it; else BackupDamaged or RestoreRefused."""
    try:
        body, damage = manifest.read(directory, expect=expect)
    except manifest.NotABackup as exc:
        raise RestoreRefused(str(exc)) from exc
    if not damage:
        damage = manifest.check_parts(directory, body)
    if damage:
        raise BackupDamaged(damage)
    return body


def _known_migrations() -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes)


def _is_empty() -> bool:
    existing = set(connection.introspection.table_names())
    for label in WORLD:
        model = apps.get_model(label)
        if model._meta.db_table in existing and model._base_manager.exists():
            return False
    return True


def _signing_conflicts(directory: Path, body: dict[str, Any]) -> list[str]:
    clashes = []
    for item in body["signing"]:
        target = Path(settings.SIGNING_DIR) / item["name"]
        if target.exists() and manifest.sha256_of(target) != item["sha256"]:
            clashes.append(str(target))
    return clashes


def restore(directory: Path, *, replace: bool = False, expect: str | None = None,
            signatures: bool = False) -> Restored:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    body = check(directory, expect=expect)
    seconds["check"] = round(time.monotonic() - started, 3)
    known = _known_migrations()
    if known != body["migrations"]:
        missing = sorted(set(body["migrations"]) - set(known))[:3]
        extra = sorted(set(known) - set(body["migrations"]))[:3]
        raise RestoreRefused(_("Bản sao lưu được tạo ở một phiên bản khác của vanthu (migration khác: thiếu "
                               "%(missing)s, thừa %(extra)s); hãy khôi phục bằng đúng phiên bản đã sao lưu.")
                             % {"missing": ", ".join(missing) or "—", "extra": ", ".join(extra) or "—"})
    if not replace and not _is_empty():
        raise RestoreRefused(_("Cơ sở dữ liệu đích đã có dữ liệu; chỉ khôi phục vào một triển khai trống. Dùng "
                               "--replace để xóa toàn bộ dữ liệu hiện có và thay bằng bản sao lưu."))
    clashes = _signing_conflicts(directory, body)
    if clashes and not replace:
        raise RestoreRefused(_("Khóa máy chủ đã có trong SIGNING_DIR và khác khóa trong bản sao lưu: %(path)s. "
                               "Dùng --replace để thay.") % {"path": ", ".join(clashes)})
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    applied = sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations())
    if applied != body["migrations"]:
        raise RestoreRefused(_("Cơ sở dữ liệu đích không ở đúng trạng thái migration của bản sao lưu."))
    seconds["migrate"] = round(time.monotonic() - started, 3)
    started = time.monotonic()
    with transaction.atomic():
        _empty_tables()
        loaded = [_load_part(directory, table) for table in body["tables"]]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                    cursor.execute(sql)
        connection.check_constraints()
        seconds["database"] = round(time.monotonic() - started, 3)
        started = time.monotonic()
        _put_files(directory, body)
        seconds["files"] = round(time.monotonic() - started, 3)
    ContentType.objects.clear_cache()
    started = time.monotonic()
    from vanthu.search import indexing

    indexing.reindex()
    seconds["reindex"] = round(time.monotonic() - started, 3)
    started = time.monotonic()
    verdict = verify.verify(body, signatures=signatures)
    seconds["verify"] = round(time.monotonic() - started, 3)
    digest = manifest.sha256_of(directory / manifest.MANIFEST)
    with transaction.atomic():  # after the check: the restored chains end as backed up, then this event
        log.record(actor=operator("restore"), verb="ops.backup.restored",
                   data={"directory": str(directory), "manifest_sha256": digest, "ok": verdict.ok,
                         "problems": verdict.problems[:20]})
    return Restored(manifest_sha256=digest,
                    source_engine=body["engine"], engine=connection.vendor, verdict=verdict, seconds=seconds)


def _empty_tables() -> None:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _load_part(directory: Path, table: dict[str, Any]) -> type[models.Model]:
    model = apps.get_model(table["model"])
    fields = columns(model)
    by_name = {f.attname: f for f in fields}
    with gzip.open(directory / table["part"], "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        names = header["fields"]
        if header["model"] != table["model"] or set(names) != set(by_name):
            raise RestoreRefused(_("Các cột của %(model)s trong bản sao lưu khác với phiên bản này.")
                                 % {"model": table["model"]})
        decoders = [codec.decoder(by_name[n]) for n in names]
        batch: list[models.Model] = []
        for line in fh:
            values = json.loads(line)
            batch.append(model(**{n: dec(v) for n, dec, v in zip(names, decoders, values, strict=True)}))
            if len(batch) >= BATCH:
                _insert(model, fields, batch)
                batch = []
        if batch:
            _insert(model, fields, batch)
    return model


def _insert(model: type[models.Model], fields: list[models.Field[Any, Any]], objs: list[models.Model]) -> None:
    """Rows as they were: ids kept, auto_now and defaults not applied (raw, as loaddata does)."""
    size = max(1, min(len(objs), connection.ops.bulk_batch_size(fields, objs)))
    for i in range(0, len(objs), size):
        model._base_manager._insert(objs[i : i + size], fields=fields, raw=True)  # type: ignore[attr-defined]


def _put_files(directory: Path, body: dict[str, Any]) -> None:
    for sha, _size, content_type in body["files"]:
        with (directory / manifest.file_path(sha)).open("rb") as fh:
            stored = files.store_stream(fh, content_type=content_type)
        if stored.sha256 != sha:
            raise BackupDamaged([manifest.Damage(manifest.file_path(sha), _("nội dung đã bị thay đổi (SHA-256 "
                                                                            "không khớp)"))])
    for item in body["media"]:
        name = item["name"]
        if default_storage.exists(name):
            default_storage.delete(name)
        with (directory / "media" / name).open("rb") as fh:
            saved = default_storage.save(name, File(fh, name=Path(name).name))
        if saved != name:
            raise RestoreRefused(_("Không ghi được tệp %(name)s vào đúng tên.") % {"name": name})
    for item in body["signing"]:
        target = Path(settings.SIGNING_DIR) / item["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        data = (directory / "signing" / item["name"]).read_bytes()
        if target.exists():
            target.chmod(0o600)
        target.write_bytes(data)
        target.chmod(0o600)
