"""One error shape for every 4xx, in the request's language, and nothing partially saved."""

from __future__ import annotations

from tests.api.conftest import ApiClient, error_of, incoming_form, new_token
from vanthu.documents.models import Document


def test_unknown_address_is_a_json_404(cast, api):
    response = api(cast.lan).get("/khong-co")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_a_json_405(cast, api):
    response = api(cast.lan).client.delete("/api/v1/me", headers=api(cast.lan).headers())
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_malformed_json_is_a_400_with_a_vietnamese_message(cast, api):
    lan = api(cast.lan)
    response = lan.client.post("/api/v1/documents/1/return", "{khong phai json", content_type="application/json",
                               headers=lan.headers())
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_body"
    assert "JSON" in error["message"]


def test_validation_errors_name_every_field(cast, api):
    response = api(cast.hung).post("/documents/1/direct", {"lead": {"type": "unit"}, "deadline": "ngay mai"})
    assert response.status_code == 422
    error = error_of(response)
    fields = {d["field"] for d in error["details"]}
    assert fields == {"text", "lead.id", "deadline"}
    assert error["field"] in fields
    deadline = next(d for d in error["details"] if d["field"] == "deadline")
    assert "hạn xử lý" in deadline["message"]
    assert "YYYY-MM-DD" in deadline["message"]


def test_unknown_field_is_refused_rather_than_ignored(cast, api):
    response = api(cast.lan).post("/documents/1/return", {"reason": "Gửi nhầm", "ly_do": "x"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unknown_field"
    assert error["field"] == "ly_do"


def test_messages_follow_accept_language(cast, doc_types, incoming_pdf):
    secret = new_token(cast.lan)
    for language in ("vi", "en"):
        client = ApiClient(secret, language=language)
        response = client.upload("/incoming", incoming_form(cast, doc_types, subject=""),
                                 {"file": ("cv.pdf", incoming_pdf)})
        assert response.status_code == 422
        assert response["Content-Language"] == language
        assert error_of(response)["message"]
    assert not Document.objects.exists()


def test_vietnamese_is_the_default_language(cast, api):
    client = api(cast.lan)
    response = client.client.get("/api/v1/documents/999", headers={"Authorization": client.headers()["Authorization"]})
    assert response["Content-Language"] == "vi"
    assert "Không tìm thấy" in error_of(response)["message"]
