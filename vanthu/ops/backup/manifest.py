"""The backup directory's manifest and its checks (no database).

    DIR/manifest.json      what the backup holds (below), written last
    DIR/manifest.sha256    "<SHA-256 of manifest.json>  manifest.json" (sha256sum's format)
    DIR/db/<app>.<model>.jsonl.gz   one part per model: a header line (the columns), then one JSON row per line
    DIR/files/ab/cd/<sha256>        every stored file, named by its SHA-256
    DIR/media/<name>                the task files kept by Django's default storage
    DIR/signing/<name>              SIGNING_DIR's server key, when the deployment has one

A part's, a file's and the manifest's hashes are checked before anything is restored; the manifest's own
hash is printed by `vanthu backup` so it can be kept apart from the backup (`vanthu restore --expect`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

FORMAT = "vanthu-backup/1"
MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.sha256"
CHUNK = 1024 * 1024


class NotABackup(Exception):
    """The directory is not a backup this version can read (exit 2)."""


@dataclass(frozen=True)
class Damage:
    """One part of a backup that is missing or changed (exit 1, nothing restored)."""

    path: str
    why: str  # translated

    def __str__(self) -> str:
        return f"{self.path}: {self.why}"


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return sha256_of_stream(fh)


def sha256_of_stream(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def file_path(sha256: str) -> str:
    return f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def write(directory: Path, manifest: dict[str, Any]) -> str:
    """Write manifest.json and its hash; returns the hash."""
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    (directory / MANIFEST).write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    (directory / MANIFEST_HASH).write_text(f"{digest}  {MANIFEST}\n", encoding="ascii")
    return digest


def read(directory: Path, *, expect: str | None = None) -> tuple[dict[str, Any], list[Damage]]:
    """The manifest, or NotABackup; a manifest whose hash does not match is damage (and nothing else is read)."""
    path = directory / MANIFEST
    if not directory.is_dir():
        raise NotABackup(_("%(dir)s không phải là một thư mục.") % {"dir": directory})
    if not path.is_file():
        if (directory / MANIFEST_HASH).is_file():
            return {}, [Damage(MANIFEST, _("thiếu tệp"))]
        raise NotABackup(_("%(dir)s không phải là bản sao lưu của vanthu (không có manifest.json).")
                         % {"dir": directory})
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    recorded = ""
    hash_path = directory / MANIFEST_HASH
    if hash_path.is_file():
        recorded = hash_path.read_text(encoding="ascii", errors="replace").split(" ")[0].strip()
    else:
        return {}, [Damage(MANIFEST_HASH, _("thiếu tệp"))]
    if digest != recorded:
        return {}, [Damage(MANIFEST, _("mã băm SHA-256 không khớp với manifest.sha256"))]
    if expect and digest != expect.strip().lower():
        return {}, [Damage(MANIFEST, _("mã băm SHA-256 không khớp với mã được giữ riêng (--expect)"))]
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise NotABackup(_("manifest.json không đọc được: %(error)s") % {"error": exc}) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise NotABackup(_("Định dạng bản sao lưu không được hỗ trợ: %(format)s")
                         % {"format": manifest.get("format") if isinstance(manifest, dict) else "?"})
    return manifest, []


def check_parts(directory: Path, manifest: dict[str, Any]) -> list[Damage]:
    """Every part, stored file, media file and key file present with its recorded SHA-256."""
    wanted: list[tuple[str, str]] = [(t["part"], t["sha256"]) for t in manifest["tables"]]
    wanted += [(file_path(sha), sha) for sha, _size, _type in manifest["files"]]
    wanted += [(f"media/{m['name']}", m["sha256"]) for m in manifest["media"]]
    wanted += [(f"signing/{s['name']}", s["sha256"]) for s in manifest["signing"]]
    damage: list[Damage] = []
    root = directory.resolve()
    for relative, sha in wanted:
        path = (directory / relative).resolve()
        if root not in path.parents:
            damage.append(Damage(relative, _("đường dẫn ra ngoài thư mục sao lưu")))
        elif not path.is_file():
            damage.append(Damage(relative, _("thiếu tệp")))
        elif sha256_of(path) != sha:
            damage.append(Damage(relative, _("nội dung đã bị thay đổi (SHA-256 không khớp)")))
    return damage
