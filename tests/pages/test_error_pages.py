"""Error pages in the site's design (issue 12, item 5): the reader's language, the menu, a way back; the API's
paths keep their JSON error shape."""

from __future__ import annotations

from django.conf import settings
from django.test import Client, RequestFactory

from vanthu.ops import errors


def test_missing_document_is_a_page_with_the_menu_and_a_way_back(client, cast):
    client.force_login(cast.minh.user)
    page = client.get("/documents/999999/", HTTP_REFERER="http://testserver/registers/incoming/?q=x")
    assert page.status_code == 404
    text = page.content.decode()
    assert '<html lang="vi">' in text
    assert "Không tìm thấy trang" in text
    assert 'class="mainnav"' in text  # the menu
    assert 'href="/registers/incoming/?q=x"' in text  # back where the reader came from
    assert "Về hộp việc" in text


def test_forbidden_document_looks_the_same_as_a_missing_one(client, cast, staff_document):
    client.force_login(cast.tam.user)
    page = client.get(f"/documents/{staff_document.pk}/")
    assert page.status_code == 404
    assert "Không tìm thấy trang" in page.content.decode()


def test_error_page_in_english_for_an_english_reader(client, cast):
    client.force_login(cast.minh.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/no-such-page/").content.decode()
    assert '<html lang="en">' in text
    assert "Page not found" in text
    assert "Back to the inbox" in text


def test_a_way_back_never_leads_to_another_site(client, cast):
    client.force_login(cast.minh.user)
    text = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in text
    assert "Quay lại trang trước" not in text


def test_anonymous_reader_is_offered_the_login(client, db):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert 'href="/login/"' in page.content.decode()


def test_csrf_failure_is_explained_and_changes_nothing(cast):
    from vanthu.audit.models import AuditEvent

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.quang.user)
    before = AuditEvent.objects.count()
    page = browser.post("/drafts/new/", {"subject": "x"})
    assert page.status_code == 403
    text = page.content.decode()
    assert "Phiên làm việc của trang đã hết hạn" in text
    assert "chưa có gì được lưu" in text
    assert 'class="mainnav"' in text
    assert AuditEvent.objects.count() == before


def test_bad_request_and_forbidden_pages(cast):
    request = RequestFactory().get("/x/")
    request.person = cast.minh  # type: ignore[attr-defined]
    request.user = cast.minh.user
    bad = errors.bad_request(request)
    assert bad.status_code == 400
    assert "Yêu cầu không hợp lệ" in bad.content.decode()
    forbidden = errors.permission_denied(request)
    assert forbidden.status_code == 403
    assert "Không được phép" in forbidden.content.decode()


def test_server_error_page_answers_even_without_a_database(cast, monkeypatch):
    request = RequestFactory().get("/documents/1/")
    request.user = cast.minh.user

    class Broken:
        def __getattr__(self, name):
            raise RuntimeError("database down")

        def __bool__(self):
            raise RuntimeError("database down")

    request.person = Broken()  # type: ignore[attr-defined]
    page = errors.server_error(request)
    assert page.status_code == 500
    assert "Hệ thống gặp lỗi" in page.content.decode()


def test_server_error_page_in_the_design(cast):
    request = RequestFactory().get("/documents/1/")
    request.user = cast.minh.user
    request.person = cast.minh  # type: ignore[attr-defined]
    text = errors.server_error(request).content.decode()
    assert "Hệ thống gặp lỗi" in text
    assert 'class="mainnav"' in text


def test_api_paths_keep_the_json_error_shape(client, db):
    for path in ("/api/v1/no-such-endpoint", "/exchange/v1/no-such-endpoint"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer["Content-Type"].startswith("application/json")
        assert answer.json()["error"]["code"] == "not_found"
        assert answer.json()["error"]["field"] is None


def test_api_csrf_failure_is_json(rf):
    answer = errors.csrf_failure(rf.post("/api/v1/documents"))
    assert answer.status_code == 403
    assert answer["Content-Type"].startswith("application/json")
    assert answer.content.startswith(b'{"error"')
