"""POST /incoming and the clerk's answers to an electronic arrival: register or return."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.api.conftest import encrypted, error_of, incoming_form, received_document
from vanthu.audit.models import AuditEvent
from vanthu.documents.models import Document, Register, Status


def post_incoming(client, cast, doc_types, pdf, name="cong-van.pdf", files=None, headers=None, **overrides):
    return client.upload("/incoming", incoming_form(cast, doc_types, **overrides),
                         files or {"file": (name, pdf)}, **(headers or {}))


def test_clerk_lan_registers_incoming_documents_with_the_next_numbers(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    first = post_incoming(lan, cast, doc_types, incoming_pdf)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "registered"
    assert body["number"] == 1
    assert body["notation"] == "125/BTTM-TC"
    assert body["register_info"]["kind"] == "in"
    assert body["register_info"]["unit_id"] == cast.staff.pk
    assert body["current_file"]["content_type"] == "application/pdf"
    assert "present" in body["allowed"]
    second = post_incoming(lan, cast, doc_types, incoming_pdf, subject="V/v khác")
    assert second.json()["number"] == 2


def test_attachments_are_kept_with_the_document(cast, doc_types, incoming_pdf, draft_pdf, api):
    files = {"file": ("cong-van.pdf", incoming_pdf), "attachments": [("phu-luc-1.pdf", draft_pdf)]}
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, files=files)
    assert response.status_code == 201, response.content
    kinds = sorted((f["kind"], f["name"]) for f in response.json()["files"])
    assert kinds == [("attachment", "phu-luc-1.pdf"), ("main", "cong-van.pdf")]


def test_double_submit_with_the_same_idempotency_key_creates_one_document(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    key = {"Idempotency-Key": "lan-2026-0001"}
    first = post_incoming(lan, cast, doc_types, incoming_pdf, headers=key)
    again = post_incoming(lan, cast, doc_types, incoming_pdf, headers=key)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Document.objects.count() == 1
    assert Register.objects.get().last_number == 1


def test_the_same_key_from_another_clerk_is_another_request(cast, doc_types, incoming_pdf, api):
    key = {"Idempotency-Key": "trung-khoa"}
    assert post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, headers=key).status_code == 201
    other = post_incoming(api(cast.hoa), cast, doc_types, incoming_pdf, headers=key, unit=cast.command.pk)
    assert other.status_code == 201
    assert Document.objects.count() == 2


def test_over_long_subject_is_refused_with_field_subject_and_nothing_is_saved(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, subject="V" * 501)
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "subject"
    assert error["code"] == "too_long"
    assert "trích yếu" in error["message"]
    assert "500" in error["message"]
    assert not Document.objects.exists()
    assert not Register.objects.exists()


def test_code_number_longer_than_phu_luc_vi_allows_is_refused(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, code_number="123456789012")
    assert response.status_code == 422
    assert error_of(response)["field"] == "code_number"


def test_missing_subject_is_named(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, subject="   ")
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "subject"
    assert "trống" in error["message"]


def test_deadline_in_the_past_is_refused(cast, doc_types, incoming_pdf, api):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, due_date=yesterday.isoformat())
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "due_date_past"
    assert error["field"] == "due_date"
    assert "quá khứ" in error["message"]
    assert not Document.objects.exists()


def test_encrypted_pdf_is_refused_with_a_vietnamese_reason(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.lan), cast, doc_types, encrypted(incoming_pdf), name="ma-hoa.pdf")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "pdf_encrypted"
    assert error["field"] == "file"
    assert "mật khẩu" in error["message"]
    assert not Document.objects.exists()


def test_pdf_named_docx_is_an_extension_mismatch(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, name="cong-van.docx")
    assert response.status_code == 400
    assert error_of(response)["code"] == "file_extension"


def test_text_file_is_not_a_pdf(cast, doc_types, api):
    response = post_incoming(api(cast.lan), cast, doc_types, b"khong phai pdf", name="cong-van.pdf")
    assert error_of(response)["code"] == "file_type"


def test_bad_attachment_is_named_as_the_attachment(cast, doc_types, incoming_pdf, api):
    files = {"file": ("cong-van.pdf", incoming_pdf), "attachments": [("phu-luc.pdf", b"%PDF-1.7 hong")]}
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, files=files)
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == "attachments"
    assert "phu-luc.pdf" in error["message"]
    assert not Document.objects.exists()


def test_oversize_file_gets_413_and_nothing_is_saved(settings, cast, doc_types, incoming_pdf, api):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 4096
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf + b"\n" * 8192)
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "file_too_large"
    assert "1 MB" in error["message"]
    assert not Document.objects.exists()


def test_officer_quang_who_is_not_a_clerk_cannot_register(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.quang), cast, doc_types, incoming_pdf)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert not Document.objects.exists()
    assert AuditEvent.objects.filter(verb="documents.incoming.registered.refused").exists()


def test_unknown_document_type_is_named(cast, doc_types, incoming_pdf, api):
    response = post_incoming(api(cast.lan), cast, doc_types, incoming_pdf, doc_type=99999)
    assert response.status_code == 400
    assert error_of(response)["field"] == "doc_type"


def test_clerk_registers_a_document_that_arrived_electronically(cast, doc_types, incoming_pdf, api):
    doc = received_document(cast, doc_types, incoming_pdf)
    response = api(cast.lan).post(f"/documents/{doc.pk}/register", {"expected_version": doc.version})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "registered"
    assert response.json()["number"] == 1


def test_registering_with_a_stale_version_is_a_409(cast, doc_types, incoming_pdf, api):
    doc = received_document(cast, doc_types, incoming_pdf)
    stale = doc.version + 1  # not the version the document has now
    response = api(cast.lan).post(f"/documents/{doc.pk}/register", {"expected_version": stale})
    assert response.status_code == 409
    assert error_of(response)["code"] == "concurrent_edit"
    assert Document.objects.get(pk=doc.pk).status == Status.RECEIVED


def test_clerk_returns_a_mis_sent_document_with_a_reason(cast, doc_types, incoming_pdf, api):
    doc = received_document(cast, doc_types, incoming_pdf)
    lan = api(cast.lan)
    empty = lan.post(f"/documents/{doc.pk}/return", {"reason": ""})
    assert empty.status_code == 422
    assert error_of(empty)["field"] == "reason"
    response = lan.post(f"/documents/{doc.pk}/return", {"reason": "Gửi nhầm đơn vị"})
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["return_reason"] == "Gửi nhầm đơn vị"


def test_outsider_tam_cannot_register_or_even_see_the_arrival(cast, doc_types, incoming_pdf, api):
    doc = received_document(cast, doc_types, incoming_pdf)
    response = api(cast.tam).post(f"/documents/{doc.pk}/register", {})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert Document.objects.get(pk=doc.pk).status == Status.RECEIVED
