"""Issue 18: every answer of /api/v1/ is in the contract — the bugs it lists each have a regression test here."""

from __future__ import annotations

import json

from django.test import Client, override_settings

from tests.api.conftest import BASE, error_of, incoming_form, register_incoming
from vanthu.documents.models import Document

BIG = str(2**64 + 5)


def test_year_9999_lists_nothing_instead_of_a_server_error(cast, api):
    response = api(cast.lan).get("/documents", {"year": 9999})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_unit_filter_beyond_64_bits_is_a_422_naming_the_field(cast, api):
    lan = api(cast.lan)
    for path in ("/documents", "/people", "/search", "/registers/in"):
        response = lan.get(path, {"unit": BIG})
        assert response.status_code == 422, path
        error = error_of(response)
        assert error["code"] == "out_of_range"
        assert error["field"] == "unit"


def test_an_id_in_the_path_beyond_64_bits_is_a_422(cast, api):
    response = api(cast.lan).get(f"/documents/{BIG}")
    assert response.status_code == 422
    assert error_of(response)["field"] == "document_id"


def test_a_boolean_is_not_an_id(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    lan = api(cast.lan)
    for value in (True, "1", 1.0, str(cast.hung.pk)):
        response = lan.post(f"/documents/{doc.pk}/present", {"to": value})
        assert response.status_code == 422, value
        error = error_of(response)
        assert (error["code"], error["field"]) == ("invalid", "to")
    doc.refresh_from_db()
    assert doc.status == "registered"


def test_a_string_is_not_a_boolean(cast, api):
    response = api(cast.lan).post("/documents/1/review", {"approve": "true"})
    assert response.status_code == 422
    assert error_of(response)["field"] == "approve"


def test_json_only_as_application_json(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    lan = api(cast.lan)
    response = lan.client.post(f"{BASE}/documents/{doc.pk}/present", json.dumps({"to": cast.hung.pk}),
                               content_type="text/plain", headers=lan.headers())
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    doc.refresh_from_db()
    assert doc.status == "registered"


def test_nul_characters_are_refused(cast, api):
    response = api(cast.lan).post("/documents/1/return", {"reason": "Gửi\x00nhầm"})
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("nul_character", "reason")


def test_a_multipart_text_field_with_invalid_utf8_is_a_400_naming_it(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    boundary = "b0undary"
    fields = incoming_form(cast, doc_types)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items() if k != "subject"]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\n'.encode()
                 + b"V/v \xff\xfe sai\r\n")
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + incoming_pdf + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = lan.client.post(f"{BASE}/incoming", body, content_type=f"multipart/form-data; boundary={boundary}",
                               headers=lan.headers())
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid_utf8", "subject")
    assert not Document.objects.exists()


def test_an_empty_nullable_multipart_field_is_null(cast, doc_types, incoming_pdf, api):
    response = api(cast.lan).upload("/incoming", incoming_form(cast, doc_types, issued_date="", page_amount=""),
                                    {"file": ("cv.pdf", incoming_pdf)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["issued_date"] is None


def test_a_body_that_is_not_an_object_does_not_say_payload(cast, api):
    response = api(cast.lan).client.post(f"{BASE}/documents/1/return", "[1, 2]", content_type="application/json",
                                         headers=api(cast.lan).headers())
    assert response.status_code == 422
    assert "payload" not in response.content.decode()


def test_a_large_json_body_is_413_about_the_body_not_a_file(cast, api):
    lan = api(cast.lan)
    body = json.dumps({"reason": "x" * (3 * 1024 * 1024)})
    response = lan.client.post(f"{BASE}/documents/1/return", body, content_type="application/json",
                               headers=lan.headers())
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "body_too_large"
    assert error["field"] is None


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_too_many_fields_is_json_not_django_html(cast, api):
    lan = api(cast.lan)
    response = lan.client.post(f"{BASE}/incoming", {f"f{i}": "x" for i in range(10)}, headers=lan.headers())
    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_fields"


def test_a_multipart_body_without_boundary_is_json(cast, api):
    lan = api(cast.lan)
    response = lan.client.post(f"{BASE}/incoming", b"--x\r\n", content_type="multipart/form-data",
                               headers=lan.headers())
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_multipart"


@override_settings(MAX_REQUEST_BYTES=1024, MAX_REQUEST_MB=0)
def test_a_request_over_the_total_limit_is_refused_before_it_is_read(cast, doc_types, incoming_pdf, api):
    response = api(cast.lan).upload("/incoming", incoming_form(cast, doc_types), {"file": ("cv.pdf", incoming_pdf)})
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert not Document.objects.exists()


def test_pages_keep_their_own_error_pages(cast):
    client = Client()
    client.force_login(cast.lan.user)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "json" not in response["Content-Type"]


def test_an_unhandled_error_is_json_in_the_callers_language(cast, api, monkeypatch):
    from vanthu.api import queries

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "documents_page", boom)
    lan = api(cast.lan, language="en")
    lan.client.raise_request_exception = False
    response = lan.get("/documents")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "boom" not in error["message"]


def test_query_numbers_are_whole_numbers_given_once(cast, api):
    lan = api(cast.lan)
    response = lan.get("/people", {"unit": "0.0"})
    assert response.status_code == 422
    assert error_of(response)["field"] == "unit"
    response = lan.client.get(f"{BASE}/people?unit=1&unit=2", headers=lan.headers())
    assert response.status_code == 422
    assert error_of(response)["field"] == "unit"
    assert lan.get("/people", {"unit": str(cast.staff.pk)}).status_code == 200


def test_an_unknown_query_parameter_is_refused(cast, api):
    response = api(cast.lan).get("/documents", {"nam": 2026})
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("unknown_field", "nam")
