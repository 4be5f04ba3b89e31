"""`vanthu verify FILE.pdf [--trust ROOTS.pem] [--crl FILE]... [--offline] [--json]`: exit 0 valid, 1 invalid,
2 unreadable or unsigned; the verdict alone on stdout (the JSON shape), messages on stderr and nothing from the
libraries; revocation from given CRLs; works on any PDF, with only the given roots and no database."""

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
from vanthu.signing import pades, pades_engine
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

    found = pades_engine.Services(level="B-B")
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
    assert done.stderr == ""
    report = json.loads(done.stdout)  # the whole of stdout is the one JSON object
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
    assert done.stdout.splitlines()[-1] == "Kết luận: mọi chữ ký đều hợp lệ"
    assert done.stderr == ""


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


def test_unsigned_pdf_human_verdict_on_stdout_reason_on_stderr(tmp_path, chain, draft_pdf):
    done = verify(tmp_path, draft_pdf, "--trust", str(_roots_file(tmp_path, chain)), "--offline")
    assert done.returncode == 2
    assert done.stdout == "Kết luận: tệp không có chữ ký số\n"
    assert done.stderr == "Tệp PDF không có chữ ký số.\n"


@pytest.mark.parametrize("data", [b"khong phai pdf", b"%PDF-1.7\n%%EOF\n"])
def test_unreadable_file_exits_2(tmp_path, chain, data):
    done = verify(tmp_path, data, "--trust", str(_roots_file(tmp_path, chain)), "--offline")
    assert done.returncode == 2


def test_missing_file_exits_2(tmp_path):
    done = verify(tmp_path, None, "--offline", "--json")
    assert done.returncode == 2
    assert "Không đọc được tệp" in done.stderr
    assert json.loads(done.stdout) == {"valid": False, "signatures": []}


def test_a_file_that_is_not_a_crl_exits_2(tmp_path, chain, issued):
    bad = tmp_path / "rong.crl"
    bad.write_bytes(b"not a revocation list")
    done = verify(tmp_path, issued, "--trust", str(_roots_file(tmp_path, chain)), "--crl", str(bad), "--offline")
    assert done.returncode == 2
    assert "Không đọc được tệp CRL" in done.stderr
    assert done.stdout == "Kết luận: không đọc được tệp, không kiểm tra được chữ ký\n"


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
    assert done.stderr == ""  # the fetches went through one HTTP session, closed; no library log line


def _signed_by_son_with_roots(cast, draft_pdf, tmp_path) -> tuple[Path, Path]:
    from vanthu.signing import service, trust
    from vanthu.signing.testing import SIGNING_SECRET

    signed = service.sign_personal(pdf=draft_pdf, person=cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    target = tmp_path / "da-ky.pdf"
    target.write_bytes(signed)
    roots = tmp_path / "roots.pem"
    roots.write_bytes(b"".join(pem.armor("CERTIFICATE", c.dump()) for c in trust.trust_roots()))
    return target, roots


def _run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        call_command("verify", *args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.mark.django_db
def test_revocation_from_given_crl_files_offline(equipped_cast, draft_pdf, tmp_path, capsys):
    """Checklist point 20.
    `--offline --crl FILE`: the revocation list given by the user decides, nothing is fetched. Without the
    list the same offline check cannot know of the revocation (soft-fail); with it, the signature is revoked.
    PEM and DER lists are both read, and several may be given."""
    from vanthu.signing import backends, pki
    from vanthu.signing.actions import revoke_certificate
    from vanthu.signing.models import CertificateAuthority

    target, roots = _signed_by_son_with_roots(equipped_cast, draft_pdf, tmp_path)
    revoke_certificate(certificate=backends.credential_of(equipped_cast.son).certificate, reason="keyCompromise",
                       acting=TEST_FIXTURES)
    der_crl = tmp_path / "issuing.crl"
    der_crl.write_bytes(pki.crl_der(CertificateAuthority.objects.get(slug="issuing")))
    pem_crl = tmp_path / "root.pem"
    pem_crl.write_bytes(pem.armor("X509 CRL", pki.crl_der(CertificateAuthority.objects.get(slug="root"))))

    code, out, err = _run(capsys, str(target), "--trust", str(roots), "--offline", "--json")
    assert (code, json.loads(out)["signatures"][0]["revoked"], err) == (0, False, "")

    code, out, err = _run(capsys, str(target), "--trust", str(roots), "--offline", "--json",
                          "--crl", str(pem_crl), "--crl", str(der_crl))
    assert code == 1, out + err
    assert json.loads(out)["signatures"][0]["revoked"] is True
    assert err == ""


def test_unreachable_responders_leave_no_log_lines_or_unclosed_sessions(cast, settings, draft_pdf, tmp_path):
    """Fetching revocation data from responders that refuse the connection: the verdict on stdout (revocation
    not checked: soft-fail), and stderr empty — no pyHanko/aiohttp log line, no "Unclosed client session"."""
    import socket

    from vanthu.signing.testing import equip_cast

    with socket.socket() as probe:  # a port nobody listens on: connections are refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.PUBLIC_URL = f"http://127.0.0.1:{port}"
    equip_cast(cast, people=("son",), units=())
    target, roots = _signed_by_son_with_roots(cast, draft_pdf, tmp_path)
    for extra in ((), ("--json",)):
        done = subprocess.run([VANTHU, "verify", str(target), "--trust", str(roots), *extra], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stderr == ""
    assert json.loads(done.stdout)["signatures"][0]["trusted"] is True
