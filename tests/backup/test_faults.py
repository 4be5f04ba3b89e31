"""Faults (issue 13, "Faults"), on PostgreSQL.

(a) The database "restarts" in the middle of an issuance: the test's own backend is ended with
    pg_terminate_backend from a second connection at a chosen statement (the shared server itself is never
    restarted). The clerk gets a clear, translated page (503), reloads, issues again, and the register has no
    gap and no duplicate.
(b) The disk fills during an upload: FILES_DIR is a small tmpfs filled to the last byte, so the store's write
    fails with the kernel's own ENOSPC (no patched call). The clerk gets a clear page (507), no half-written
    file stays, no record points at a missing file; once space is freed the same form registers with number 1.
(c) A worker killed mid-job: tests/jobs/test_worker_killed.py (a real `vanthu worker` killed with SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from vanthu.audit import log
from vanthu.core.models import StoredFile
from vanthu.demo import bench_issuing as bench
from vanthu.documents.models import Document, Register, Status
from vanthu.org.models import Person
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def backend_ended_at(statement: Callable[[str, Any], bool]) -> Iterator[list[str]]:
    """End this connection's PostgreSQL backend, from a second connection, just before the first statement for
    which `statement(sql, params)` is true; that statement then meets a dead connection, as after a restart."""
    import psycopg

    params = connection.settings_dict
    other = psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"],
                            dbname=params["NAME"], autocommit=True)
    fired: list[str] = []

    def wrapper(execute: Any, sql: str, sql_params: Any, many: bool, context: dict[str, Any]) -> Any:
        if not fired and statement(sql, sql_params):
            fired.append(sql)
            pid = context["connection"].connection.info.backend_pid
            ended = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
            assert ended == (True,)
        return execute(sql, sql_params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield fired
    finally:
        other.close()


def _number_statement(sql: str, params: Any) -> bool:
    return "WITH d AS" in sql and "last_number" in sql


def _issued_write(sql: str, params: Any) -> bool:
    values = params.values() if isinstance(params, dict) else (params or ())
    # Django's own UPDATE, or the finalising statement written by hand (issuance._ISSUED: unquoted, indented)
    head = sql.lstrip().replace('"', "")
    return head.startswith("UPDATE documents_document SET") and Status.ISSUED.value in values


@pytest.fixture
def signed(doc_types) -> tuple[Person, list[int]]:
    """Two signed documents of one unit, waiting for its clerk to issue them."""
    org = bench.build_org(pairs=0, secret=SIGNING_SECRET)
    ids = bench.signed_documents(org.hub, to_unit_id=org.sink_id, count=2, secret=SIGNING_SECRET)
    return Person.objects.get(pk=org.hub.clerk_id), ids


def _issue(client: Any, pk: int, clerk: Person) -> Any:
    version = Document.objects.get(pk=pk).version  # the form as the reloaded page gives it
    return client.post(f"/documents/{pk}/issue/", {"secret": SIGNING_SECRET, "expected_version": str(version),
                                                   "otp": code_for(clerk)})


@pytest.mark.parametrize("where", [_number_statement, _issued_write], ids=["taking the number", "finishing"])
def test_the_database_restarting_mid_issuance_gives_a_clear_error_and_the_retry_leaves_no_gap(client, signed,
                                                                                              where):
    clerk, (first, second) = signed
    client.force_login(clerk.user)
    with backend_ended_at(where) as fired:
        page = _issue(client, first, clerk)
    assert fired, "the chosen statement ran"
    assert page.status_code == 503
    text = page.content.decode()
    assert "Mất kết nối với cơ sở dữ liệu" in text
    assert "không có gì bị ghi dở" in text
    assert Document.objects.get(pk=first).status == Status.SIGNED

    retried = _issue(client, first, clerk)  # the clerk tries again at once
    assert retried.status_code == 302, retried.content.decode()[:2000]
    assert _issue(client, second, clerk).status_code == 302
    issued = Document.objects.filter(pk__in=[first, second])
    assert {d.status for d in issued} == {Status.ISSUED}
    assert sorted(d.number for d in issued) == [1, 2]
    assert bench.check_registers([first, second]) == (0, 0)  # no gap, no duplicate
    assert Register.objects.get(pk=issued[0].register_id).last_number == 2
    assert all(report.ok for report in log.verify_all())


@pytest.fixture
def full_disk(settings, tmp_path: Path) -> Iterator[Path]:
    """FILES_DIR on a 512 KiB tmpfs, filled to the last byte (mounting needs root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the disk-full fault is not simulated by patching")
    mount = tmp_path / "files"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], check=True)
    try:
        (mount / "tmp").mkdir()
        filler = mount / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        settings.FILES_DIR = mount
        yield filler
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _incoming_form(cast: Any, doc_types: Any, pdf: bytes) -> dict[str, Any]:
    return {
        "client_token": str(uuid.uuid4()), "unit": str(cast.command.pk),
        "arrival_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "received_via": "paper",
        "doc_type": str(doc_types["Công văn"].pk), "code_number": "77", "code_notation": "BQP-TM",
        "issued_date": "2026-01-05", "organ_name": "Bộ Quốc phòng", "subject": "V/v kiểm tra khi đĩa đầy",
        "urgency": "0", "secrecy": "0", "signer_name": "Nguyễn Văn An", "signer_position": "Thứ trưởng",
        "page_amount": "", "due_date": "", "description": "",
        "file": SimpleUploadedFile("cong-van.pdf", pdf, content_type="application/pdf"),
    }


def test_a_full_disk_during_an_upload_gives_a_clear_error_and_leaves_nothing_half_written(client, cast, doc_types,
                                                                                           incoming_pdf, full_disk,
                                                                                           settings):
    client.force_login(cast.hoa.user)
    documents, stored = Document.objects.count(), StoredFile.objects.count()
    page = client.post("/documents/incoming/new/", _incoming_form(cast, doc_types, incoming_pdf))
    assert page.status_code == 507
    text = page.content.decode()
    assert "Kho lưu trữ tệp đã đầy" in text
    assert "không có gì bị ghi dở" in text
    assert (Document.objects.count(), StoredFile.objects.count()) == (documents, stored)
    root = Path(settings.FILES_DIR)
    assert list((root / "tmp").iterdir()) == []  # no half-written file
    assert [p for p in root.glob("??/??/*")] == []
    assert not Register.objects.filter(unit=cast.command, last_number__gt=0).exists()  # no number taken

    full_disk.unlink()  # the administrator frees space; the clerk sends the same form again
    page = client.post("/documents/incoming/new/", _incoming_form(cast, doc_types, incoming_pdf))
    assert page.status_code == 302
    document = Document.objects.get(subject="V/v kiểm tra khi đĩa đầy")
    assert document.number == 1
    for row in StoredFile.objects.all():  # every record points at a file that is there, whole
        assert (root / row.sha256[:2] / row.sha256[2:4] / row.sha256).is_file()
