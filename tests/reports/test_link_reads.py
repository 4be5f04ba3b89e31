"""Issue 17 (decision 0035): a download nginx served from a signed link runs no app request, so nginx logs it and
`documents.actions.link_reads` turns each line into the read the checked path records — same verb, actor, chain
and target, at the time nginx served it — exactly once, whatever happens between runs (a crash in the middle of a
batch, a partial last line, a rotation), skipping and counting the lines it cannot trust. The security officer's
page shows such a download like a checked one, saying it came through a link."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.reports.conftest import register
from vanthu.audit import log, reads
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents import jobs
from vanthu.documents.actions import link_reads
from vanthu.documents.models import LinkLogPosition
from vanthu.org import actions as org_actions
from vanthu.org.models import Role

PREFIX = "/_vanthu_link/"
SERVED_AT = 1765000000.123  # 2025-12-06 05:46:40.123 UTC
ACTOR = SystemActor("test link log")


@pytest.fixture
def doc(cast, doc_types, incoming_pdf):
    return register(cast, doc_types, incoming_pdf, subject="V/v tải tệp qua liên kết",
                    arrival=timezone.now() - dt.timedelta(days=1))


@pytest.fixture
def link_log(tmp_path):
    return tmp_path / "logs" / "links.log"


def line(person_id: int, doc_id: int, sha: str, *, request_id: str, via: str = "p", status: int = 200,
         msec: float = SERVED_AT, ip: str = "10.1.2.3", size: int = 27582, name: str = "cong-van.pdf") -> str:
    return f"{msec:.3f} {status} {size} {request_id} {ip} {PREFIX}{via}/{person_id}/{doc_id}/{sha}/{name}\n"


def write(path, *lines: str, mode: str = "a") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode, encoding="ascii") as out:
        out.write("".join(lines))


def run(path, **kwargs) -> link_reads.Outcome:
    return link_reads.record_link_reads(acting=ACTOR, path=path, prefix=PREFIX, **kwargs)


def downloads(doc) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=reads.DOWNLOADED, target_type="documents.document",
                                          target_id=str(doc.pk)).order_by("id"))


def test_checklist_point_52_a_download_from_a_link_is_its_persons_read_in_the_documents_chain(
        cast, doc, link_log):
    sha = doc.current_file_id
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="a1" * 16),
          line(cast.son.pk, doc.pk, sha, request_id="b2" * 16, via="a", status=206, ip="10.7.7.7", size=1024,
               msec=SERVED_AT + 2))
    outcome = run(link_log)
    assert (outcome.recorded, dict(outcome.skipped)) == (2, {})
    assert outcome.position == link_log.stat().st_size
    first, second = downloads(doc)
    assert (first.actor_id, first.actor_name, first.chain, first.unit_id) == (
        cast.lan.pk, cast.lan.full_name, f"u{doc.unit_id}", doc.unit_id)
    assert first.at == dt.datetime(2025, 12, 6, 5, 46, 40, 123000, tzinfo=dt.UTC)
    name = doc.files.get(file_id=sha).name
    assert first.data == {"file": name, "sha256": sha, "marked": False, "ip": "10.1.2.3", "agent": "",
                          "bytes": 27582, "request_id": "a1" * 16, "served_at": "2025-12-06T05:46:40.123000+00:00",
                          "via": "link-page"}
    assert (second.actor_id, second.data["via"], second.data["ip"], second.data["bytes"]) == (
        cast.son.pk, "link-api", "10.7.7.7", 1024)
    assert second.at - first.at == dt.timedelta(seconds=2)
    assert log.verify_chain(f"u{doc.unit_id}").ok
    assert [e.pk for e in reads.usage_of(doc)][:2] == [second.pk, first.pk]  # the document's usage history


def test_two_runs_record_each_line_once_and_the_second_only_what_was_added(cast, doc, link_log):
    sha = doc.current_file_id
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="c3" * 16))
    assert run(link_log).recorded == 1
    assert run(link_log).recorded == 0
    write(link_log, line(cast.son.pk, doc.pk, sha, request_id="d4" * 16))
    assert run(link_log).recorded == 1
    assert [e.actor_id for e in downloads(doc)] == [cast.lan.pk, cast.son.pk]
    assert LinkLogPosition.objects.get(path=str(link_log)).recorded == 2


def test_batches_of_a_run_each_commit_their_position(cast, doc, link_log):
    sha = doc.current_file_id
    write(link_log, *(line(cast.lan.pk, doc.pk, sha, request_id=f"{i:032x}", msec=SERVED_AT + i) for i in range(7)))
    outcome = run(link_log, batch=3)
    assert outcome.recorded == 7
    assert len(downloads(doc)) == 7
    assert log.verify_chain(f"u{doc.unit_id}").ok


def test_a_crash_in_the_middle_of_a_batch_commits_nothing_and_the_next_run_records_every_line_once(
        cast, doc, link_log, monkeypatch):
    sha = doc.current_file_id
    write(link_log, *(line(cast.lan.pk, doc.pk, sha, request_id=f"{i:032x}", msec=SERVED_AT + i) for i in range(5)))

    def crash(*args, **kwargs):  # after the batch's reads were appended, before the position moves
        assert len(downloads(doc)) == 5
        raise RuntimeError("worker killed")

    monkeypatch.setattr(link_reads, "_advance", crash)
    with pytest.raises(RuntimeError):
        run(link_log)
    assert downloads(doc) == []
    assert not LinkLogPosition.objects.filter(path=str(link_log), offset__gt=0).exists()
    monkeypatch.undo()
    assert run(link_log).recorded == 5
    assert run(link_log).recorded == 0
    assert sorted(e.data["request_id"] for e in downloads(doc)) == [f"{i:032x}" for i in range(5)]
    assert log.verify_chain(f"u{doc.unit_id}").ok


def test_a_partial_last_line_waits_for_the_next_run(cast, doc, link_log):
    sha = doc.current_file_id
    whole = line(cast.lan.pk, doc.pk, sha, request_id="e5" * 16)
    second = line(cast.son.pk, doc.pk, sha, request_id="f6" * 16)
    write(link_log, whole, second[:30])
    outcome = run(link_log)
    assert (outcome.recorded, outcome.position) == (1, len(whole))
    write(link_log, second[30:])
    assert run(link_log).recorded == 1
    assert [e.actor_id for e in downloads(doc)] == [cast.lan.pk, cast.son.pk]


def test_a_rotated_log_finishes_the_old_files_tail_then_reads_the_new_one_from_its_start(cast, doc, link_log):
    sha = doc.current_file_id
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="11" * 16))
    assert run(link_log).recorded == 1
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="22" * 16))  # written after the run, before rotation
    os.rename(link_log, link_log.with_name("links.log.1"))  # logrotate, then nginx reopens its log
    write(link_log, line(cast.son.pk, doc.pk, sha, request_id="33" * 16))
    outcome = run(link_log)
    assert (outcome.recorded, outcome.rotated, outcome.position) == (2, True, link_log.stat().st_size)
    assert [e.data["request_id"] for e in downloads(doc)] == ["11" * 16, "22" * 16, "33" * 16]
    assert run(link_log).recorded == 0


def test_a_rotated_log_whose_old_file_is_gone_is_read_from_its_start(cast, doc, link_log):
    sha = doc.current_file_id
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="44" * 16))
    assert run(link_log).recorded == 1
    link_log.unlink()  # rotated and compressed
    write(link_log, line(cast.son.pk, doc.pk, sha, request_id="55" * 16))
    outcome = run(link_log)
    assert (outcome.recorded, outcome.rotated) == (1, True)


def test_a_log_rewritten_in_place_is_read_from_its_start_and_request_ids_keep_lines_once(cast, doc, link_log):
    sha = doc.current_file_id
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="66" * 16),
          line(cast.lan.pk, doc.pk, sha, request_id="77" * 16))
    assert run(link_log).recorded == 2
    size = link_log.stat().st_size
    write(link_log, line(cast.lan.pk, doc.pk, sha, request_id="88" * 16),
          line(cast.lan.pk, doc.pk, sha, request_id="99" * 16), mode="w")  # truncated, then as long again
    assert link_log.stat().st_size == size
    outcome = run(link_log)
    assert (outcome.recorded, outcome.rotated) == (2, True)  # its first line is another one
    write(link_log, line(cast.son.pk, doc.pk, sha, request_id="aa" * 16), mode="w")  # shorter than the position
    assert run(link_log).recorded == 1
    LinkLogPosition.objects.all().delete()  # a position lost: every line is seen again
    outcome = run(link_log)
    assert (outcome.recorded, outcome.skipped["duplicate"]) == (0, 1)
    assert sorted(e.data["request_id"] for e in downloads(doc)) == [c * 32 for c in "6789a"]


def test_lines_that_cannot_be_trusted_are_skipped_counted_and_logged_and_the_rest_recorded(
        cast, doc, link_log, caplog):
    sha = doc.current_file_id
    other_sha = "0" * 64
    write(link_log,
          "this is not a line of the links log\n",
          f"{SERVED_AT} 200 10 {'9' * 32} 10.1.2.3 /somewhere/else.pdf\n",
          line(999999, doc.pk, sha, request_id="91" * 16),
          line(cast.lan.pk, 999999, sha, request_id="92" * 16),
          line(cast.lan.pk, doc.pk, other_sha, request_id="93" * 16),
          line(cast.lan.pk, doc.pk, sha, request_id="94" * 16, status=403),
          line(cast.lan.pk, doc.pk, sha, request_id="95" * 16),
          line(cast.son.pk, doc.pk, sha, request_id="95" * 16))
    with caplog.at_level(logging.WARNING, logger="vanthu.documents.link_reads"):
        outcome = run(link_log)
    assert outcome.recorded == 1
    assert dict(outcome.skipped) == {"malformed_fields": 1, "malformed_uri": 1, "unknown_person": 1,
                                     "unknown_document": 1, "unknown_file": 1, "not_served": 1, "duplicate": 1}
    warned = caplog.text
    for reason in ("malformed_fields", "malformed_uri", "unknown_person", "unknown_document", "unknown_file",
                   "duplicate"):
        assert reason in warned
    assert [e.actor_id for e in downloads(doc)] == [cast.lan.pk]
    assert outcome.position == link_log.stat().st_size


def test_only_a_system_actor_records_them(cast, link_log):
    write(link_log, "")
    with pytest.raises(ActionRefused):
        link_reads.record_link_reads(acting=cast.admin, path=link_log, prefix=PREFIX)


def test_checklist_point_52_the_security_officer_sees_a_link_download_like_a_checked_one(
        client, cast, doc, link_log):
    sha = doc.current_file_id
    client.force_login(cast.lan.user)
    assert client.get(reverse("document_file", args=[doc.pk, sha]), REMOTE_ADDR="10.5.5.5").status_code == 200
    write(link_log, line(cast.son.pk, doc.pk, sha, request_id="ab" * 16, ip="10.6.6.6"))
    assert run(link_log).recorded == 1
    org_actions.grant_role(person=cast.hoa, unit=cast.staff, role=Role.SECURITY, acting=cast.admin)
    client.force_login(cast.hoa.user)
    page = client.get(reverse("reads_page") + f"?document={doc.pk}&verb={reads.DOWNLOADED}").content.decode()
    rows = [row for row in page.split("<tr>") if "10.5.5.5" in row or "10.6.6.6" in row]
    assert len(rows) == 2
    checked_row = next(r for r in rows if "10.5.5.5" in r)
    link_row = next(r for r in rows if "10.6.6.6" in r)
    assert cast.lan.full_name in checked_row
    assert "qua liên kết" not in checked_row
    assert cast.son.full_name in link_row
    assert "Tải tệp văn bản (qua liên kết tải trực tiếp)" in link_row
    assert log.verify_chain(f"u{doc.unit_id}").ok


def test_the_command_prints_what_it_did_and_fails_on_an_unreadable_log(cast, doc, link_log, settings, capsys):
    settings.FILES_LINK_LOG = link_log
    call_command("files", "record-reads", "--json")
    assert json.loads(capsys.readouterr().out)["present"] is False
    write(link_log, line(cast.lan.pk, doc.pk, doc.current_file_id, request_id="cd" * 16), "garbage\n")
    call_command("files", "record-reads", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert (printed["recorded"], printed["skipped"], printed["position"]) == (
        1, {"malformed_fields": 1}, link_log.stat().st_size)
    settings.FILES_LINK_LOG = link_log.parent  # a directory where the file should be
    with pytest.raises(SystemExit) as exit_code:
        call_command("files", "record-reads")
    assert exit_code.value.code == 1
    assert "Không đọc được nhật ký tải tệp qua liên kết" in capsys.readouterr().err


def test_the_job_does_nothing_while_links_are_off_and_records_them_when_on(cast, doc, link_log, settings):
    settings.FILES_LINK_LOG = link_log
    write(link_log, line(cast.lan.pk, doc.pk, doc.current_file_id, request_id="ef" * 16))
    settings.FILES_LINKS = False
    assert jobs.record_link_reads.call()["recorded"] == 0
    assert downloads(doc) == []
    settings.FILES_LINKS = True
    assert jobs.record_link_reads.call()["recorded"] == 1
    assert len(downloads(doc)) == 1
