"""`vanthu files migrate --to URL`: every stored file copied to another backend and checked by hash,
resumable (a second run skips what is there), with a summary on stdout (or JSON)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import call_command

from tests.files.conftest import alter
from vanthu.core import blobs, files
from vanthu.core.store_backends import from_url


def test_local_files_move_to_s3_and_back(db, settings, s3_server, s3_bucket, tmp_path, capsys):
    settings.FILES_URL = ""
    settings.S3_ENDPOINT_URL = s3_server
    stored = [files.store_bytes(f"%PDF-1.4 {i} {uuid.uuid4()}".encode(), content_type="application/pdf")
              for i in range(3)]
    target = f"s3://{s3_bucket}/moved"
    call_command("files", "migrate", "--to", target, "--json")
    first = json.loads(capsys.readouterr().out)
    assert first["to"] == target
    assert first["copied"] >= 3
    assert first["failed"] == []
    bucket = from_url(target)
    for row in stored:
        assert blobs.check(row.sha256, store=bucket) is None

    call_command("files", "migrate", "--to", target, "--json")  # resumable: nothing copied twice
    again = json.loads(capsys.readouterr().out)
    assert again["copied"] == 0
    assert again["skipped"] == first["copied"] + first["skipped"]

    settings.FILES_URL = target  # the deployment now reads from the bucket
    call_command("files", "verify")
    assert all(row.read_bytes().startswith(b"%PDF-1.4") for row in stored)

    back = (tmp_path / "back").as_uri()
    call_command("files", "migrate", "--to", back)
    out = capsys.readouterr().out
    assert "→ " + back in out
    assert blobs.check(stored[0].sha256, store=from_url(back)) is None


def test_a_damaged_source_file_is_named_and_not_copied(db, settings, s3_server, s3_bucket, tmp_path, capsys):
    settings.S3_ENDPOINT_URL = s3_server
    settings.FILES_URL = f"s3://{s3_bucket}/vanthu"
    good = files.store_bytes(f"%PDF-1.4 good {uuid.uuid4()}".encode(), content_type="application/pdf")
    bad = files.store_bytes(f"%PDF-1.4 bad {uuid.uuid4()}".encode(), content_type="application/pdf")
    alter(bad.sha256, b"changed")
    target = (tmp_path / "local").as_uri()
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "migrate", "--to", target)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"FAILED {bad.sha256} content differs" in out
    assert blobs.check(good.sha256, store=from_url(target)) is None
    assert blobs.check(bad.sha256, store=from_url(target)) == "missing"


def test_a_bad_target_is_refused(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "migrate", "--to", "ftp://example/files")
    assert exit_.value.code == 2
    assert "s3://BUCKET/PREFIX" in capsys.readouterr().err


def test_verify_passes_on_the_bucket_files_were_moved_to_then_names_an_altered_object(
        db, settings, s3_server, s3_bucket, capsys):
    """The show of issue 17: files moved to the S3 server, `files verify` passes there, then fails (exit 1,
    naming the file) after one object is changed behind vanthu's back."""
    settings.FILES_URL = ""
    settings.S3_ENDPOINT_URL = s3_server
    stored = [files.store_bytes(f"%PDF-1.4 {i} {uuid.uuid4()}".encode(), content_type="application/pdf")
              for i in range(2)]
    target = f"s3://{s3_bucket}/moved"
    call_command("files", "migrate", "--to", target)
    settings.FILES_URL = target
    call_command("files", "verify")
    capsys.readouterr()
    alter(stored[1].sha256, b"%PDF-1.4 changed in the bucket")
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "verify")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"BAD {stored[1].sha256} content differs" in out
    assert stored[0].sha256 not in out
