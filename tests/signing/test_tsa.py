"""The built-in RFC 3161 timestamp authority: served over HTTP, verified by openssl and pyHanko; the client
side chosen by settings.TSA_URL."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import urllib.request

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

from vanthu.signing import backends, pki, trust, tsa, tsa_stamper
from vanthu.signing.models import CertificateAuthority, TimestampAuthority
from vanthu.signing.service import SigningRefused
from vanthu.signing.testing import SIGNING_SECRET, ensure_ca, equip_cast, tsa_client

from .helpers import sign, status_of


def _tst_status(token, digest: bytes) -> dict:
    return asyncio.run(validate_tst_signed_data(
        token["content"], trust.validation_context(allow_fetching=False), lambda _algo: digest))


def test_tsa_certificate_is_for_timestamping_only(equipped_cast):
    cert = pki.load(TimestampAuthority.objects.get().certificate_der)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature


def test_http_tsa_token_verifies_with_openssl(live_pki, tmp_path):
    """Checklist point 21."""
    data = tmp_path / "van-ban.pdf"
    data.write_bytes(b"%PDF-1.7 a document to time-stamp")
    query = tmp_path / "request.tsq"
    subprocess.run(["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)],
                   check=True, capture_output=True)
    request = urllib.request.Request(f"{live_pki.live_url}/pki/tsa", data=query.read_bytes(),  # noqa: S310
                                     headers={"Content-Type": "application/timestamp-query",
                                              "Authorization": f"Bearer {live_pki.tsa_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our live server
        assert response.headers["Content-Type"] == "application/timestamp-reply"
        (tmp_path / "reply.tsr").write_bytes(response.read())
    root = tmp_path / "root.pem"
    root.write_text(pki.pem(pki.load(CertificateAuthority.objects.get(slug="root").certificate_der)))
    issuing = tmp_path / "issuing.pem"
    issuing.write_text(pki.pem(pki.load(CertificateAuthority.objects.get(slug="issuing").certificate_der)))
    verified = subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(data), "-in", str(tmp_path / "reply.tsr"), "-CAfile", str(root),
         "-untrusted", str(issuing)], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    assert "Verification: OK" in verified.stdout


def test_pyhanko_http_timestamper_gets_a_valid_token(live_pki, settings):
    settings.TSA_URL = f"{live_pki.live_url}/pki/tsa"
    stamper = tsa_stamper.timestamper()
    assert isinstance(stamper, HTTPTimeStamper)
    digest = hashlib.sha256(b"signature value").digest()
    token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    status = _tst_status(token, digest)
    assert status["intact"]
    assert status["valid"]
    assert status["trust_problem_indic"] is None


def test_builtin_timestamper_works_in_process(equipped_cast, settings):
    settings.TSA_URL = "builtin"
    stamper = tsa_stamper.timestamper()
    assert isinstance(stamper, tsa_stamper.BuiltinTimeStamper)
    digest = hashlib.sha512(b"x").digest()
    token = asyncio.run(stamper.async_timestamp(digest, "sha512"))
    assert _tst_status(token, digest)["valid"]


def test_ecdsa_tsa_token_is_valid(cast, settings):
    ensure_ca(algorithm="ecdsa")
    settings.TSA_URL = "builtin"
    digest = hashlib.sha256(b"x").digest()
    token = asyncio.run(tsa_stamper.timestamper().async_timestamp(digest, "sha256"))
    signer_info = token["content"]["signer_infos"][0]
    assert signer_info["signature_algorithm"]["algorithm"].native == "sha256_ecdsa"
    assert _tst_status(token, digest)["valid"]


def test_no_tsa_configured_means_no_timestamper(settings):
    settings.TSA_URL = ""
    assert tsa_stamper.timestamper() is None


def test_builtin_tsa_without_ca_is_refused(db, settings):
    settings.TSA_URL = "builtin"
    with pytest.raises(SigningRefused, match="chưa có dịch vụ cấp dấu thời gian"):
        tsa_stamper.timestamper()


def test_pades_b_t_signature_with_builtin_tsa_validates(equipped_cast, draft_pdf, settings):
    settings.TSA_URL = "builtin"
    credential = backends.open_credential(equipped_cast.hung, secret=SIGNING_SECRET)
    signed = sign(draft_pdf, credential.signer, timestamper=tsa_stamper.timestamper())
    status = status_of(signed)
    assert status.valid
    assert status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.valid


def _rejected(request_der: bytes, equipped) -> tsa.RejectionResponse:
    return tsa.RejectionResponse.load(tsa.respond(request_der))


def test_malformed_request_is_rejected(equipped_cast):
    answer = _rejected(b"not a request", equipped_cast)
    assert answer["status"]["status"].native == "rejection"
    assert answer["status"]["fail_info"].native == {"bad_data_format"}


def test_weak_hash_is_rejected(equipped_cast):
    request = tsp.TimeStampReq({"version": 1, "message_imprint": {
        "hash_algorithm": {"algorithm": "md5"}, "hashed_message": hashlib.md5(b"x").digest()}})  # noqa: S324
    answer = _rejected(request.dump(), equipped_cast)
    assert answer["status"]["fail_info"].native == {"bad_alg"}


def test_unknown_policy_is_rejected(equipped_cast):
    request = tsp.TimeStampReq({"version": 1, "req_policy": "1.2.3.4", "message_imprint": {
        "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": hashlib.sha256(b"x").digest()}})
    assert _rejected(request.dump(), equipped_cast)["status"]["fail_info"].native == {"unaccepted_policy"}


def test_tsa_endpoint_wants_a_timestamp_query(client, equipped_cast):
    assert client.get("/pki/tsa").status_code == 405
    assert client.post("/pki/tsa", data=b"x", content_type="text/plain").status_code == 401  # no client token
    token = tsa_client()
    assert client.post("/pki/tsa", data=b"x", content_type="text/plain",
                       HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 415


def test_ecdsa_cast_signs_with_timestamp(cast, draft_pdf, settings):
    equip_cast(cast, algorithm="ecdsa", people=["dung"], units=[])
    settings.TSA_URL = "builtin"
    credential = backends.open_credential(cast.dung, secret=SIGNING_SECRET)
    status = status_of(sign(draft_pdf, credential.signer, timestamper=tsa_stamper.timestamper()))
    assert status.valid
    assert status.timestamp_validity.valid
