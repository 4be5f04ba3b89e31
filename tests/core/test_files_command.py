"""The content-addressed store: integrity check and removal of orphans left by rolled-back writes."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.db import transaction

from vanthu.core import files


def test_verify_passes_then_detects_a_changed_file(db, capsys):
    """Checklist point 35."""
    stored = files.store_bytes(b"%PDF-1.4 noi dung", content_type="application/pdf")
    call_command("files", "verify")
    assert "tệp lưu trữ nguyên vẹn" in capsys.readouterr().out
    path = files.path_for(stored.sha256)
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 da bi sua")
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "verify")
    assert exit_.value.code == 1
    assert f"BAD {stored.sha256} content differs" in capsys.readouterr().out


def test_gc_removes_only_old_orphans(db, capsys):
    kept = files.store_bytes(b"kept", content_type="application/octet-stream")
    written: list[str] = []

    def failing_action() -> None:
        with transaction.atomic():
            written.append(files.store_bytes(b"rolled back", content_type="application/octet-stream").sha256)
            raise RuntimeError("the action failed after writing its file")

    with pytest.raises(RuntimeError, match="failed after writing"):
        failing_action()
    orphan_path = files.path_for(written[0])
    assert orphan_path.exists()
    call_command("files", "gc")  # too young: an upload may still be in progress
    assert orphan_path.exists()
    old = orphan_path.stat().st_mtime - 2 * 86400
    os.utime(orphan_path, (old, old))
    call_command("files", "gc")
    assert not orphan_path.exists()
    assert files.path_for(kept.sha256).exists()
