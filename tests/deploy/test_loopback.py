"""The deployment of docs/deploy.md on loopback: nginx in front of two gunicorn app servers, two job workers,
PostgreSQL, Redis and an S3 server (moto) for the files, each its own process (vanthu/demo/loopback.py), against
a database and a bucket of its own.

What it proves, through the proxy as a person's browser or program would reach it: `/healthz` names every part;
static files come from nginx; a document's file downloads through either app server with the same SHA-256, handed
to nginx (X-Accel-Redirect) after vanthu's access check, and the store's internal location cannot be asked for
directly; a request over the body limit is stopped by nginx with vanthu's own message; an app server killed in the
middle: the other goes on and nothing a person asked for fails.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.deploy.conftest import running_loopback
from vanthu.demo.loopback import Loopback

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loopback]:
    with running_loopback(tmp_path_factory, seed="seed") as loopback:
        yield loopback


def fetch(url: str, *, token: str = "", method: str = "GET", data: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, data=data, headers=dict(headers or {}))  # noqa: S310
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback, http only
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def token_for(deployment: Loopback, username: str) -> str:
    out = deployment.cli("apitoken", "create", "--user", username, "--name", "loopback")
    return next(word for word in out.split() if word.startswith("vt_"))


def a_pdf_of(deployment: Loopback) -> tuple[int, str]:
    """(document id, sha256) of the PDF the Staff's clerk Lan registered (vanthu/demo/loopback_side.py)."""
    return int(deployment.document["id"]), str(deployment.document["sha256"])


def test_healthz_through_the_proxy_names_every_part(deployment: Loopback) -> None:
    status, headers, body = fetch(f"{deployment.url}/healthz")
    state = json.loads(body)
    assert status == 200, state
    assert state["status"] == "ok"
    assert state["database"]["ok"]
    assert state["files"] == {"ok": True, "kind": "s3"}
    assert state["jobs"]["ok"]
    assert state["jobs"]["engine"] == "redis"
    assert headers["X-Vanthu-Server"] in {"app-1", "app-2"}
    assert state["server"] == headers["X-Vanthu-Server"]
    assert state["cache"] == {"ok": True, "kind": "redis"}


def test_static_files_are_served_by_nginx_not_by_an_app_server(deployment: Loopback) -> None:
    status, headers, body = fetch(f"{deployment.url}/static/vanthu/app.css")
    assert status == 200
    assert len(body) > 100
    assert "X-Vanthu-Server" not in headers
    assert headers["Server"].startswith("nginx")


def test_a_file_downloads_through_either_app_server_with_the_same_sha256(deployment: Loopback) -> None:
    token = token_for(deployment, "lan")
    document_id, sha256 = a_pdf_of(deployment)
    served: dict[str, str] = {}
    for _ in range(6):
        status, headers, body = fetch(f"{deployment.url}/api/v1/documents/{document_id}/files/{sha256}", token=token)
        assert status == 200, body[:300]
        assert headers["Content-Type"] == "application/pdf"
        served[deployment.server_of(headers)] = hashlib.sha256(body).hexdigest()
    assert set(served) == {"app-1", "app-2"}, served
    assert set(served.values()) == {sha256}
    assert "X-Accel-Redirect" not in headers  # nginx consumed it
    # the store's internal locations are not reachable from outside, even with the exact name
    for inside in (f"/_vanthu_files/{sha256[:2]}/{sha256[2:4]}/{sha256}", f"/_vanthu_s3/loopback/files/{sha256}"):
        status, _headers, _body = fetch(deployment.url + inside)
        assert status == 404, inside


def test_a_person_who_may_not_see_the_document_gets_404_not_the_file(deployment: Loopback) -> None:
    document_id, sha256 = a_pdf_of(deployment)
    outsider = token_for(deployment, "tam")
    status, _headers, body = fetch(f"{deployment.url}/api/v1/documents/{document_id}/files/{sha256}",
                                   token=outsider)
    assert status == 404
    assert hashlib.sha256(body).hexdigest() != sha256


def test_a_request_over_the_limit_is_stopped_by_nginx_with_vanthus_message(deployment: Loopback) -> None:
    big = b"x" * (3 * 1024 * 1024)
    status, headers, body = fetch(f"{deployment.url}/api/v1/incoming", method="POST", data=big,
                                  headers={"Content-Type": "application/octet-stream"})
    assert status == 413
    error = json.loads(body)["error"]
    assert error["code"] == "request_too_large"
    assert "vượt quá tổng dung lượng cho phép của một lần gửi (2 MB)" in error["message"]
    assert "X-Vanthu-Server" not in headers  # no app server read it
    status, _headers, page = fetch(f"{deployment.url}/", method="POST", data=big,
                                   headers={"Content-Type": "application/octet-stream"})
    assert status == 413
    text = page.decode()
    assert "vượt quá tổng dung lượng cho phép của một lần gửi (2 MB)" in text
    assert "exceeds" in text or "over" in text  # the English line under the Vietnamese one


def test_one_app_server_killed_the_other_goes_on(deployment: Loopback) -> None:
    token = token_for(deployment, "lan")
    document_id, sha256 = a_pdf_of(deployment)
    victim = deployment.apps[0]
    deployment.kill(victim)
    assert not victim.alive()
    servers = set()
    for _ in range(8):
        status, headers, body = fetch(f"{deployment.url}/api/v1/documents/{document_id}/files/{sha256}", token=token)
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == sha256
        servers.add(deployment.server_of(headers))
    assert servers == {"app-2"}
    status, _headers, body = fetch(f"{deployment.url}/healthz")
    assert status == 200, body

