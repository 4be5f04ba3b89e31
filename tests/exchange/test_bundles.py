"""Two deployments with no network between them (each its own process and SQLite database, driven only through
the CLI; no server runs): Military Region 10 (*.Q10) and Military Region 11 (*.Q11) carry signed bundles.
The Staff of MR10 issues to Division 301 of MR11; the bundle is carried to MR11 and imported (twice: one
document); MR11's clerk registers it; the bundle back carries the signed 01 and 03 to MR10's trail."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests import dbtemplate
from vanthu.demo.peers import Deployment


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    dbtemplate.copy_sqlite_to(folder)  # the migrated template of this code (tests/dbtemplate.py)
    return folder


def _link(here: Deployment, there: Deployment) -> None:
    identity = json.loads(there.cli("peers", "self", "--json"))
    pem = here.data_dir / f"{there.name}.pem"
    pem.write_text(identity["trust_roots"], encoding="ascii")
    here.cli("peers", "add", there.name, "--organ", f"*.{there.suffix}", "--transport", "bundle",
             "--trust-roots", str(pem))


@pytest.fixture(scope="module")
def pair(tmp_path_factory, migrated):
    root = tmp_path_factory.mktemp("bundles")
    a = Deployment(name="qk10", data_dir=root / "qk10", suffix="Q10", template=migrated)
    b = Deployment(name="qk11", data_dir=root / "qk11", suffix="Q11", template=migrated)
    a.call("setup", suffix="Q10")
    b.call("setup", suffix="Q11")
    _link(a, b)
    _link(b, a)
    return a, b


def run(deployment: Deployment, *args: str) -> tuple[int, dict, str]:
    import subprocess

    from vanthu.demo.peers import ROOT, VANTHU

    done = subprocess.run([VANTHU, *args, "--json"], env=deployment.env, cwd=ROOT, capture_output=True, timeout=600)
    out = done.stdout.decode()
    return done.returncode, (json.loads(out) if out.strip() else {}), done.stderr.decode()


def test_carried_round_trip(pair, tmp_path):
    a, b = pair
    a.call("issue", to=["000.00.10.Q11"], subject="Kế hoạch mang tay")
    a.cli("outbox", "deliver")  # the bundle transport leaves it waiting to be carried
    assert a.call("state")["outbox"] == ["waiting"]

    outbound = tmp_path / "qk10-to-qk11.zip"
    code, exported, _err = run(a, "exchange", "bundle", "export", "--peer", "qk11", str(outbound))
    assert code == 0
    assert exported["documents"] == 1
    assert exported["statuses"] == 0
    assert a.call("state")["outbox"] == ["waiting"]  # not delivered until the peer answers

    code, imported, err = run(b, "exchange", "bundle", "import", str(outbound))
    assert code == 0, err
    assert (imported["accepted"], imported["duplicate"], imported["refused"]) == (1, 0, [])
    assert b.call("state")["incoming"] == ["Kế hoạch mang tay 1"]

    code, again, _err = run(b, "exchange", "bundle", "import", str(outbound))
    assert code == 0
    assert (again["accepted"], again["duplicate"]) == (0, 1)
    assert b.call("state")["incoming"] == ["Kế hoạch mang tay 1"]

    # exporting again re-includes the unacknowledged document; its receipt is idempotent
    second = tmp_path / "qk10-to-qk11-again.zip"
    code, exported, _err = run(a, "exchange", "bundle", "export", "--peer", "000.00.10.Q11", str(second))
    assert code == 0
    assert exported["documents"] == 1
    code, imported, _err = run(b, "exchange", "bundle", "import", str(second))
    assert code == 0
    assert imported["accepted"] + imported["duplicate"] == 1
    assert b.call("state")["incoming"] == ["Kế hoạch mang tay 1"]

    assert b.call("register_all") == 1
    b.cli("outbox", "deliver")
    back = tmp_path / "qk11-to-qk10.zip"
    code, exported, _err = run(b, "exchange", "bundle", "export", "--peer", "qk10", str(back))
    assert code == 0
    assert exported["documents"] == 0
    assert exported["statuses"] >= 2
    assert "waiting" not in b.call("state")["outbox"]

    code, imported, err = run(a, "exchange", "bundle", "import", str(back))
    assert code == 0, err
    assert imported["refused"] == []
    assert imported["accepted"] == exported["statuses"]
    assert imported["acknowledged"] >= 1
    here = a.call("state")
    assert here["recipients"] == ["accepted"], here
    assert here["outbox"] == ["delivered"]
    codes = {e.split(":")[1] for e in here["evidence"] if e.startswith("status:") and ":accepted:" in e}
    assert {"01", "03"} <= codes

    # nothing waits any more for qk11: an empty bundle
    code, exported, _err = run(a, "exchange", "bundle", "export", "--peer", "qk11", str(tmp_path / "empty.zip"))
    assert code == 0
    assert (exported["documents"], exported["statuses"]) == (0, 0)


def test_a_refused_document_is_answered_by_02_in_the_bundle_back(pair, tmp_path):
    """MR10 sends to an organ id MR11 has no unit for: MR11's import refuses it, its next bundle back carries the
    signed 02 once, and MR10's import marks the message refused with MR11's reason (as an HTTP 422 would)."""
    a, b = pair
    a.call("issue", to=["000.00.99.Q11"], subject="Gửi nhầm nơi nhận")
    a.cli("outbox", "deliver")
    outbound = tmp_path / "to-nobody.zip"
    code, exported, _err = run(a, "exchange", "bundle", "export", "--peer", "qk11", str(outbound))
    assert code == 0
    assert exported["documents"] >= 1
    code, imported, err = run(b, "exchange", "bundle", "import", str(outbound))
    assert code == 1, err  # some envelope refused (documented exit code)
    assert [r["code"] for r in imported["refused"]] == ["not_for_us"]
    assert "Gửi nhầm nơi nhận 1" not in b.call("state")["incoming"]

    back = tmp_path / "02-back.zip"
    code, exported, _err = run(b, "exchange", "bundle", "export", "--peer", "qk10", str(back))
    assert code == 0
    assert exported["statuses"] == 1
    assert exported["documents"] == 0
    code, again, _err = run(b, "exchange", "bundle", "export", "--peer", "qk10", str(tmp_path / "02-again.zip"))
    assert code == 0
    assert again["statuses"] == 0  # answered once

    code, imported, err = run(a, "exchange", "bundle", "import", str(back))
    assert code == 0, err
    assert imported["refused"] == []
    assert imported["acknowledged"] == 1
    here = a.call("state")
    assert "failed" in here["outbox"]
    assert here["failures"] == ["Không có nơi nhận nào của gói tin thuộc hệ thống này."]  # MR11's own reason
    assert any(e.startswith("status:02:accepted:") for e in here["evidence"]), here["evidence"]
    code, exported, _err = run(a, "exchange", "bundle", "export", "--peer", "qk11", str(tmp_path / "after.zip"))
    assert code == 0
    assert exported["documents"] == 0  # the refused document is not carried again


def _rewrite(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    target.write_bytes(buffer.getvalue())


def test_tampered_bundle_is_refused_whole(pair, tmp_path):
    a, b = pair
    a.call("issue", to=["000.00.10.Q11"], subject="Chỉ thị niêm phong")
    a.cli("outbox", "deliver")
    good = tmp_path / "good.zip"
    code, _exported, _err = run(a, "exchange", "bundle", "export", "--peer", "qk11", str(good))
    assert code == 0
    before = b.call("state")["incoming"]

    def flip_envelope(members):
        name = next(n for n in members if n.startswith("envelopes/"))
        data = bytearray(members[name])
        data[len(data) // 2] ^= 1
        members[name] = bytes(data)

    def edit_manifest(members):
        members["manifest.json"] = members["manifest.json"].replace(b'"qk11"', b'"qk12"')

    for label, change, expected in (("envelope", flip_envelope, "SHA-256"),
                                    ("manifest", edit_manifest, "signature")):
        tampered = tmp_path / f"tampered-{label}.zip"
        _rewrite(good, tampered, change)
        code, out, err = run(b, "exchange", "bundle", "import", str(tampered))
        assert code == 1
        assert out == {}
        assert "Gói lưu chuyển không hợp lệ" in err, err
        assert expected in err, err
    assert b.call("state")["incoming"] == before



def test_bundle_from_an_unknown_deployment_is_refused(pair, migrated, tmp_path):
    """MR12 knows MR11 as a bundle peer; MR11 never added MR12: its bundle is refused, nothing imported."""
    _a, b = pair
    c = Deployment(name="qk12", data_dir=tmp_path / "qk12", suffix="Q12", template=migrated)
    c.call("setup", suffix="Q12")
    _link(c, b)
    c.call("issue", to=["000.00.10.Q11"], subject="Văn bản lạ")
    stranger = tmp_path / "qk12-to-qk11.zip"
    code, exported, _err = run(c, "exchange", "bundle", "export", "--peer", "qk11", str(stranger))
    assert code == 0
    assert exported["documents"] == 1
    before = b.call("state")["incoming"]
    code, out, err = run(b, "exchange", "bundle", "import", str(stranger))
    assert code == 1
    assert out == {}
    assert ".Q12" in err, err
    assert "không có trong danh bạ liên thông" in err
    assert b.call("state")["incoming"] == before


# --- the adapter alone (bytes in, bytes out) ------------------------------------------------------------------


def _adapter_bundle(staff_key) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.serialization import Encoding

    from vanthu.exchange.transports import bundle

    def sign(data: bytes) -> bytes:
        return staff_key.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    items = [bundle.Item(data=b"<edXMLEnvelope>12/KH-TM</edXMLEnvelope>", key="k1", kind="document",
                         created="2026-11-20T09:30:00+07:00"),
             bundle.Item(data=b"<edXMLStatus>03</edXMLStatus>", key="k2", kind="status",
                         created="2026-11-20T10:05:00+07:00")]
    return bundle.write(items=items, sender={"organ_id": "000.00.02.Q10", "name": "Bộ Tham mưu"}, to="qk11",
                        created="2026-11-20T11:00:00+07:00", sign=sign,
                        certificate_der=staff_key.certificate.public_bytes(Encoding.DER))


def test_adapter_reads_what_it_wrote(staff_key):
    from vanthu.exchange.transports import bundle

    opened = bundle.read(_adapter_bundle(staff_key), max_bytes=10_000_000)
    assert opened.manifest["from"]["organ_id"] == "000.00.02.Q10"
    assert [(e["kind"], e["key"]) for e, _body in opened.envelopes] == [("document", "k1"), ("status", "k2")]
    assert opened.envelopes[1][1] == b"<edXMLStatus>03</edXMLStatus>"
    assert opened.certificate == staff_key.certificate


@pytest.mark.parametrize(("member", "code"), [("envelopes/0002-status.xml", "hash_mismatch"),
                                              ("manifest.json", "bad_signature")])
def test_adapter_refuses_one_changed_byte(staff_key, tmp_path, member, code):
    from vanthu.exchange.transports import bundle

    source = tmp_path / "good.zip"
    source.write_bytes(_adapter_bundle(staff_key))

    def flip(members):
        data = bytearray(members[member])
        data[len(data) // 2] ^= 1
        members[member] = bytes(data)

    _rewrite(source, tmp_path / "bad.zip", flip)
    with pytest.raises(bundle.BundleRefused) as refused:
        bundle.read((tmp_path / "bad.zip").read_bytes(), max_bytes=10_000_000)
    assert refused.value.code == code
