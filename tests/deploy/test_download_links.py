"""Signed download links served by nginx alone (decision 0035), on a real deployment on loopback: nginx, two gunicorn
app servers, the local file store, VANTHU_FILES_LINKS on.

What it proves: the link the document page or the API answer gives downloads the exact bytes with no request to an
app server (nginx's access log of proxied requests does not move; its link log gets one line); what Python signs is
what nginx verifies; another person's cookie or token, another token of the same person, no credential, a tampered
signature or URI, an expired link — each falls to the checked path inside nginx, which answers 404 to whoever may
not see the document and the file (through the app) to whoever may; a secret document never gets a link.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.conftest import running_loopback
from tests.deploy.test_loopback import fetch, token_for
from vanthu.core import links
from vanthu.demo.bench_deploy import Browser
from vanthu.demo.loopback import Loopback

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

SECRET = "loopback-link-secret-" + "k" * 32
ENV = {"VANTHU_FILES_LINKS": "1", "VANTHU_FILES_LINK_SECRET": SECRET, "VANTHU_FILES_LINK_SECONDS": "60"}
PAGE_LINK = re.compile(r'href="(/_vanthu_link/p/[^"]+)"')


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loopback]:
    with running_loopback(tmp_path_factory, seed="seed_links", s3=False, env=ENV) as loopback:
        yield loopback


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def settled(path: Path, *, quiet: float = 0.3, limit: float = 5.0, at_least: int = 0) -> None:
    """Wait until nginx has written the lines of the requests already answered: `at_least` lines (up to `limit`
    seconds: on a loaded machine nginx may write a line well after the client has its answer), then no new line
    for `quiet` seconds."""
    deadline, seen, since = time.monotonic() + limit, len(lines(path)), time.monotonic()
    while time.monotonic() < deadline and (seen < at_least or time.monotonic() - since < quiet):
        time.sleep(0.05)
        now = len(lines(path))
        if now != seen:
            seen, since = now, time.monotonic()


class Counts:
    """Requests nginx passed to an app server (its access log: every location but the links' and static files')
    and downloads it served from a link (the link log), before and after a step."""

    def __init__(self, deployment: Loopback) -> None:
        self.proxied_log = deployment.root / "nginx" / "access.log"
        self.link_log = deployment.data_dir / "logs" / "links.log"
        settled(self.proxied_log, quiet=0.5)  # the lines of the steps before (a login, the page) are written first
        settled(self.link_log, quiet=0.5)
        self.proxied, self.served = len(lines(self.proxied_log)), len(lines(self.link_log))

    def moved(self, expected: tuple[int, int] = (0, 0)) -> tuple[int, int]:
        """The lines each log gained, once nginx has written at least `expected` and then nothing for a while
        (it writes a request's line just after the client has had its answer)."""
        settled(self.proxied_log, at_least=self.proxied + expected[0], limit=15.0)
        settled(self.link_log, at_least=self.served + expected[1], limit=15.0)
        return len(lines(self.proxied_log)) - self.proxied, len(lines(self.link_log)) - self.served


def browser_of(deployment: Loopback, username: str) -> Browser:
    browser = Browser(deployment.port)
    browser.login(username)
    return browser


def page_links(browser: Browser, document_id: int) -> list[str]:
    status, _headers, body = browser.request("GET", f"/documents/{document_id}/")
    assert status == 200
    return [html.unescape(m) for m in PAGE_LINK.findall(body.decode())]


def api_file(deployment: Loopback, document_id: int, token: str) -> dict[str, object]:
    status, _headers, body = fetch(f"{deployment.url}/api/v1/documents/{document_id}", token=token)
    assert status == 200, body[:300]
    current = json.loads(body)["current_file"]
    assert isinstance(current, dict)
    return current


def test_the_pages_link_downloads_the_exact_bytes_from_nginx_alone(deployment: Loopback) -> None:
    document, sha256, lan = deployment.document["id"], deployment.document["sha256"], browser_of(deployment, "lan")
    found = page_links(lan, int(str(document)))
    person = deployment.document["people"]["lan"]  # type: ignore[index]
    main = next(link for link in found if f"/p/{person}/{document}/{sha256}/" in link)
    assert main.isascii()
    path = main.split("?")[0]
    counts = Counts(deployment)
    status, headers, body = lan.request("GET", main)
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == sha256
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == f'inline; filename="{path.rsplit("/", 1)[1]}"'
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "private, max-age=300"
    assert "x-vanthu-server" not in headers
    assert counts.moved((0, 1)) == (0, 1)  # no app server asked; one line in the link log
    msec, code, sent, request_id, address, uri = lines(counts.link_log)[-1].split(" ")
    assert (code, int(sent), address, uri) == ("200", len(body), "127.0.0.1", path)
    assert float(msec) > 0
    assert len(request_id) == 32


def test_a_read_by_ranges_is_one_line_of_the_link_log(deployment: Loopback) -> None:
    """A PDF viewer reads a file in pieces: the piece from byte 0 starts the read and is its line; the pieces after
    it (206 answers of the same read) are not lines, so a view is one read event, not one a piece."""
    document, sha256, lan = deployment.document["id"], deployment.document["sha256"], browser_of(deployment, "lan")
    person = deployment.document["people"]["lan"]  # type: ignore[index]
    main = next(link for link in page_links(lan, int(str(document))) if f"/p/{person}/{document}/{sha256}/" in link)
    settled(Counts(deployment).proxied_log)  # nginx logs the page's request just after the client has its answer
    counts = Counts(deployment)
    first = lan.request("GET", main, headers={"Range": "bytes=0-1023"})
    rest = [lan.request("GET", main, headers={"Range": f"bytes={start}-{start + 1023}"}) for start in (1024, 4096)]
    assert [first[0]] + [status for status, _h, _b in rest] == [206, 206, 206]
    assert len(first[2]) == 1024
    assert counts.moved((0, 1)) == (0, 1)  # no app server asked; the read is one line, the first piece's
    code, sent = lines(counts.link_log)[-1].split(" ")[1:3]
    assert (code, sent) == ("206", "1024")


def test_another_person_or_no_session_falls_to_the_checked_path(deployment: Loopback) -> None:
    document, sha256 = int(str(deployment.document["id"])), deployment.document["sha256"]
    main = next(link for link in page_links(browser_of(deployment, "lan"), document) if str(sha256) in link)
    tam, son = browser_of(deployment, "tam"), browser_of(deployment, "son")
    counts = Counts(deployment)
    status, _headers, body = tam.request("GET", main)  # an outsider: the checked path's 404
    assert status == 404
    assert hashlib.sha256(body).hexdigest() != sha256
    status, _headers, body = son.request("GET", main)  # the Staff's leader may see it: through vanthu
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == sha256
    status, headers, _body = Browser(deployment.port).request("GET", main)  # no session: the login page
    assert status == 302
    assert "/login/" in headers["location"]
    assert counts.moved((3, 0)) == (3, 0)  # each went to an app server; nginx served nothing from the link


def test_the_api_answers_a_link_bound_to_its_token(deployment: Loopback) -> None:
    document, sha256 = int(str(deployment.document["id"])), str(deployment.document["sha256"])
    token = token_for(deployment, "lan")
    current = api_file(deployment, document, token)
    link = str(current["download_url"])
    person = deployment.document["people"]["lan"]  # type: ignore[index]
    assert link.startswith(f"/_vanthu_link/a/{person}/{document}/{sha256}/")
    assert current["url"] == f"/api/v1/documents/{document}/files/{sha256}"  # the checked path stays
    counts = Counts(deployment)
    status, _headers, body = fetch(deployment.url + link, token=token)
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == sha256
    assert counts.moved((0, 1)) == (0, 1)

    counts = Counts(deployment)
    status, _headers, body = fetch(deployment.url + link, token=token_for(deployment, "lan"))  # her other token
    assert (status, hashlib.sha256(body).hexdigest()) == (200, sha256)
    status, _headers, _body = fetch(deployment.url + link, token=token_for(deployment, "tam"))
    assert status == 404
    status, _headers, _body = fetch(deployment.url + link)
    assert status == 401
    assert counts.moved((3, 0)) == (3, 0)


def test_a_tampered_or_expired_link_goes_through_the_check_and_what_python_signs_nginx_verifies(
        deployment: Loopback) -> None:
    document, sha256 = int(str(deployment.document["id"])), str(deployment.document["sha256"])
    token = token_for(deployment, "lan")
    link = str(api_file(deployment, document, token)["download_url"])
    path, _, query = link.partition("?")
    son = deployment.document["people"]["son"]  # type: ignore[index]
    lan = deployment.document["people"]["lan"]  # type: ignore[index]
    signature = query.split("s=")[1]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    tampered = [
        f"{path}?{query.replace(signature, flipped)}",  # the signature
        f"{path.replace(f'/a/{lan}/', f'/a/{son}/')}?{query}",  # the person
        f"{path.rsplit('/', 1)[0]}/khac.pdf?{query}",  # the name
        f"{path}?{query.replace('e=', 'e=1')}",  # the expiry
    ]
    counts = Counts(deployment)
    for each in tampered:
        status, _headers, body = fetch(deployment.url + each, token=token)
        assert (status, hashlib.sha256(body).hexdigest()) == (200, sha256), each  # lan may: the checked path
    assert counts.moved((len(tampered), 0)) == (len(tampered), 0)

    authorization = f"Bearer {token}"
    for expires, served in ((int(time.time()) - 5, 0), (int(time.time()) + 60, 1)):
        sign = links.signature(expires=expires, uri=path, cookie="", authorization=authorization, secret=SECRET)
        counts = Counts(deployment)
        status, _headers, body = fetch(f"{deployment.url}{path}?e={expires}&s={sign}", token=token)
        assert (status, hashlib.sha256(body).hexdigest()) == (200, sha256)
        expected = (1 - served, served)  # expired: checked; in time: nginx alone
        assert counts.moved(expected) == expected, expires


def test_a_secret_document_never_gets_a_link(deployment: Loopback) -> None:
    secret = deployment.document["secret"]
    document = int(secret["id"])  # type: ignore[index]
    token = token_for(deployment, "lan")
    status, _headers, body = fetch(f"{deployment.url}/api/v1/documents/{document}", token=token)
    answer = json.loads(body)
    assert status == 200
    assert answer["current_file"]["download_url"] is None
    assert all(item["download_url"] is None for item in answer["files"])
    assert page_links(browser_of(deployment, "lan"), document) == []
