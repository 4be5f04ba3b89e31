"""`vanthu record export` then `vanthu record verify`: an issued document filed in a record of the Staff is
exported with the Staff's seal and the built-in TSA, then verified by a separate process whose database cannot
be reached (exit 0); one byte changed in the PDF, a file removed or added (exit 1, named); not a package (exit 2).
Who may export: the Staff's clerk Lan, not the outsider Tâm (refused, audited)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from asn1crypto import pem
from django.core.management import call_command

from tests.records.package_fixtures import record  # noqa: F401 - the fixture
from tests.records.package_helpers import flip_one_byte, rewrite
from vanthu.audit.models import AuditEvent
from vanthu.records.exporting import ExportRefused, export_record
from vanthu.signing import service as signing

VANTHU = str(Path(sys.executable).with_name("vanthu"))


def _verify(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VANTHU_DATABASE_URL": "postgres://nobody@127.0.0.1:9/absent",
           "VANTHU_DATA_DIR": str(tmp / "empty-data")}
    return subprocess.run([VANTHU, "record", "verify", *args], capture_output=True, text=True, timeout=180, env=env)


def _roots(tmp: Path) -> Path:
    roots, _ = signing.trust_store_der()
    path = tmp / "roots.pem"
    path.write_bytes(b"".join(pem.armor("CERTIFICATE", der) for der in roots))
    return path


def test_export_then_verify_offline_then_refuse_a_changed_byte(record, tmp_path):  # noqa: F811
    out = tmp_path / "ho-so.zip"
    call_command("record", "export", str(record.pk), "--out", str(out))
    event = AuditEvent.objects.filter(verb="records.record.exported").get()
    assert event.data["documents"] == 2
    assert event.data["timestamped"] is True
    roots = _roots(tmp_path)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        pdf_name = next(n for n in names if n.startswith("documents/001/files/") and n.endswith(".pdf"))
        assert "documents/002/files/Bang-so-lieu.txt" in names
        history = json.loads(archive.read("record/history.json"))
    assert any(e["verb"] == "documents.outgoing.issued" for e in history["events"])

    done = _verify(str(out), "--trust", str(roots), "--json", tmp=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["intact"]
    assert verdict["seal"]["valid"]
    assert verdict["roots"]["pinned"]
    assert verdict["seal"]["signer"]
    assert verdict["seal"]["timestamp"]
    assert [s["valid"] for s in verdict["signatures"]] == [True]

    rewrite(out, lambda m: m.update({pdf_name: flip_one_byte(m[pdf_name])}))
    refused = _verify(str(out), "--trust", str(roots), tmp=tmp_path)
    assert refused.returncode == 1
    assert pdf_name in refused.stdout
    assert refused.stdout.splitlines()[-1] == "Kết luận: gói hồ sơ đã bị thay đổi (1 điểm)"


def test_verify_without_trust_uses_the_carried_roots_and_says_so(record, tmp_path):  # noqa: F811
    out = tmp_path / "ho-so.zip"
    call_command("record", "export", str(record.pk), "--out", str(out))

    def change(members):
        members["documents/009/files/them.pdf"] = b"%PDF-1.7 added"
        del members["documents/002/files/Bang-so-lieu.txt"]

    rewrite(out, change)
    done = _verify(str(out), "--no-signatures", tmp=tmp_path)
    assert done.returncode == 1
    assert "CHƯA chỉ định" in done.stdout
    assert "documents/009/files/them.pdf" in done.stdout
    assert "documents/002/files/Bang-so-lieu.txt" in done.stdout
    assert "--trust" in done.stderr


def test_not_a_package_exits_2(tmp_path, db):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 broken")
    done = _verify(str(path), tmp=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Không phải gói hồ sơ" in done.stderr


def test_the_outsider_may_not_export_and_the_refusal_is_audited(record, cast, tmp_path):  # noqa: F811
    with pytest.raises(ExportRefused):
        export_record(record=record, out=tmp_path / "x.zip", acting=cast.tam)
    assert not (tmp_path / "x.zip").exists()
    assert AuditEvent.objects.filter(verb="records.record.exported.refused", actor_id=cast.tam.pk).exists()
    written = export_record(record=record, out=tmp_path / "y.zip", acting=cast.lan)
    assert written.documents == 2


def test_a_clerk_who_may_not_see_a_filed_document_cannot_export(record, cast, tmp_path):  # noqa: F811
    from vanthu.core.choices import Secrecy
    from vanthu.documents.models import Document

    Document.objects.filter(pk=record.items.get(ordinal=1).document_id).update(secrecy=Secrecy.TOP_SECRET)
    with pytest.raises(ExportRefused) as refused:
        export_record(record=record, out=tmp_path / "x.zip", acting=cast.lan)
    assert refused.value.code == "hidden_documents"
