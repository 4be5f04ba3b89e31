"""Two vanthu deployments, each its own process and SQLite database, exchanging over HTTP on loopback:
Military Region 10 (organ ids *.Q10) and Military Region 11 (*.Q11). The Staff of MR10 issues to Division 301 of
MR11; MR11's clerk registers it; the signed 03 comes back and is applied on MR10."""

from __future__ import annotations

import json

import pytest

from tests import dbtemplate
from vanthu.demo.peers import Deployment, connect


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    dbtemplate.copy_sqlite_to(folder)  # the migrated template of this code (tests/dbtemplate.py)
    return folder


@pytest.fixture(scope="module")
def pair(tmp_path_factory, migrated):
    root = tmp_path_factory.mktemp("peers")
    a = Deployment(name="qk10", data_dir=root / "qk10", suffix="Q10", template=migrated)
    b = Deployment(name="qk11", data_dir=root / "qk11", suffix="Q11", template=migrated)
    a.call("setup", suffix="Q10")
    b.call("setup", suffix="Q11")
    connect(a, b)
    a.start()
    b.start()
    yield a, b
    a.kill()
    b.kill()


def test_round_trip_document_registered_and_status_back(pair):
    a, b = pair
    a.call("issue", to=["000.00.10.Q11"], subject="Kế hoạch liên thông")
    a.cli("outbox", "deliver")
    there = b.call("state")
    assert there["incoming"] == ["Kế hoạch liên thông 1"]
    assert there["incoming_status"] == ["received"]
    assert a.call("state")["recipients"] == ["received"]

    assert b.call("register_all") == 1
    b.cli("outbox", "deliver")
    here = a.call("state")
    there = b.call("state")
    assert here["recipients"] == ["accepted"], (here["evidence"], here["failures"], there["outbox"], there["failures"])
    assert set(b.call("state")["outbox"]) == {"delivered"}


def test_fault_every_document_once_and_every_status_back_while_peers_are_killed(pair):
    """A short fault run (`vanthu bench exchange --fault --documents 1000` is the long one)."""
    from vanthu.demo.peers import fault_run

    a, b = pair
    before = len(b.call("state")["incoming"])
    result = fault_run(a, b, documents=12, seed=8)
    receiver, sender = result["receiver"], result["sender"]
    subjects = [s for s in receiver["incoming"] if s.startswith("Điện khẩn")]
    assert sorted(subjects) == sorted(f"Điện khẩn {i}" for i in range(1, 13))  # each exactly once
    assert len(receiver["incoming"]) == before + 12
    assert set(sender["recipients"]) == {"accepted"}
    assert "failed" not in sender["outbox"]
    assert "failed" not in receiver["outbox"]
    assert result["kills_of_receiver"] + result["kills_of_sender"] > 0


def test_agencies_synchronised_from_the_other_deployment_acting_as_hub(pair, tmp_path):
    """Checklist points 47 and 48 (decision 0034): MR11 reads the list of MR10, acting as the internal military
    hub, over loopback with a signed GET and applies it; the second time nothing changes."""
    a, b = pair
    listing = tmp_path / "hub.json"
    listing.write_text('[{"code": "G01", "code102": "000.00.00.G01", "name": "Bộ Quốc phòng", "status": 1}]',
                       encoding="utf-8")
    a.cli("agencies", "sync", "--from", str(listing))
    first = json.loads(b.cli("agencies", "sync", "--peer", "qk10", "--json"))
    assert first["added"] >= 2  # MR10's units with organ ids, and its directory
    assert first["own_units"] == 0
    again = json.loads(b.cli("agencies", "sync", "--peer", "qk10", "--json"))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, first["added"])
    assert "Bộ Quốc phòng\t\t000.00.00.G01\tG01" in b.cli("agencies", "list").splitlines()


def test_stream_every_document_registered_once_and_every_03_back(pair, tmp_path):
    """The stream measurement of `vanthu bench exchange` (decision 0041), short: the sender's deliverer (two
    workers, batches of two: two batches in flight at once), the receiver's clerk and its deliverer run at the
    same time; first all at once, then at a steady rate. Every document arrives once and is registered, every
    03 comes back, and each document has its release→registered time."""
    from vanthu.demo.bench_exchange import _stream_once

    a, b = pair
    before = b.call("state")["incoming"]
    a.call("issue", to=["000.00.10.Q11"], count=6, subject="Điện luồng")
    assert a.finish(a.spawn("hold")) == 6
    closed = _stream_once(a, b, documents=4, rate=0.0, workers=2, gate=tmp_path / "closed",
                          env={"VANTHU_EXCHANGE_BATCH": "2"})
    steady = _stream_once(a, b, documents=2, rate=20.0, workers=2, gate=tmp_path / "steady")
    for run, count in ((closed, 4), (steady, 2)):
        assert (run["registered"], run["statuses_back"]) == (count, count)
        assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["max_ms"]
        assert run["docs_per_s"] > 0
        assert len(run["reference_ms"]) == 2  # the machine's speed, before and after
        assert min(run["reference_ms"]) > 0
    there, here = b.call("state"), a.call("state")
    arrived = [s for s in there["incoming"] if s not in before]
    assert sorted(arrived) == sorted(f"Điện luồng {i}" for i in range(1, 7))  # each exactly once
    assert "received" not in there["incoming_status"]  # all registered
    assert set(here["recipients"]) == {"accepted"}  # every 03 applied at the sender
    assert "failed" not in here["outbox"]
    assert "failed" not in there["outbox"]
