"""`vanthu backup --out DIR`: the database read from one snapshot, then the files it names.

The database is written engine-neutral: one gzipped JSON-lines part per model (every concrete column, values
encoded by `codec.py`), so a backup of SQLite restores into PostgreSQL and back. The snapshot:
- PostgreSQL: one transaction `REPEATABLE READ, READ ONLY` (every part sees the same committed state; writers
  are not blocked);
- SQLite: one deferred read transaction; in WAL mode (vanthu's SQLite settings) it sees one state from its
  first read to its end while writers go on.
Stored files are content-addressed and never change, so copying them after the snapshot is consistent: every
file the snapshot's `StoredFile` rows name is copied (through `core.blobs`, whatever the store's backend) and
re-hashed on the way. A missing or changed file fails the backup (exit 1) and no manifest is written.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

import vanthu
from vanthu.audit import log
from vanthu.core import blobs
from vanthu.core.actors import operator
from vanthu.core.store_types import BlobDamaged
from vanthu.ops.backup import codec, manifest
from vanthu.signing.keystore import SERVER_KEY_FILE

# Derived data rebuilt after a restore (`search.indexing.reindex`), and sessions (people sign in again).
SKIPPED = frozenset({"sessions.session", "search.indexeddocument", "search.watermark", "search.term",
                     "search.unitseen"})
ROWS_PER_FETCH = 2000


class BackupRefused(Exception):
    """The backup cannot start (exit 2): the message says why."""


class BackupFailed(Exception):
    """A file the database names is missing or changed in the store (exit 1)."""

    def __init__(self, damage: list[manifest.Damage]) -> None:
        super().__init__("; ".join(str(d) for d in damage))
        self.damage = damage


@dataclass
class Summary:
    directory: str
    manifest_sha256: str
    engine: str
    tables: int
    rows: int
    files: int
    file_bytes: int
    db_bytes: int
    media: int
    signing: int
    documents: int
    audit_events: int
    seconds: dict[str, float] = field(default_factory=dict)


def models_to_copy() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.label_lower in SKIPPED:
            continue
        found.append(model)
    return sorted(found, key=lambda m: m._meta.label_lower)


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.local_concrete_fields)


@contextlib.contextmanager
def snapshot() -> Iterator[str]:
    """One consistent state of the database for the whole dump; yields how it was taken."""
    connection: Any = connections["default"]
    outer = not connection.in_atomic_block  # else a caller's transaction (a test's) is the snapshot
    if connection.vendor == "sqlite":
        # A deferred read transaction: in WAL mode (vanthu's SQLite settings) its first read fixes the state it
        # sees until its end, and writers go on (BEGIN IMMEDIATE, vanthu's default mode, would stop them).
        connection.ensure_connection()  # the wrapper reads its transaction mode when it connects
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED" if outer else mode
        try:
            with transaction.atomic():
                connection.transaction_mode = mode
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA journal_mode")
                    journal = str(cursor.fetchone()[0])
                    cursor.execute("SELECT count(*) FROM django_migrations")  # the snapshot starts here
                yield f"sqlite read transaction (journal {journal})"
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic(using="default"):
        with connection.cursor() as cursor:
            if outer:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SHOW transaction_isolation")
            level = str(cursor.fetchone()[0])
        yield f"postgresql transaction ({level})"


def _dump_model(model: type[models.Model], alias: str, out: Path) -> tuple[str, int]:
    fields = columns(model)
    names = [f.attname for f in fields]
    encoders = [codec.encoder(f) for f in fields]
    rows = 0
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=6) as fh:
        fh.write(json.dumps({"model": model._meta.label_lower, "fields": names}) + "\n")
        query = model._base_manager.using(alias).order_by(model._meta.pk.attname).values_list(*names)
        for values in query.iterator(chunk_size=ROWS_PER_FETCH):
            fh.write(json.dumps([enc(v) for enc, v in zip(encoders, values, strict=True)], ensure_ascii=False,
                                separators=(",", ":")) + "\n")
            rows += 1
    return manifest.sha256_of(out), rows


def _copy_stream(src: Any, dest: Path) -> tuple[str, int]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with dest.open("wb") as out:
        for chunk in iter(lambda: src.read(manifest.CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def backup(out: Path) -> Summary:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupRefused(_("Thư mục %(dir)s đã có nội dung; hãy chọn một thư mục mới hoặc rỗng.") % {"dir": out})
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)  # it holds the whole deployment, its server key included
    (out / "db").mkdir()
    seconds: dict[str, float] = {}
    started = time.monotonic()
    tables: list[dict[str, Any]] = []
    stored: list[list[Any]] = []
    media_names: list[str] = []
    alias = "default"
    with snapshot() as how:
        connection = connections[alias]
        applied = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
        for model in models_to_copy():
            label = model._meta.label_lower
            part = f"db/{label}.jsonl.gz"
            sha, rows = _dump_model(model, alias, out / part)
            tables.append({"model": label, "part": part, "rows": rows, "sha256": sha,
                           "bytes": (out / part).stat().st_size})
        StoredFile = apps.get_model("core", "StoredFile")
        stored = [list(row) for row in StoredFile._base_manager.using(alias).order_by("sha256")
                  .values_list("sha256", "size", "content_type").iterator(chunk_size=ROWS_PER_FETCH)]
        for model in models_to_copy():
            for f in columns(model):
                if isinstance(f, models.FileField):
                    media_names += [n for n in model._base_manager.using(alias).exclude(**{f.attname: ""})
                                    .values_list(f.attname, flat=True) if n]
        registers = [list(r) for r in apps.get_model("documents", "Register")._base_manager.using(alias)
                     .order_by("pk").values_list("pk", "last_number")]
        numbers = list(apps.get_model("documents", "Document")._base_manager.using(alias).order_by("pk")
                       .values_list("pk", "register_id", "number"))
        heads = {c: [s, h] for c, s, h in apps.get_model("audit", "AuditChainHead")._base_manager.using(alias)
                 .values_list("chain", "seq", "hash")}
    seconds["database"] = round(time.monotonic() - started, 3)
    started = time.monotonic()
    damage: list[manifest.Damage] = []
    file_bytes = 0
    for sha, _size, _type in stored:
        try:
            with blobs.open_file(sha) as src:
                got, length = _copy_stream(src, out / manifest.file_path(sha))
        except (FileNotFoundError, BlobDamaged) as exc:  # the store refuses a missing or altered file
            altered = isinstance(exc, BlobDamaged) and exc.why != "missing"
            damage.append(manifest.Damage(f"FILES_DIR:{sha}", _("nội dung trong kho tệp đã bị thay đổi") if altered
                                          else _("thiếu trong kho tệp")))
            continue
        if got != sha:
            damage.append(manifest.Damage(f"FILES_DIR:{sha}", _("nội dung trong kho tệp đã bị thay đổi")))
        file_bytes += length
    media: list[dict[str, Any]] = []
    for name in sorted(set(media_names)):
        try:
            with default_storage.open(name, "rb") as src:
                got, length = _copy_stream(src, out / "media" / name)
        except FileNotFoundError:
            damage.append(manifest.Damage(f"MEDIA_ROOT:{name}", _("thiếu trong kho tệp")))
            continue
        media.append({"name": name, "sha256": got, "size": length})
    signing: list[dict[str, Any]] = []
    key = Path(settings.SIGNING_DIR) / SERVER_KEY_FILE
    if key.is_file():
        (out / "signing").mkdir()
        shutil.copyfile(key, out / "signing" / SERVER_KEY_FILE)
        (out / "signing" / SERVER_KEY_FILE).chmod(0o600)
        signing.append({"name": SERVER_KEY_FILE, "sha256": manifest.sha256_of(key), "size": key.stat().st_size})
    seconds["files"] = round(time.monotonic() - started, 3)
    if damage:
        raise BackupFailed(damage)
    body: dict[str, Any] = {
        "format": manifest.FORMAT,
        "vanthu": vanthu.__version__,
        "django": django.get_version(),
        "created_at": timezone.now().isoformat(),
        "engine": connections["default"].vendor,
        "snapshot": how,
        "migrations": applied,
        "tables": tables,
        "files": stored,
        "media": media,
        "signing": signing,
        "registers": registers,
        "numbers_sha256": numbers_digest(numbers),
        "audit_heads": heads,
        "seconds": seconds,
    }
    digest = manifest.write(out, body)
    with transaction.atomic():  # after the snapshot: the backup itself is not in it
        log.record(actor=operator("backup"), verb="ops.backup.made",
                   data={"directory": str(out), "manifest_sha256": digest, "files": len(stored)})
    rows_of = {t["model"]: t["rows"] for t in tables}
    return Summary(directory=str(out), manifest_sha256=digest, engine=body["engine"], tables=len(tables),
                   rows=sum(rows_of.values()), files=len(stored), file_bytes=file_bytes,
                   db_bytes=sum(t["bytes"] for t in tables), media=len(media), signing=len(signing),
                   documents=rows_of.get("documents.document", 0), audit_events=rows_of.get("audit.auditevent", 0),
                   seconds=seconds)


def numbers_digest(numbers: list[tuple[Any, Any, Any]]) -> str:
    """One hash over every document's (id, register, number): the registers' numbering, compared after a restore."""
    return hashlib.sha256(json.dumps([list(n) for n in numbers]).encode("ascii")).hexdigest()

