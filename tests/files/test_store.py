"""The content-addressed store, each test on both backends (local disk and S3): written once, read back
checked, the row only after the object, verify / gc / hand-off, a damaged or missing object refused."""

from __future__ import annotations

import hashlib
import io
import os
import urllib.request
import uuid

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.files.conftest import alter, remove
from vanthu.core import blobs, files
from vanthu.core.models import StoredFile
from vanthu.core.store_backends import BlobDamaged, backend


def unique(label: str = "") -> bytes:
    return f"%PDF-1.4 {label} {uuid.uuid4()}".encode()


def test_written_once_and_read_back(db, store):
    data = unique("once")
    first = files.store_bytes(data, content_type="application/pdf")
    second = files.store_bytes(data, content_type="application/pdf")
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert StoredFile.objects.filter(sha256=first.sha256).count() == 1
    assert [key for key, _ in backend().objects()].count(first.sha256) == 1
    assert first.read_bytes() == data
    with blobs.open_file(first.sha256) as handle:
        assert handle.read() == data


def test_a_large_stream_goes_up_in_parts_and_comes_back_whole(db, store, settings):
    settings.S3_MULTIPART_MB = 5  # the smallest part S3 allows: 11 MB go up in three parts
    block = os.urandom(1024 * 1024)
    body = io.BytesIO(block * 11 + unique("large"))
    stored = files.store_stream(body, content_type="application/pdf")
    assert stored.size == len(body.getvalue())
    assert stored.sha256 == hashlib.sha256(body.getvalue()).hexdigest()
    assert backend().size(stored.sha256) == stored.size
    assert blobs.verify(stored.sha256)
    with blobs.local_copy(stored.sha256, suffix=".pdf") as path:
        assert path.read_bytes() == body.getvalue()


def test_verify_passes_then_names_the_altered_file(db, store, capsys):
    stored = files.store_bytes(unique("verify"), content_type="application/pdf")
    call_command("files", "verify", "--json")
    assert '"bad": []' in capsys.readouterr().out
    alter(stored.sha256, b"%PDF-1.4 da bi sua")
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "verify")
    assert exit_.value.code == 1
    assert f"BAD {stored.sha256} content differs" in capsys.readouterr().out
    with pytest.raises(BlobDamaged):
        blobs.read(stored.sha256)


def test_a_missing_object_is_reported_and_refused(db, store, capsys):
    stored = files.store_bytes(unique("missing"), content_type="application/pdf")
    remove(stored.sha256)
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "verify")
    assert exit_.value.code == 1
    assert f"BAD {stored.sha256} missing" in capsys.readouterr().out
    with pytest.raises(BlobDamaged) as refused:
        blobs.open_file(stored.sha256)
    assert refused.value.why == "missing"


def test_gc_removes_only_orphans(db, store, capsys):
    kept = files.store_bytes(unique("kept"), content_type="application/octet-stream")
    written: list[str] = []

    def failing_action() -> None:
        with transaction.atomic():
            written.append(files.store_bytes(unique("rolled back"), content_type="application/pdf").sha256)
            raise RuntimeError("the action failed after writing its file")

    with pytest.raises(RuntimeError, match="failed after writing"):
        failing_action()
    assert backend().exists(written[0])
    call_command("files", "gc")  # too young: an upload may still be in progress
    assert backend().exists(written[0])
    call_command("files", "gc", "--min-age-hours", "0", "--json")
    assert written[0] in capsys.readouterr().out
    assert not backend().exists(written[0])
    assert backend().exists(kept.sha256)


def test_handoff_gives_a_local_path_or_a_presigned_url(db, store):
    data = unique("handoff")
    stored = files.store_bytes(data, content_type="application/pdf")
    handed = blobs.handoff(stored.sha256, filename="Công văn 12.pdf", content_type="application/pdf", seconds=60)
    if store == "file":
        assert handed.url is None
        assert handed.path is not None
        assert handed.path.read_bytes() == data
    else:
        assert handed.path is None
        assert handed.url is not None
        with urllib.request.urlopen(handed.url, timeout=10) as answer:  # noqa: S310 (the local S3 server)
            assert answer.read() == data
            assert "attachment" in answer.headers["Content-Disposition"]
