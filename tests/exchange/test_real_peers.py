"""Two vanthu deployments, each its own process and SQLite database, exchanging over HTTP on loopback:
Military Region 10 (organ ids *.Q10) and Military Region 11 (*.Q11). The Staff of MR10 issues to Division 301 of
MR11; MR11's clerk registers it; the signed 03 comes back and is applied on MR10."""

from __future__ import annotations

import pytest

from tests.exchange.deployment import Deployment, connect, template


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    return template(tmp_path_factory.mktemp("template"))


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
