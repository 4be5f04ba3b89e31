"""The time-stamp service signs for registered clients only (issue 13 item 8, decision 0021): a bearer token per
client made by `vanthu service-client add` (printed once), 401 with WWW-Authenticate without one, 429 with
Retry-After over the client's rate; the CA certificates, CRLs and OCSP stay public."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from asn1crypto import tsp
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from vanthu.audit.models import AuditEvent
from vanthu.signing.models import ServiceClient
from vanthu.signing.service_clients import hash_token
from vanthu.signing.testing import ensure_ca


@pytest.fixture
def ca(db):
    cache.clear()  # the rate limits count in the default cache
    return ensure_ca()


def query_der(tmp_path) -> bytes:
    data = tmp_path / "van-ban.pdf"
    data.write_bytes(b"%PDF-1.7 a document to time-stamp")
    query = tmp_path / "request.tsq"
    subprocess.run(["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)],
                   check=True, capture_output=True)
    return query.read_bytes()


def add(name: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("service-client", "add", name, stdout=out, stderr=err)
    assert "shown only now" in err.getvalue()
    return out.getvalue().strip()


def stamp(client, body: bytes, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/pki/tsa", body, content_type="application/timestamp-query", **headers)


def test_without_a_token_the_tsa_answers_401_with_www_authenticate(client, ca, tmp_path):
    page = stamp(client, query_der(tmp_path))
    assert page.status_code == 401
    assert page["WWW-Authenticate"] == 'Bearer realm="vanthu-tsa"'
    assert stamp(client, query_der(tmp_path), "vsc_not-a-client").status_code == 401


def test_a_registered_client_gets_a_granted_token(client, ca, tmp_path):
    token = add("cổng dịch vụ công")
    page = stamp(client, query_der(tmp_path), token)
    assert page.status_code == 200
    assert page["Content-Type"] == "application/timestamp-reply"
    assert tsp.TimeStampResp.load(page.content)["status"]["status"].native == "granted"
    row = ServiceClient.objects.get(name="cổng dịch vụ công")
    assert row.token_hash == hash_token(token)
    assert token[4:] not in row.prefix + row.name  # only its hash is kept
    assert row.last_used_at is not None
    assert AuditEvent.objects.filter(verb="signing.service_client.created").count() == 1


def test_a_revoked_client_is_refused(client, ca, tmp_path):
    token = add("hệ thống cũ")
    call_command("service-client", "revoke", "hệ thống cũ", stdout=io.StringIO(), stderr=io.StringIO())
    assert stamp(client, query_der(tmp_path), token).status_code == 401


def test_each_client_is_rate_limited_with_retry_after(client, ca, tmp_path, settings):
    settings.RATELIMIT_TSA = "2/m"
    busy, other = add("ứng dụng A"), add("ứng dụng B")
    body = query_der(tmp_path)
    assert [stamp(client, body, busy).status_code for _ in range(2)] == [200, 200]
    page = stamp(client, body, busy)
    assert page.status_code == 429
    assert 1 <= int(page["Retry-After"]) <= 60
    assert stamp(client, body, other).status_code == 200  # per client


def test_guessing_tokens_is_rate_limited_per_address(client, ca, tmp_path, settings):
    settings.RATELIMIT_TSA = "2/m"
    body = query_der(tmp_path)
    codes = [stamp(client, body, f"vsc_guess{n}").status_code for n in range(3)]
    assert codes == [401, 401, 429]


def test_the_ca_certificates_and_crl_stay_public(client, ca):
    assert client.get("/pki/ca/root.crt").status_code == 200
    assert client.get("/pki/crl/issuing.crl").status_code == 200


def test_cli_lists_clients_without_their_tokens_and_refuses_a_duplicate(ca):
    token = add("cổng dịch vụ công")
    out = io.StringIO()
    call_command("service-client", "list", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["name"], r["state"]) for r in rows] == [("cổng dịch vụ công", "active")]
    assert token not in out.getvalue()
    with pytest.raises(CommandError, match="Đã có ứng dụng tên"):
        add("cổng dịch vụ công")
