"""Signed download links (decision 0035, core/links.py), the app's side: the link's form and signature, when one is
minted (links on, behind nginx, the local store, no secrecy mark) and where it appears (the document page, the API's
document answer). tests/deploy/test_download_links.py proves through a real nginx that what is signed here is what
nginx verifies."""

from __future__ import annotations

import base64
import hashlib
import re
import timeit

from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.api.conftest import register_incoming
from vanthu.core import links
from vanthu.core.checks import check_settings

SECRET = "s" * 40
ON = {"FILES_LINKS": True, "FILES_HANDOFF": "nginx", "FILES_LINK_SECRET": SECRET, "FILES_LINK_SECONDS": 60,
      "FILES_LINK_PREFIX": "/_vanthu_link/", "FILES_URL": ""}
SHA = "ab" * 32
LINK = re.compile(r"^/_vanthu_link/([pa])/(\d+)/(\d+)/([0-9a-f]{64})/([a-z0-9][a-z0-9-]*\.(pdf|docx))\?e=(\d+)&s=(.+)$")


def test_the_signature_is_nginxs_secure_link_md5_in_base64url() -> None:
    raw = b"1700000000/_vanthu_link/p/1/2/x.pdfcookieBearer t k"
    expected = base64.urlsafe_b64encode(hashlib.md5(raw).digest())  # noqa: S324 - nginx's secure_link_md5
    assert links.signature(expires=1700000000, uri="/_vanthu_link/p/1/2/x.pdf", cookie="cookie",
                           authorization="Bearer t", secret="k") == expected.rstrip(b"=").decode()
    assert "=" not in links.signature(expires=1, uri="/", cookie="", authorization="", secret="k")


def test_the_name_in_the_uri_is_an_ascii_slug_with_its_extension() -> None:
    assert links.slug("Công văn số 12 — Đường dây nóng.PDF", extension="pdf") == "cong-van-so-12-duong-day-nong.pdf"
    assert links.slug("../../etc/passwd", extension="pdf") == "etc-passwd.pdf"
    assert links.slug("báo cáo\x00\r\n\"x\".docx", extension="docx") == "bao-cao-x.docx"
    assert links.slug("", extension="pdf") == "tep.pdf"
    assert links.slug("文件.pdf", extension="pdf") == "tep.pdf"


def test_a_minted_link_binds_person_document_file_expiry_and_credential() -> None:
    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer vt_abc", HTTP_COOKIE="sessionid=k123")
    with override_settings(**ON):
        minter = links.minter(request, via=links.API, person_id=7, document_id=42, secrecy=0, now=1_000)
        assert minter is not None
        url = minter.url(SHA, "Quyết định.pdf", "application/pdf")
    assert url is not None
    via, person, document, sha, name, _ext, expires, sign = LINK.match(url).groups()  # type: ignore[union-attr]
    assert (via, person, document, sha, name, expires) == ("a", "7", "42", SHA, "quyet-dinh.pdf", "1060")
    uri = url.split("?")[0]
    assert sign == links.signature(expires=1060, uri=uri, cookie="k123", authorization="Bearer vt_abc", secret=SECRET)
    assert sign != links.signature(expires=1060, uri=uri, cookie="k123", authorization="Bearer vt_other",
                                   secret=SECRET)


def test_no_link_when_off_secret_on_object_storage_without_proxy_or_for_another_kind() -> None:
    request = RequestFactory().get("/")
    for changes in ({"FILES_LINKS": False}, {"FILES_HANDOFF": ""}, {"FILES_URL": "s3://b/files"},
                    {"FILES_LINK_SECRET": "short"}):
        with override_settings(**{**ON, **changes}):
            assert links.minter(request, via=links.PAGE, person_id=1, document_id=2, secrecy=0) is None, changes
    with override_settings(**ON):
        assert links.minter(request, via=links.PAGE, person_id=1, document_id=2, secrecy=1) is None
        minter = links.minter(request, via=links.PAGE, person_id=1, document_id=2, secrecy=0)
        assert minter is not None
        assert minter.url(SHA, "trang.html") is None
        assert minter.url(SHA, "a.pdf", "text/html") is None
        assert minter.url("../" + SHA[3:], "a.pdf") is None
        assert minter.url(SHA, "du-thao.docx", "") is not None


def test_minting_is_a_few_microseconds_and_no_query() -> None:
    """No database here (no django_db mark): a query would raise."""
    request = RequestFactory().get("/", HTTP_COOKIE="sessionid=k123")
    with override_settings(**ON):
        minter = links.minter(request, via=links.PAGE, person_id=1, document_id=2, secrecy=0)
        assert minter is not None
        seconds = min(timeit.repeat(lambda: minter.url(SHA, "Công văn số 12.pdf", "application/pdf"),
                                    number=2000, repeat=3)) / 2000
    print(f"minting one link: {seconds * 1e6:.1f} µs")  # figures, not asserted (docs/decisions/0035)


def test_the_check_asks_for_a_long_secret_when_links_are_on() -> None:
    with override_settings(**{**ON, "FILES_LINK_SECRET": "short"}):
        assert "vanthu.E005" in {p.id for p in check_settings()}
    with override_settings(**ON):
        assert "vanthu.E005" not in {p.id for p in check_settings()}
    with override_settings(**{**ON, "FILES_LINKS": False, "FILES_LINK_SECRET": ""}):
        assert "vanthu.E005" not in {p.id for p in check_settings()}


def test_the_page_shows_signed_links_when_on_and_the_checked_path_when_off(client, cast, doc_types, incoming_pdf):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    sha = doc.current_file_id
    client.force_login(cast.lan.user)
    with override_settings(**ON):
        page = client.get(reverse("document_detail", args=[doc.pk])).content.decode()
    signed = re.findall(r'(?:href|data-pdf-url)="(/_vanthu_link/p/[^"]+)"', page)
    assert len(signed) >= 2  # the file's link and the preview's
    assert all(f"/p/{cast.lan.pk}/{doc.pk}/{sha}/" in link for link in signed)
    assert reverse("document_file", args=[doc.pk, sha]) not in page
    with override_settings(**{**ON, "FILES_LINKS": False}):
        page = client.get(reverse("document_detail", args=[doc.pk])).content.decode()
    assert "/_vanthu_link/" not in page
    assert f'href="{reverse("document_file", args=[doc.pk, sha])}"' in page


def test_the_api_answers_download_url_only_for_unmarked_documents(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    secret = register_incoming(cast, doc_types, incoming_pdf, secrecy=1)
    client = api(cast.lan)
    with override_settings(**ON):
        answer = client.get(f"/documents/{doc.pk}").json()
        marked = client.get(f"/documents/{secret.pk}").json()
    link = answer["current_file"]["download_url"]
    assert link.startswith(f"/_vanthu_link/a/{cast.lan.pk}/{doc.pk}/{doc.current_file_id}/")
    assert answer["current_file"]["url"] == f"/api/v1/documents/{doc.pk}/files/{doc.current_file_id}"
    assert all(item["download_url"] for item in answer["files"])
    assert marked["current_file"]["download_url"] is None
    assert all(item["download_url"] is None for item in marked["files"])
    assert client.get(f"/documents/{doc.pk}").json()["current_file"]["download_url"] is None  # links off


def test_the_openapi_schema_documents_download_url(api):
    schema = api(None).client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["FileOut"]["properties"]["download_url"]
    assert "nginx" in field["description"]
