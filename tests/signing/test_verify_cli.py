"""`vanthu verify FILE.pdf [--trust ROOTS.pem] [--json]`: exit 0 valid, 1 invalid, 2 unreadable or unsigned;
the JSON shape; works on any PDF, with only the given roots and no database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import pem
from django.core.management import call_command

from tests.signing import pdf_checks
from tests.signing.pdf_checks import DATE, NUMBER, SON_BLOCK, flip_byte_inside_signed_range
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import pades
from vanthu.signing.bench import make_pki

equipped_cast = pdf_checks.lean_equipped_cast

VANTHU = str(Path(sys.executable).with_name("vanthu"))
JSON_KEYS = {"signer", "intact", "trusted", "revoked", "timestamp", "modified_after", "level"}


@pytest.fixture(scope="module")
def chain():
    return make_pki("rsa")


@pytest.fixture(scope="module")
def issued(chain) -> bytes:
    from vanthu.demo.pdfs import sample_draft

    found = pades.Services(level="B-B")
    signed = pades.sign_personal_with(sample_draft(), credential=chain.person, block=SON_BLOCK, found_services=found)
    return pades.seal_issued_with(signed, credential=chain.unit, number_text=NUMBER, date_text=DATE,
                                  found_services=found, trust_roots=[chain.root])


def _roots_file(folder: Path, chain) -> Path:
    path = folder / "roots.pem"
    path.write_bytes(pem.armor("CERTIFICATE", chain.root.dump()))
    return path


def verify(folder: Path, pdf: bytes | None, *args: str) -> subprocess.CompletedProcess[str]:
    target = folder / "van-ban.pdf"
    if pdf is not None:
        target.write_bytes(pdf)
    return subprocess.run([VANTHU, "verify", str(target), *args], capture_output=True, text=True, timeout=120)


def test_valid_document_exits_0_with_the_json_shape(tmp_path, chain, issued):
    done = verify(tmp_path, issued, "--trust", str(_roots_file(tmp_path, chain)), "--json", "--offline")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {"valid", "signatures"}
    assert report["valid"] is True
    assert len(report["signatures"]) == 2
    for signature in report["signatures"]:
        assert set(signature) == JSON_KEYS
        assert signature["intact"]
        assert signature["trusted"]
        assert not signature["revoked"]
        assert signature["level"] == "B-B"
        assert signature["timestamp"] is None
    assert [s["modified_after"] for s in report["signatures"]] == ["form_filling", "none"]
    assert report["signatures"][0]["signer"] == "Hoàng Văn Sơn"


def test_human_readable_output_is_vietnamese(tmp_path, chain, issued):
    done = verify(tmp_path, issued, "--trust", str(_roots_file(tmp_path, chain)), "--offline")
    assert done.returncode == 0
    assert "HỢP LỆ" in done.stdout
    assert "mọi chữ ký đều hợp lệ" in done.stdout


def test_tampered_document_exits_1(tmp_path, chain, issued):
    done = verify(tmp_path, flip_byte_inside_signed_range(issued), "--trust", str(_roots_file(tmp_path, chain)),
                  "--json", "--offline")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["valid"] is False
    assert not report["signatures"][0]["intact"]


def test_untrusted_root_exits_1(tmp_path, chain, issued):
    other = make_pki("ecdsa")
    done = verify(tmp_path, issued, "--trust", str(_roots_file(tmp_path, other)), "--json", "--offline")
    assert done.returncode == 1
    assert all(not s["trusted"] for s in json.loads(done.stdout)["signatures"])


def test_unsigned_pdf_exits_2(tmp_path, chain, draft_pdf):
    done = verify(tmp_path, draft_pdf, "--trust", str(_roots_file(tmp_path, chain)), "--json", "--offline")
    assert done.returncode == 2
    assert json.loads(done.stdout) == {"valid": False, "signatures": []}
    assert "không có chữ ký số" in done.stderr


@pytest.mark.parametrize("data", [b"khong phai pdf", b"%PDF-1.7\n%%EOF\n"])
def test_unreadable_file_exits_2(tmp_path, chain, data):
    done = verify(tmp_path, data, "--trust", str(_roots_file(tmp_path, chain)), "--offline")
    assert done.returncode == 2


def test_missing_file_exits_2(tmp_path):
    done = verify(tmp_path, None, "--offline")
    assert done.returncode == 2
    assert "Không đọc được tệp" in done.stderr


@pytest.mark.django_db
def test_without_trust_it_uses_the_deployments_trust_store(equipped_cast, draft_pdf, tmp_path, capsys):
    from vanthu.signing import service
    from vanthu.signing.testing import SIGNING_SECRET

    signed = service.sign_personal(pdf=draft_pdf, person=equipped_cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    target = tmp_path / "da-ky.pdf"
    target.write_bytes(signed)
    with pytest.raises(SystemExit) as exited:
        call_command("verify", str(target), "--json", "--offline")
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["signatures"][0]["trusted"] is True


def test_revoked_signer_found_through_the_crl_exits_1(live_pki, draft_pdf, tmp_path):
    """A PDF from vanthu checked like any PDF: only the root given, revocation fetched from the CRL/OCSP URLs
    printed in the certificates (vanthu's responders on 127.0.0.1)."""
    from vanthu.signing import backends, service, trust
    from vanthu.signing.actions import revoke_certificate
    from vanthu.signing.testing import SIGNING_SECRET

    signed = service.sign_personal(pdf=draft_pdf, person=live_pki.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    revoke_certificate(certificate=backends.credential_of(live_pki.son).certificate, reason="keyCompromise",
                       acting=TEST_FIXTURES)
    roots = tmp_path / "roots.pem"
    roots.write_bytes(b"".join(pem.armor("CERTIFICATE", c.dump()) for c in trust.trust_roots()))
    done = verify(tmp_path, signed, "--trust", str(roots), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    assert json.loads(done.stdout)["signatures"][0]["revoked"] is True
