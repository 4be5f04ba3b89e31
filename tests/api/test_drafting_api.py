"""Outgoing documents through the API: draft, versions, review chain, signature, issuance, recall."""

from __future__ import annotations

import base64

import pytest

from tests.api.conftest import error_of
from vanthu.core.choices import Secrecy
from vanthu.documents.models import Document, Status
from vanthu.org.models import SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import bind_remote_key, equip_cast, remote_service_signs


def draft_form(cast, doc_types, **overrides):
    data = {"doc_type": doc_types["KH"].pk, "subject": "Kế hoạch huấn luyện năm 2027",
            "drafting_unit": cast.operations.pk, "issuing_unit": cast.staff.pk,
            "recipient_units": [cast.division.pk, cast.province.pk], "note": "Bản đầu"}
    data.update(overrides)
    return data


def create_draft(client, cast, doc_types, pdf, name="du-thao.pdf", headers=None, **overrides):
    return client.upload("/drafts", draft_form(cast, doc_types, **overrides), {"file": (name, pdf)},
                         **(headers or {}))


def authority(person) -> int:
    return SigningAuthority.objects.get(person=person).pk


@pytest.fixture
def draft(cast, doc_types, draft_pdf, api):
    response = create_draft(api(cast.quang), cast, doc_types, draft_pdf)
    assert response.status_code == 201, response.content
    return response.json()


def test_officer_quang_drafts_a_plan_with_recipients(cast, draft):
    assert draft["status"] == "draft"
    assert draft["number"] is None
    assert draft["notation"] == ""
    assert draft["drafting_unit"]["id"] == cast.operations.pk
    assert draft["unit"]["id"] == cast.staff.pk
    assert {r["unit"]["id"] for r in draft["recipients"]} == {cast.division.pk, cast.province.pk}
    assert draft["versions"][0]["pdf_sha256"] == draft["current_file"]["sha256"]
    assert set(draft["allowed"]) == {"add_version", "submit"}


def test_double_submit_of_a_draft_creates_one(cast, doc_types, draft_pdf, api):
    quang = api(cast.quang)
    key = {"Idempotency-Key": "du-thao-1"}
    first = create_draft(quang, cast, doc_types, draft_pdf, headers=key)
    again = create_draft(quang, cast, doc_types, draft_pdf, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Document.objects.count() == 1


def test_over_long_draft_subject_is_refused(cast, doc_types, draft_pdf, api):
    response = create_draft(api(cast.quang), cast, doc_types, draft_pdf, subject="K" * 501)
    assert response.status_code == 422
    assert error_of(response)["field"] == "subject"
    assert not Document.objects.exists()


def test_issuer_outside_the_drafting_units_line_is_refused(cast, doc_types, draft_pdf, api):
    response = create_draft(api(cast.quang), cast, doc_types, draft_pdf, issuing_unit=cast.division.pk)
    assert response.status_code == 400
    assert error_of(response) == error_of(response) | {"code": "issuer_outside_tree", "field": "issuing_unit"}


def test_secret_draft_cannot_go_to_outside_bodies(cast, doc_types, draft_pdf, api):
    response = create_draft(api(cast.quang), cast, doc_types, draft_pdf, secrecy=Secrecy.CONFIDENTIAL,
                            recipient_names=["Ủy ban nhân dân tỉnh A"])
    assert response.status_code == 400
    assert error_of(response)["code"] == "secret_external"
    assert not Document.objects.exists()


def test_a_new_version_on_a_stale_page_is_a_409(cast, draft, draft_pdf, api):
    from vanthu.demo.pdfs import sample_draft

    quang = api(cast.quang)
    path = f"/documents/{draft['id']}/versions"
    second = quang.upload(path, {"note": "Sửa lần 1", "expected_version": draft["version"]},
                          {"file": ("v2.pdf", sample_draft(subject="Kế hoạch (sửa)"))})
    assert second.status_code == 201, second.content
    assert second.json()["number"] == 2
    stale = quang.upload(path, {"note": "Sửa lần 2", "expected_version": draft["version"]},
                         {"file": ("v3.pdf", sample_draft(subject="Kế hoạch (sửa lần 2)"))})
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "concurrent_edit"
    assert Document.objects.get(pk=draft["id"]).versions.count() == 2


def test_review_chain_then_awaiting_signature(cast, draft, api):
    quang, son, lan = api(cast.quang), api(cast.son), api(cast.lan)
    submitted = quang.post(f"/documents/{draft['id']}/submit", {
        "signer_authority": authority(cast.son),
        "reviewers": [{"kind": "content", "person": cast.son.pk}, {"kind": "format", "person": cast.lan.pk}]})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review"
    early = lan.post(f"/documents/{draft['id']}/review", {"approve": True})
    assert early.status_code == 403  # not Lan's turn yet
    assert son.post(f"/documents/{draft['id']}/review", {"approve": True, "comment": "Đồng ý"}).status_code == 200
    done = lan.post(f"/documents/{draft['id']}/review", {"approve": True})
    assert done.json()["status"] == "awaiting_signature"
    assert done.json()["approved_sha256"] == draft["current_file"]["sha256"]
    assert [s["state"] for s in done.json()["review_steps"]] == ["approved", "approved"]


def test_returning_a_draft_needs_a_comment(cast, draft, api):
    api(cast.quang).post(f"/documents/{draft['id']}/submit", {"signer_authority": authority(cast.son)})
    son = api(cast.son)
    empty = son.post(f"/documents/{draft['id']}/return-for-revision", {"comment": ""})
    assert empty.status_code == 422
    assert error_of(empty)["field"] == "comment"
    back = son.post(f"/documents/{draft['id']}/return-for-revision", {"comment": "Bổ sung mục bảo đảm"})
    assert back.status_code == 200
    assert back.json()["status"] == "draft"


def test_signing_without_a_credential_is_refused_and_the_document_is_unchanged(cast, draft, api):
    api(cast.quang).post(f"/documents/{draft['id']}/submit", {"signer_authority": authority(cast.son)})
    before = Document.objects.get(pk=draft["id"])
    response = api(cast.son).post(f"/documents/{draft['id']}/sign", {"secret": "123456", "otp": code_for(cast.son)})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "no_credential"
    assert "chưa có chứng thư số" in error["message"]
    after = Document.objects.get(pk=draft["id"])
    assert (after.status, after.current_file_id, after.version) == (Status.AWAITING_SIGNATURE,
                                                                    before.current_file_id, before.version)


def test_only_the_signer_may_sign(cast, draft, api):
    api(cast.quang).post(f"/documents/{draft['id']}/submit", {"signer_authority": authority(cast.son)})
    response = api(cast.quang).post(f"/documents/{draft['id']}/sign", {})
    assert response.status_code == 403
    assert Document.objects.get(pk=draft["id"]).status == Status.AWAITING_SIGNATURE


def test_issuing_an_unsigned_document_is_impossible(cast, draft, api):
    response = api(cast.lan).post(f"/documents/{draft['id']}/issue", {"secret": "123456"})
    assert response.status_code == 403
    assert Document.objects.get(pk=draft["id"]).status == Status.DRAFT


def test_sign_issue_and_recall_over_the_api(cast, draft, api, settings, django_capture_on_commit_callbacks):
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    settings.KEY_SCRYPT_LOG2N = 10  # the same key derivation, cheaper for tests
    equip_cast(cast, people=["son"], units=["staff"])
    doc_id = draft["id"]
    api(cast.quang).post(f"/documents/{doc_id}/submit", {"signer_authority": authority(cast.son)})
    son, lan = api(cast.son), api(cast.lan)

    wrong = son.post(f"/documents/{doc_id}/sign", {"secret": "000000", "otp": code_for(cast.son)})
    assert wrong.status_code == 400
    assert error_of(wrong)["message"]
    assert Document.objects.get(pk=doc_id).status == Status.AWAITING_SIGNATURE

    with django_capture_on_commit_callbacks(execute=True):  # the signed file is validated after commit
        signed = son.post(f"/documents/{doc_id}/sign", {"secret": SIGNING_SECRET, "otp": code_for(cast.son)})
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "signed"
    assert signed.json()["current_file"]["sha256"] != draft["current_file"]["sha256"]
    version = signed.json()["version"]
    validation = son.get(f"/documents/{doc_id}").json()["validation"]
    assert validation["sha256"] == signed.json()["current_file"]["sha256"]
    assert [s["kind"] for s in validation["signatures"]] == ["personal"]
    assert validation["signatures"][0]["intact"]

    stale = lan.post(f"/documents/{doc_id}/issue", {"secret": SIGNING_SECRET, "expected_version": version - 1,
                                                  "otp": code_for(cast.lan)})
    assert stale.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):  # the delivery jobs run after the commit
        issued = lan.post(f"/documents/{doc_id}/issue", {"secret": SIGNING_SECRET, "expected_version": version,
                                                         "otp": code_for(cast.lan)})
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["status"] == "issued"
    assert body["number"] == 1
    assert body["notation"] == "01/KH-TM"
    assert {(r["state"], r["delivery_state"]) for r in body["recipients"]} == {("sent", "waiting")}
    delivered = lan.get(f"/documents/{doc_id}").json()["recipients"]
    assert {(r["state"], r["delivery_state"]) for r in delivered} == {("received", "delivered")}
    assert {r["delivered_id"] for r in delivered} == {None}  # Lan may not see the receivers' copies
    pdf = lan.get(f"/documents/{doc_id}/files/{body['current_file']['sha256']}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"

    with django_capture_on_commit_callbacks(execute=True):  # the recall's messages and the answers to them
        recalled = lan.post(f"/documents/{doc_id}/recall", {"reason": "Sai nơi nhận"})
    assert recalled.status_code == 200
    assert recalled.json()["status"] == "recalled"
    # recall requested (13); each recipient's answer (15) then makes it recalled (issue 8)
    assert {r["state"] for r in recalled.json()["recipients"]} == {"recalling"}
    assert {r["state"] for r in lan.get(f"/documents/{doc_id}").json()["recipients"]} == {"recalled"}


def test_docx_draft_is_converted_to_the_pdf_that_is_reviewed(cast, doc_types, api, django_capture_on_commit_callbacks):
    from tests.documents.docx_builder import decree30_docx

    quang = api(cast.quang)
    with django_capture_on_commit_callbacks(execute=True):  # the conversion job runs after commit
        response = create_draft(quang, cast, doc_types, decree30_docx(), name="ke-hoach.docx")
    assert response.status_code == 201, response.content
    pending = response.json()
    assert pending["current_file"] is None
    assert pending["versions"][0]["conversion"] == "pending"
    assert pending["versions"][0]["pdf_sha256"] is None
    body = quang.get(f"/documents/{pending['id']}").json()
    assert body["current_file"]["content_type"] == "application/pdf"
    assert body["versions"][0]["conversion"] == ""
    version = body["versions"][0]
    assert version["source_name"] == "ke-hoach.docx"
    assert version["source_sha256"] != version["pdf_sha256"] == body["current_file"]["sha256"]
    source = quang.get(f"/documents/{body['id']}/files/{version['source_sha256']}")
    assert source.status_code == 200
    assert source["Content-Type"].startswith("application/vnd.openxmlformats")


def test_remote_signature_over_the_api(cast, draft, api):
    equip_cast(cast, people=(), units=("staff",))
    key = bind_remote_key(cast.son, acting=cast.admin)
    api(cast.quang).post(f"/documents/{draft['id']}/submit", {"signer_authority": authority(cast.son)})
    son = api(cast.son)

    direct = son.post(f"/documents/{draft['id']}/sign", {"secret": "123456", "otp": code_for(cast.son)})
    assert direct.status_code == 400
    assert error_of(direct)["code"] == "remote_key"

    step1 = son.post(f"/documents/{draft['id']}/remote-signature")
    assert step1.status_code == 200, step1.content
    body = step1.json()
    assert body["digest_algorithm"] == "sha256"
    digest = base64.b64decode(body["digest_base64"])

    garbage = son.post(f"/documents/{draft['id']}/remote-signature/complete", {"signature_base64": "@@@"})
    assert garbage.status_code == 400
    assert error_of(garbage)["field"] == "signature_base64"

    answer = base64.b64encode(remote_service_signs(key, digest)).decode()
    outsider = api(cast.tam).post(f"/documents/{draft['id']}/remote-signature/complete", {"signature_base64": answer})
    assert outsider.status_code == 404
    done = son.post(f"/documents/{draft['id']}/remote-signature/complete", {"signature_base64": answer})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "signed"
    assert Document.objects.get(pk=draft["id"]).status == Status.SIGNED
