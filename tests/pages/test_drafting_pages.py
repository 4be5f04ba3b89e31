"""Drafting, versions, the review chain and approval through the pages, with bad input."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vanthu.core.choices import Secrecy
from vanthu.documents.models import Document, DraftVersion, ReviewState, ReviewStep, Status

NEW = "/drafts/new/"


def draft_form(cast, doc_types, upload, **overrides):
    values = {
        "client_token": str(uuid.uuid4()),
        "drafting_unit": str(cast.operations.pk),
        "issuing_unit": str(cast.staff.pk),
        "doc_type": str(doc_types["KH"].pk),
        "subject": "Huấn luyện chiến đấu năm 2027",
        "urgency": "0",
        "secrecy": "0",
        "due_date": "",
        "recipient_units": [str(cast.division.pk), str(cast.regiment.pk)],
        "recipient_names": "Bộ Tổng Tham mưu\nCục Tác chiến",
        "issued_amount": "5",
        "description": "",
        "note": "Bản đầu",
    }
    values.update(overrides)
    if upload is not None:
        values["file"] = upload
    return values


def pdf(data: bytes, name: str = "ke-hoach.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def quang(client, cast):
    client.force_login(cast.quang.user)
    return client


def test_quang_drafts_a_plan_with_recipients(quang, cast, doc_types, draft_pdf):
    page = quang.post(NEW, draft_form(cast, doc_types, pdf(draft_pdf)), follow=True)
    draft = Document.objects.get()
    assert draft.status == Status.DRAFT
    assert draft.unit == cast.staff
    assert draft.drafting_unit == cast.operations
    assert page.redirect_chain[-1][0] == f"/documents/{draft.pk}/"
    text = page.content.decode()
    assert "Đã tạo dự thảo." in text
    assert "Sư đoàn 301" in text
    assert "Bộ Tổng Tham mưu" in text
    assert "chưa cấp số" in text
    assert DraftVersion.objects.get().number == 1


def test_drafting_form_filters_recipient_units_and_defaults_to_own_unit(quang, cast):
    text = quang.get(NEW).content.decode()
    assert f'<option value="{cast.operations.pk}" selected>Phòng Tác chiến</option>' in text
    assert 'data-filter="#id_recipient_units-list"' in text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("ke-hoach.txt", b"van ban thuong", "không phải là tệp PDF, DOCX hợp lệ"),
        ("ke-hoach.docx", b"PK\x03\x04 not a real zip", "không phải là tệp PDF, DOCX hợp lệ"),
        ("ke-hoach.pdf", b"%PDF-1.4\ngarbage", "bị hỏng hoặc không đọc được"),
    ],
)
def test_bad_draft_files_are_refused(quang, cast, doc_types, name, data, message):
    page = quang.post(NEW, draft_form(cast, doc_types, SimpleUploadedFile(name, data)))
    assert message in page.content.decode()
    assert not Document.objects.exists()


def test_docx_without_a_document_part_is_refused(quang, cast, doc_types):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    page = quang.post(NEW, draft_form(cast, doc_types, SimpleUploadedFile("ke-hoach.docx", buffer.getvalue())))
    assert "không phải là tệp PDF, DOCX hợp lệ" in page.content.decode()
    assert not Document.objects.exists()


def test_draft_bad_fields_are_named_and_kept(quang, cast, doc_types, draft_pdf):
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = quang.post(NEW, draft_form(cast, doc_types, pdf(draft_pdf), subject="x" * 501, due_date=past))
    text = page.content.decode()
    assert "Dài quá 500 ký tự (đang có 501 ký tự)." in text
    assert not Document.objects.exists()
    page = quang.post(NEW, draft_form(cast, doc_types, pdf(draft_pdf), due_date=past))
    assert "Hạn xử lý không được ở trong quá khứ." in page.content.decode()
    assert "Bộ Tổng Tham mưu" in page.content.decode()
    assert not Document.objects.exists()


def test_drafting_for_another_units_issuer_outside_the_tree_is_refused(quang, cast, doc_types, draft_pdf):
    page = quang.post(NEW, draft_form(cast, doc_types, pdf(draft_pdf), issuing_unit=str(cast.division.pk)))
    assert "Đơn vị ban hành không hợp lệ." in page.content.decode()
    assert not Document.objects.exists()


def test_secret_draft_cannot_go_to_outside_recipients(client, cast, doc_types, draft_pdf):
    client.force_login(cast.quang.user)
    page = client.post(NEW, draft_form(cast, doc_types, pdf(draft_pdf), secrecy=str(Secrecy.CONFIDENTIAL)))
    assert "Văn bản mật không được gửi ra ngoài hệ thống bằng đường điện tử." in page.content.decode()
    assert not Document.objects.exists()


def test_double_submitted_draft_is_created_once(quang, cast, doc_types, draft_pdf):
    values = draft_form(cast, doc_types, pdf(draft_pdf))
    quang.post(NEW, values)
    values["file"] = pdf(draft_pdf)
    page = quang.post(NEW, values, follow=True)
    assert Document.objects.count() == 1
    assert "Dự thảo này đã được tạo (gửi hai lần); không tạo thêm." in page.content.decode()


def test_new_version_and_stale_edit(quang, cast, doc_types, draft, draft_pdf):
    page = quang.post(f"/documents/{draft.pk}/versions/new/",
                      {"expected_version": draft.version, "note": "Sửa theo góp ý",
                       "file": pdf(draft_pdf + b"\n% v2", "ke-hoach-v2.pdf")}, follow=True)
    assert "Đã tải lên dự thảo phiên bản 2." in page.content.decode()
    stale = quang.post(f"/documents/{draft.pk}/draft/", {
        "expected_version": draft.version, "doc_type": doc_types["KH"].pk, "subject": "Tên mới", "urgency": "0",
        "secrecy": "0",
    })
    assert "Văn bản vừa được người khác thay đổi." in stale.content.decode()
    assert "Tên mới" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.subject == "Huấn luyện chiến đấu năm 2027"
    assert draft.versions.count() == 2


def test_edit_draft_keeps_recipients_choice(quang, cast, doc_types, draft):
    text = quang.get(f"/documents/{draft.pk}/draft/").content.decode()
    assert f'value="{cast.division.pk}"' in text
    assert "checked" in text
    assert "Bộ Tổng Tham mưu" in text
    page = quang.post(f"/documents/{draft.pk}/draft/", {
        "expected_version": draft.version, "doc_type": doc_types["KH"].pk, "subject": "Huấn luyện năm 2027",
        "urgency": "1", "secrecy": "0", "recipient_units": [cast.politics.pk], "recipient_names": "",
    }, follow=True)
    assert "Đã lưu thông tin dự thảo." in page.content.decode()
    draft.refresh_from_db()
    assert [r.unit_id for r in draft.recipients.all()] == [cast.politics.pk]


def test_others_cannot_edit_quangs_draft(client, cast, draft):
    for person in (cast.lan, cast.tam, cast.minh):
        client.force_login(person.user)
        assert client.get(f"/documents/{draft.pk}/draft/").status_code == 404, person
        assert client.get(f"/documents/{draft.pk}/submit/").status_code == 404, person


def test_submit_offers_the_issuers_signers_and_runs_the_chain(client, cast, draft):
    client.force_login(cast.quang.user)
    text = client.get(f"/documents/{draft.pk}/submit/").content.decode()
    signer_select = text[text.index('name="signer"'):].split("</select>")[0]
    assert "THAM MƯU TRƯỞNG — Đại tá Hoàng Văn Sơn" in signer_select
    assert "Trần Quốc Hùng" not in signer_select
    authority = cast.son.signing_authorities.get()
    missing = client.post(f"/documents/{draft.pk}/submit/", {"expected_version": draft.version, "kind_1": "content"})
    assert "Hãy chọn người ký." in missing.content.decode()
    assert "Hãy chọn người cho ý kiến ở bước này." in missing.content.decode()
    page = client.post(f"/documents/{draft.pk}/submit/", {
        "expected_version": draft.version, "signer": authority.pk, "kind_1": "content", "reviewer_1": cast.lan.pk,
    }, follow=True)
    assert "Đã trình dự thảo." in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    assert draft.signer == cast.son

    client.force_login(cast.lan.user)
    assert "Chờ cho ý kiến dự thảo" in client.get("/").content.decode()
    no_comment = client.post(f"/documents/{draft.pk}/review/", {"decision": "return", "comment": ""})
    assert "Hãy ghi ý kiến khi trả lại dự thảo." in no_comment.content.decode()
    assert ReviewStep.objects.get().state == ReviewState.PENDING
    no_button = client.post(f"/documents/{draft.pk}/review/", {"comment": "?"})
    assert "Hãy bấm “Đồng ý” hoặc “Trả lại”." in no_button.content.decode()
    page = client.post(f"/documents/{draft.pk}/review/", {"decision": "approve", "comment": "Đúng thể thức."},
                       follow=True)
    assert "Đã đồng ý dự thảo." in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_SIGNATURE

    client.force_login(cast.son.user)
    text = client.get(f"/documents/{draft.pk}/").content.decode()
    assert "Đúng thể thức." in text
    assert "Ký số" in text


def test_signer_returns_the_draft_with_a_comment(client, cast, awaiting_signature):
    client.force_login(cast.son.user)
    empty = client.post(f"/documents/{awaiting_signature.pk}/return-for-revision/", {"comment": ""})
    assert "Hãy ghi ý kiến khi trả lại dự thảo." in empty.content.decode()
    page = client.post(f"/documents/{awaiting_signature.pk}/return-for-revision/",
                       {"comment": "Bổ sung nội dung phần II."}, follow=True)
    assert "Đã trả lại dự thảo để sửa." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.DRAFT
    assert "Người ký trả lại dự thảo. Ý kiến: Bổ sung nội dung phần II." in page.content.decode()
