"""The local-disk backend of the file store: `ROOT/ab/cd/<sha256>`, read-only, renamed into place.

An adapter (decision 0025): no ORM, no actions.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vanthu.core.store_types import BlobDamaged, Handoff, is_key


class LocalBackend:
    def __init__(self, root: Path, *, url: str) -> None:
        self.root = root
        self.url = url

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def temp_dir(self) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put_file(self, key: str, source: Path, *, sha256: str, size: int) -> bool:
        target = self.path(key)
        if target.exists():
            source.unlink(missing_ok=True)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.parent != self.temp_dir():  # another file system perhaps: copy beside, then rename
            staged = self.temp_dir() / f"{key}.{os.getpid()}.part"
            shutil.copyfile(source, staged)
            source.unlink(missing_ok=True)
            source = staged
        source.chmod(0o444)
        os.replace(source, target)
        return True

    def open(self, key: str) -> IO[bytes]:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise BlobDamaged(key, "missing") from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def objects(self) -> Iterator[tuple[str, float]]:
        return ((p.name, p.stat().st_mtime) for p in self.root.glob("??/??/*") if is_key(p.name))

    def stray_temporaries(self, *, older_than: float) -> list[Path]:
        folder = self.root / "tmp"
        now = time.time()
        if not folder.exists():
            return []
        return [p for p in folder.glob("*") if now - p.stat().st_mtime >= older_than]

    def handoff(self, key: str, *, filename: str, content_type: str, seconds: int) -> Handoff:
        return Handoff(path=self.path(key))

    def problems(self) -> list[str]:
        if self.root.exists() and not self.root.is_dir():
            return [f"VANTHU_FILES_URL / VANTHU_FILES_DIR: {self.root} is not a directory."]
        return []
