"""Issue 13 item 4: checkpoints signed by the deployment's key and time-stamped, the export, and its offline
check (`vanthu audit verify FILE`: 0 intact, 1 tampered naming the event and the check, 2 unreadable)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from vanthu.audit import checkpoints, log
from vanthu.audit.models import AuditCheckpoint, AuditEvent
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.ops import actions, audit_trail, jobs, tamper
from vanthu.signing.testing import SIGNING_SECRET, equip

ACTOR = SystemActor("test fixtures")


@pytest.fixture
def keyed(cast, settings):
    settings.EXCHANGE_SEAL_SECRET = SIGNING_SECRET
    settings.TSA_URL = "builtin"
    equip(units=[("command", cast.command)], images=False)
    return cast


def _events(unit, n: int) -> None:
    for i in range(n):
        log.record(actor=ACTOR, verb="documents.document.viewed", target=("documents.document", str(i)), unit=unit,
                   data={"ip": f"10.0.0.{i}"})


def _export(tmp_path, cast, name="trail.zip") -> bytes:
    out = tmp_path / name
    call_command("audit", "export", "--unit", str(cast.staff.pk), "--from", "2000-01-01",
                 "--to", (dt.date.today() + dt.timedelta(days=1)).isoformat(), "--out", str(out))
    return out.read_bytes()


def _roots(tmp_path, raw: bytes):
    from vanthu.audit import trail

    path = tmp_path / "roots.pem"
    path.write_bytes(trail.members_roots(raw))
    return path


def _verify(path, roots) -> subprocess.CompletedProcess[str]:
    """The offline check as a person runs it: a fresh process, told of no database at all."""
    env = {"PATH": "/usr/bin:/bin", "VANTHU_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
           "VANTHU_DATA_DIR": str(path.parent), "HOME": str(path.parent)}
    return subprocess.run([sys.executable, "-m", "vanthu.cli", "audit", "verify", str(path), "--roots", str(roots),
                           "--json"], capture_output=True, text=True, env=env, check=False)


def test_checkpoint_is_signed_time_stamped_and_idempotent(keyed):
    _events(keyed.staff, 3)
    first = actions.make_checkpoints(acting=ACTOR, unit=keyed.staff)
    chain = f"u{keyed.staff.pk}"
    assert (chain, AuditEvent.objects.filter(chain=chain).count(), True) in first
    row = AuditCheckpoint.objects.get(chain=chain)
    check = audit_trail.checker(_trust())(row.statement.encode(), bytes(row.signature))
    assert check.intact
    assert check.trusted
    assert check.timestamp
    assert "Bộ Tư lệnh" in row.signer
    again = jobs.checkpoint_unit.call(keyed.staff.pk)
    assert again == 0
    assert AuditCheckpoint.objects.filter(chain=chain).count() == 1
    _events(keyed.staff, 1)
    assert jobs.checkpoint_unit.call(keyed.staff.pk) == 1
    assert AuditCheckpoint.objects.filter(chain=chain).count() == 2


def _trust():
    from vanthu.records.package.verify import load_roots
    from vanthu.signing import service

    roots, _ = service.trust_store_der()
    return [load_roots(r)[0] for r in roots]


def test_daily_job_checkpoints_every_grown_chain_once(keyed):
    _events(keyed.staff, 2)
    _events(keyed.division, 2)
    made = jobs.checkpoint_all.call()
    assert made == len(checkpoints.chains())
    assert jobs.checkpoint_all.call() == 0


def test_a_person_who_administers_nothing_cannot_checkpoint(keyed):
    with pytest.raises(ActionRefused):
        actions.make_checkpoints(acting=keyed.minh, unit=keyed.staff)
    with pytest.raises(ActionRefused):
        actions.request_checkpoint(acting=keyed.lan, unit=keyed.staff)


def test_without_a_key_the_checkpoint_is_refused_with_the_reason(cast, settings):
    settings.TSA_URL = ""
    _events(cast.staff, 1)
    with pytest.raises(ActionRefused) as refused:
        actions.make_checkpoints(acting=ACTOR, unit=cast.staff)
    assert refused.value.code == "no_audit_key"
    assert not AuditCheckpoint.objects.exists()


def test_database_verify_detects_a_rewritten_chain_against_its_checkpoint(keyed, capsys):
    _events(keyed.staff, 3)
    actions.make_checkpoints(acting=ACTOR, unit=keyed.staff)
    chain = f"u{keyed.staff.pk}"
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk).update(hash="0" * 64)
    assert checkpoints.mismatches(chain) == [last.seq]


@pytest.mark.django_db(transaction=True)
def test_intact_export_verifies_offline_with_exit_0(keyed, tmp_path):
    _events(keyed.staff, 4)
    actions.make_checkpoints(acting=ACTOR, unit=keyed.staff)
    _events(keyed.staff, 3)  # after the last checkpoint: the export makes one of the head
    raw = _export(tmp_path, keyed)
    result = _verify(tmp_path / "trail.zip", _roots(tmp_path, raw))
    assert result.returncode == 0, result.stdout + result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["intact"]
    assert verdict["events"] >= 7
    assert len(verdict["checkpoints"]) >= 2
    assert all(c["valid"] and c["timestamp"] for c in verdict["checkpoints"])


@pytest.mark.django_db(transaction=True)
def test_garbage_file_is_unreadable_exit_2(keyed, tmp_path):
    _events(keyed.staff, 2)
    raw = _export(tmp_path, keyed)
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    result = _verify(garbage, _roots(tmp_path, raw))
    assert result.returncode == 2
    assert "ZIP" in result.stderr or "ZIP" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_tampered_export_exit_1_names_event_and_check(keyed, tmp_path):
    _events(keyed.staff, 6)
    raw = _export(tmp_path, keyed)
    edited = tamper.pack(tamper.edit(tamper.members(raw)))
    path = tmp_path / "edited.zip"
    path.write_bytes(edited)
    result = _verify(path, _roots(tmp_path, raw))
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    rows = [json.loads(line) for line in tamper.members(raw)["events.jsonl"].decode().splitlines()]
    seq = rows[len(rows) // 2]["seq"]
    assert {"check": "content", "seq": seq} in [{"check": p["check"], "seq": p["seq"]} for p in problems]


TABLE = [(case.name, case.expected) for case in tamper.CASES]


@pytest.mark.parametrize(("case", "expected"), TABLE)
def test_tampering_table(keyed, tmp_path, case, expected):
    """Each way of tampering is detected: exit 1, and the check that catches it is named."""
    _events(keyed.staff, 5)
    actions.make_checkpoints(acting=ACTOR, unit=keyed.staff)
    _events(keyed.staff, 5)
    raw = _export(tmp_path, keyed)
    found = {c.name: c for c in tamper.CASES}[case]
    check = audit_trail.checker(_trust())
    wrong = audit_trail.checker([tamper.stranger_root()])
    from vanthu.audit import trail

    assert trail.verify(raw, check=check).exit_code == 0
    verdict = trail.verify(tamper.pack(found.change(tamper.members(raw))), check=wrong if found.wrong_roots else check)
    assert verdict.exit_code == 1
    assert expected in [p.check for p in verdict.problems], [p.as_dict() for p in verdict.problems]


def test_tamper_drill_prints_the_figures(keyed, capsys):
    _events(keyed.staff, 5)
    actions.make_checkpoints(acting=ACTOR, unit=keyed.staff)
    _events(keyed.staff, 5)
    call_command("audit", "tamper-drill", "--unit", str(keyed.staff.pk))
    out = capsys.readouterr().out
    assert f"tampering cases detected: {len(tamper.CASES)} out of {len(tamper.CASES)} tried" in out


def test_the_administrator_asks_for_a_checkpoint_on_the_page_and_the_job_signs_it(
        keyed, client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    _events(keyed.staff, 2)
    client.force_login(keyed.admin.user)
    page = client.get(reverse("jobs:checkpoints"))
    assert page.status_code == 200
    assert keyed.staff.name in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("jobs:checkpoint_now", args=[keyed.staff.pk]))
    assert answer.status_code == 302
    chain = f"u{keyed.staff.pk}"
    assert AuditEvent.objects.filter(chain=chain, verb="audit.checkpoint.requested").exists()
    mark = AuditCheckpoint.objects.get(chain=chain)  # the job ran on commit (the immediate backend in tests)
    assert mark.seq == AuditEvent.objects.filter(chain=chain).count()
    assert "Bộ Tư lệnh" in client.get(reverse("jobs:checkpoints")).content.decode()
    client.force_login(keyed.lan.user)
    assert client.get(reverse("jobs:checkpoints")).status_code == 404
    assert client.post(reverse("jobs:checkpoint_now", args=[keyed.staff.pk])).status_code == 404
