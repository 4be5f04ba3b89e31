"""Uploads through the API (issue 18 items 4 and 6): limits that say what they limit, long names that keep their
extension, and every refused upload audited (who, what, why) without its bytes."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings

from tests.api.conftest import encrypted, error_of, incoming_form
from vanthu.api.common import short_name
from vanthu.audit.models import AuditEvent
from vanthu.documents.models import Document


def post(client, cast, doc_types, files):
    return client.upload("/incoming", incoming_form(cast, doc_types), files)


def test_a_long_filename_is_shortened_keeping_its_extension(cast, doc_types, incoming_pdf, api):
    name = "cong-van-" + "x" * 900 + ".pdf"
    response = post(api(cast.lan), cast, doc_types, {"file": (name, incoming_pdf)})
    assert response.status_code == 201, response.content
    stored = response.json()["files"][0]["name"]
    assert len(stored) == 200
    assert stored.endswith(".pdf")
    assert short_name("a/b/" + "y" * 300 + ".docx").endswith(".docx")
    assert short_name("ngắn.pdf") == "ngắn.pdf"


def test_a_refused_upload_is_audited_without_its_bytes(cast, doc_types, incoming_pdf, api):
    locked = encrypted(incoming_pdf)
    response = post(api(cast.lan), cast, doc_types, {"file": ("ma-hoa.pdf", locked)})
    assert response.status_code == 400
    assert error_of(response)["code"] == "pdf_encrypted"
    event = AuditEvent.objects.get(verb="api.upload.refused")
    assert event.actor_id == cast.lan.pk or event.actor_name
    assert event.data["code"] == "pdf_encrypted"
    assert event.data["name"] == "ma-hoa.pdf"
    assert event.data["field"] == "file"
    assert event.data["size"] == len(locked)
    assert event.data["sha256"] == hashlib.sha256(locked).hexdigest()
    assert event.data["operation"] == "POST /api/v1/incoming"
    assert "mật khẩu" in event.data["reason"]
    assert len(str(event.data)) < 2000  # the bytes are not in the event
    assert not Document.objects.exists()


def test_a_refused_attachment_names_its_field_and_is_audited(cast, doc_types, incoming_pdf, api):
    response = post(api(cast.lan), cast, doc_types, {"file": ("cv.pdf", incoming_pdf),
                                                     "attachments": [("phu-luc.pdf", b"khong phai pdf")]})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("file_type", "attachments")
    assert AuditEvent.objects.get(verb="api.upload.refused").data["field"] == "attachments"


@override_settings(MAX_UPLOAD_MB=1, MAX_UPLOAD_BYTES=1024 * 1024)
def test_a_file_over_the_per_file_limit_says_file_and_is_audited(cast, doc_types, incoming_pdf, api):
    response = post(api(cast.lan), cast, doc_types, {"file": ("to.pdf", incoming_pdf + b"0" * (1024 * 1024))})
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "file_too_large"
    assert "1 MB" in error["message"]
    assert AuditEvent.objects.filter(verb="api.upload.refused").count() == 1


@override_settings(MAX_REQUEST_MB=1, MAX_REQUEST_BYTES=1024 * 1024)
def test_files_together_over_the_request_limit_say_request(cast, doc_types, incoming_pdf, api):
    half = incoming_pdf + b"%" * (600 * 1024)
    response = post(api(cast.lan), cast, doc_types, {"file": ("a.pdf", half), "attachments": [("b.pdf", half)]})
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "request_too_large"
    assert "1 MB" in error["message"]
    assert not Document.objects.exists()


def test_the_total_limit_of_the_files_is_checked_when_no_length_was_announced(rf, cast, settings):
    from vanthu.api.common import reject_if_too_large
    from vanthu.core.errors import ActionRefused

    class Upload:
        size = 40 * 1024 * 1024

    request = rf.post("/api/v1/incoming")
    request.auth = cast.lan
    settings.MAX_REQUEST_BYTES = 60 * 1024 * 1024
    with pytest.raises(ActionRefused) as refused:
        reject_if_too_large(request, [Upload(), Upload()])
    assert (refused.value.code, refused.value.status) == ("request_too_large", 413)
    assert AuditEvent.objects.filter(verb="api.upload.refused", data__code="request_too_large").exists()
