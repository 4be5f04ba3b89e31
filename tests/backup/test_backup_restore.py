"""`vanthu backup` then `vanthu restore` into a fresh deployment (issue 13 item 7, decision 0023).

The world (tests/backup/world.py) is backed up by this process from its own database (SQLite in the SQLite
run, PostgreSQL in the PostgreSQL run); a separate `vanthu restore --signatures --json` process restores it
into a fresh data directory and an empty database, and checks it. This test then reads the restored database
and file store directly and compares every register counter, document number, stored file and audit event
with the original; the restore's own verdict says every signature validated and every chain verified."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.backup import world
from vanthu.audit.models import AuditEvent
from vanthu.ops.backup import dump, manifest

ROOT = Path(__file__).resolve().parents[2]


def _env(data: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_TESTING": "0", "VANTHU_DATA_DIR": str(data), "VANTHU_DATABASE_URL": url,
                "PYTHONPATH": str(ROOT)})
    return env


def _vanthu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from vanthu.cli import main; main()", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind for the fresh deployment: a new SQLite file, or a new PostgreSQL
    database (dropped afterwards)."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"vanthu_restore_{uuid.uuid4().hex[:8]}"
    admin = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore_and_compare(backup: Path, data: Path, url: str, before: dict[str, object]) -> dict[str, object]:
    done = _vanthu(_env(data, url), "restore", str(backup), "--signatures", "--json")
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)
    print(report["drill"])  # the figure docs/security.md quotes
    verdict = report["verdict"]
    assert verdict["ok"] is True
    assert verdict["problems"] == []
    assert verdict["signed_documents"] == before["signed"] > 0
    assert verdict["signatures"] >= 2 * before["signed"]  # the signer's and the unit's seal on each
    restored = world.restored_state(url)
    for key in ("registers", "numbers", "files"):
        assert restored[key] == before[key], key
    assert restored["audit"][:-1] == before["audit"]  # every event with its id, sequence and hash …
    assert restored["audit"][-1][1] == "global"  # … then the restore's own event
    on_disk = world.files_on_disk(data / "files")
    assert sorted(on_disk) == before["files"]
    assert all(on_disk.values())
    return report


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_deployment_with_every_hash_number_signature_and_chain(
        doc_types, tmp_path, empty_database):
    """Checklist point 53: a backup restores with every file's hash, register number, signature and chain."""
    built = world.build()
    before = world.state()
    assert len(built.issued) == 4
    out = io.StringIO()
    call_command("backup", "--out", str(tmp_path / "backup"), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["files"] == len(before["files"])
    assert summary["manifest_sha256"] == manifest.sha256_of(tmp_path / "backup" / "manifest.json")
    body = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert body["snapshot"] in {"sqlite read transaction (journal memory)", "postgresql transaction (repeatable read)"}

    report = _restore_and_compare(tmp_path / "backup", tmp_path / "fresh", empty_database, before)
    assert report["engine"] == report["source_engine"] == connection.vendor
    assert report["verdict"]["documents"] == len(before["numbers"])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_into_a_fresh_sqlite_deployment(doc_types, tmp_path):
    """The dump is engine-neutral: the same backup loads into the other engine."""
    world.build()
    before = world.state()
    dump.backup(tmp_path / "backup")
    report = _restore_and_compare(tmp_path / "backup", tmp_path / "fresh",
                                  f"sqlite:///{tmp_path / 'other.sqlite3'}", before)
    assert (report["source_engine"], report["engine"]) == ("postgresql", "sqlite")


@pytest.fixture
def backed_up(doc_types, tmp_path) -> tuple[Path, dict[str, object]]:
    """A backup of the world, and the world's state as the backup holds it (the backup's own audit event,
    written after its snapshot, is not in it)."""
    world.build()
    before = world.state()
    out = tmp_path / "backup"
    dump.backup(out)
    return out, before


def _restore_here(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("restore", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("damage", ["changed file", "missing part", "edited manifest"])
def test_a_damaged_backup_is_refused_by_name_and_nothing_is_restored(backed_up, damage: str):
    """Checklist point 53: the integrity check names what was damaged, and nothing is restored."""
    backed_up, _ = backed_up
    body = json.loads((backed_up / "manifest.json").read_text())
    sha = body["files"][0][0]
    if damage == "changed file":
        target = backed_up / manifest.file_path(sha)
        target.chmod(0o644)
        target.write_bytes(target.read_bytes() + b"x")
        named = manifest.file_path(sha)
    elif damage == "missing part":
        named = "db/documents.document.jsonl.gz"
        (backed_up / named).unlink()
    else:
        text = (backed_up / "manifest.json").read_text()
        (backed_up / "manifest.json").write_text(text.replace('"engine": "', '"engine": "x', 1))
        named = "manifest.json"
    before = world.state()
    code, _out, err = _restore_here(str(backed_up), "--replace")
    assert code == 1
    assert named in err
    assert "không khôi phục gì" in err
    assert world.state() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_deployment_that_is_not_empty_unless_told_to_replace_it(backed_up):
    backed_up, before = backed_up
    now = world.state()
    code, _, err = _restore_here(str(backed_up))
    assert code == 2
    assert "đã có dữ liệu" in err
    assert "--replace" in err
    assert world.state() == now

    code, out, err = _restore_here(str(backed_up), "--replace", "--expect",
                                   manifest.sha256_of(backed_up / "manifest.json"))
    assert code == 0, err
    assert "backup/restore drill:" in out
    assert "chains intact" in out
    after = world.state()
    assert after["audit"][:-1] == before["audit"]  # as backed up, then the restore's own event
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    assert AuditEvent.objects.order_by("pk").last().verb == "ops.backup.restored"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_manifest_hash_kept_apart_that_differs(backed_up):
    backed_up, _ = backed_up
    code, _, err = _restore_here(str(backed_up), "--replace", "--expect", "0" * 64)
    assert code == 1
    assert "manifest.json" in err
    assert "--expect" in err


def test_restore_of_a_directory_that_is_not_a_backup_exits_2(tmp_path):
    code, _, err = _restore_here(str(tmp_path))
    assert code == 2
    assert "manifest.json" in err


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_directory_that_is_not_empty_and_names_a_missing_stored_file(backed_up, tmp_path,
                                                                                      settings):
    backed_up, _ = backed_up
    with pytest.raises(SystemExit) as refused:
        call_command("backup", "--out", str(backed_up), stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.code == 2

    body = json.loads((backed_up / "manifest.json").read_text())
    sha = body["files"][0][0]
    moved = tmp_path / "moved"
    store = Path(settings.FILES_DIR) / sha[:2] / sha[2:4] / sha
    shutil.move(store, moved)
    err = io.StringIO()
    try:
        with pytest.raises(SystemExit) as failed:
            call_command("backup", "--out", str(tmp_path / "second"), stdout=io.StringIO(), stderr=err)
    finally:
        shutil.move(moved, store)
    assert failed.value.code == 1
    assert sha in err.getvalue()
    assert not (tmp_path / "second" / "manifest.json").exists()


@pytest.mark.django_db(transaction=True)
def test_a_forged_backup_with_a_consistent_manifest_is_caught_by_the_audit_chain_after_loading(backed_up):
    """Whoever rewrites a part and its manifest entry (and manifest.sha256) passes the hash checks, not the
    chain: the restore's verification names the broken chain and exits 1."""
    backed_up, _ = backed_up
    part = backed_up / "db" / "audit.auditevent.jsonl.gz"
    with gzip.open(part, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    verb = json.loads(lines[0])["fields"].index("verb")
    row = json.loads(lines[1])
    row[verb] += ".forged"
    lines[1] = json.dumps(row, ensure_ascii=False)
    part.chmod(0o644)
    with gzip.open(part, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    body = json.loads((backed_up / "manifest.json").read_text())
    for table in body["tables"]:
        if table["part"] == "db/audit.auditevent.jsonl.gz":
            table["sha256"] = manifest.sha256_of(part)
    manifest.write(backed_up, body)

    code, out, err = _restore_here(str(backed_up), "--replace")
    assert code == 1
    assert "CHAINS BROKEN" in out
    assert "gãy ở thứ tự" in err
