"""Receiving and registering incoming documents through the pages, and every kind of bad input.

Each bad input gets a Vietnamese message next to its field, the form keeps what was typed, and nothing
is saved (no document, no number taken).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from tests.conftest import checked
from tests.pages.conftest import incoming_data
from vanthu.core import files
from vanthu.documents import actions as documents
from vanthu.documents.models import Direction, Document, DocumentFile, ReceivedVia, Register, Status

NEW = "/documents/incoming/new/"


def form(doc_types, cast, upload, **overrides):
    """The clerk's form in the order a browser sends it: the file last."""
    values = {
        "client_token": str(uuid.uuid4()),
        "unit": str(cast.command.pk),
        "arrival_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "received_via": "paper",
        "doc_type": str(doc_types["Công văn"].pk),
        "code_number": "1530",
        "code_notation": "BQP-TM",
        "issued_date": "2026-01-05",
        "organ_name": "Bộ Quốc phòng",
        "subject": "V/v ứng phó khẩn cấp với bão số 5",
        "urgency": "3",
        "secrecy": "0",
        "signer_name": "Nguyễn Văn An",
        "signer_position": "Thứ trưởng",
        "page_amount": "",
        "due_date": "",
        "description": "",
    }
    values.update(overrides)
    if upload is not None:
        values["file"] = upload
    return values


def pdf_upload(data: bytes, name: str = "cong-van.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("mat-khau", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def hoa(client, cast):
    client.force_login(cast.hoa.user)
    return client


def test_hoa_registers_a_scanned_document_and_sees_its_incoming_number(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf)), follow=True)
    document = Document.objects.get()
    assert document.number == 1
    assert document.status == Status.REGISTERED
    assert document.unit == cast.command
    assert document.urgency == 3
    assert document.notation == "1530/BQP-TM"
    assert page.redirect_chain[-1][0] == f"/documents/{document.pk}/"
    assert "Đã vào sổ văn bản đến, số đến 1." in page.content.decode()


def test_register_and_continue_returns_to_an_empty_form(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, {**form(doc_types, cast, pdf_upload(incoming_pdf)), "then": "new"}, follow=True)
    assert page.redirect_chain[-1][0] == NEW
    assert "số đến 1" in page.content.decode()


def test_the_form_proposes_now_as_arrival_time_and_the_top_clerk_unit(hoa, cast):
    text = hoa.get(NEW).content.decode()
    assert f'<option value="{cast.command.pk}" selected>' in text
    assert timezone.localtime().strftime("%Y-%m-%dT") in text
    assert 'name="client_token"' in text


def test_officer_quang_gets_404_for_the_receiving_form(client, cast):
    client.force_login(cast.quang.user)
    assert client.get(NEW).status_code == 404


def assert_refused(page, *messages: str) -> None:
    text = page.content.decode()
    assert page.status_code == 200
    for message in messages:
        assert message in text, message
    assert "Chưa lưu được." in text
    assert not Document.objects.exists()
    assert not Register.objects.filter(last_number__gt=0).exists()


def test_wrong_file_type_is_refused(hoa, cast, doc_types):
    upload = SimpleUploadedFile("cong-van.pdf", b"day khong phai pdf", content_type="application/pdf")
    page = hoa.post(NEW, form(doc_types, cast, upload))
    assert_refused(page, "Tệp “cong-van.pdf” không phải là tệp PDF hợp lệ.")
    assert "V/v ứng phó khẩn cấp với bão số 5" in page.content.decode()  # typed values kept


def test_extension_not_matching_the_content_is_refused(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf, "cong-van.docx")))
    assert_refused(page, "Tên tệp “cong-van.docx” không khớp với nội dung (nội dung là PDF).")


def test_corrupt_pdf_is_refused(hoa, cast, doc_types):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF")))
    assert_refused(page, "bị hỏng hoặc không đọc được như một tệp PDF.")


def test_encrypted_pdf_is_refused(hoa, cast, doc_types):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(encrypted_pdf())))
    assert_refused(page, "được mã hóa bằng mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.")


def test_oversize_file_is_stopped_with_the_size_message_and_typed_fields_kept(hoa, cast, doc_types, incoming_pdf,
                                                                             settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = len(incoming_pdf) // 3
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf)))
    assert_refused(page, "Tệp vượt quá dung lượng cho phép (1 MB).")
    assert "V/v ứng phó khẩn cấp với bão số 5" in page.content.decode()


def test_missing_fields_are_named(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), subject="", organ_name="", doc_type=""))
    assert_refused(page, "Hãy nhập trích yếu nội dung.", "Hãy nhập cơ quan ban hành.", "Hãy chọn loại văn bản.")


def test_missing_file_is_named(hoa, cast, doc_types):
    assert_refused(hoa.post(NEW, form(doc_types, cast, None)), "Hãy chọn tệp văn bản.")


def test_over_long_fields_follow_appendix_vi_lengths(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), subject="x" * 501, code_number="1" * 12,
                              code_notation="K" * 31))
    assert_refused(page, "Dài quá 500 ký tự (đang có 501 ký tự).", "Dài quá 11 ký tự (đang có 12 ký tự).",
                   "Dài quá 30 ký tự (đang có 31 ký tự).")


def test_deadline_in_the_past_is_refused_next_to_the_field(hoa, cast, doc_types, incoming_pdf):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), due_date=yesterday))
    assert_refused(page, "Hạn xử lý không được ở trong quá khứ.")
    assert 'id="id_due_date_error"' in page.content.decode()


def test_issue_date_in_the_future_is_refused(hoa, cast, doc_types, incoming_pdf):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), issued_date=tomorrow))
    assert_refused(page, "Ngày ban hành không được sau ngày hôm nay.")


def test_arrival_in_the_future_is_refused(hoa, cast, doc_types, incoming_pdf):
    later = (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), arrival_at=later))
    assert_refused(page, "Ngày đến không được ở trong tương lai.")


def test_secrecy_above_the_clerks_clearance_is_refused(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), secrecy="3"))
    assert_refused(page, "Bạn không được tiếp cận văn bản có độ mật này.")


def test_a_unit_where_she_is_not_clerk_is_refused(hoa, cast, doc_types, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), unit=str(cast.staff.pk)))
    assert_refused(page, "Bạn không phải văn thư của đơn vị này.")


def test_double_submit_makes_one_document_and_leads_to_it(hoa, cast, doc_types, incoming_pdf):
    values = form(doc_types, cast, pdf_upload(incoming_pdf))
    first = hoa.post(NEW, values)
    values["file"] = pdf_upload(incoming_pdf)
    second = hoa.post(NEW, values, follow=True)
    document = Document.objects.get()
    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == f"/documents/{document.pk}/"
    assert "Văn bản này đã được vào sổ (số đến 1); không tạo thêm." in second.content.decode()
    assert Register.objects.get().last_number == 1


# --- a document arriving from another unit of the tree (status "Chờ vào sổ") ---------------------------------


@pytest.fixture
def arrived(cast, doc_types, incoming_pdf):
    """What issuance inside the tree leaves in the Staff's queue: an incoming document waiting to be registered."""
    stored = files.store_bytes(incoming_pdf, content_type="application/pdf")
    document = Document.objects.create(
        direction=Direction.INCOMING, status=Status.RECEIVED, unit=cast.staff, doc_type=doc_types["KH"],
        code_number="12", code_notation="KH-BTL", issued_date=timezone.localdate(), organ_name="Bộ Tư lệnh Quân khu 10",
        subject="Kế hoạch huấn luyện năm 2027", arrival_at=timezone.now(), received_via=ReceivedVia.INTERNAL,
        current_file=stored, created_by=cast.hoa,
    )
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name="12_KH-BTL.pdf", file=stored,
                                added_by=cast.hoa)
    return document


def test_lan_sees_the_arrival_waiting_and_registers_it(client, cast, arrived):
    client.force_login(cast.lan.user)
    assert "Chờ vào sổ" in client.get("/").content.decode()
    check_page = client.get(f"/documents/{arrived.pk}/register/").content.decode()
    assert "Kiểm tra và vào sổ văn bản đến" in check_page
    assert "Kế hoạch huấn luyện năm 2027" in check_page
    values = {
        "expected_version": str(arrived.version), "doc_type": str(arrived.doc_type_id), "code_number": "12",
        "code_notation": "KH-BTL", "issued_date": timezone.localdate().isoformat(),
        "organ_name": "Bộ Tư lệnh Quân khu 10", "subject": "Kế hoạch huấn luyện năm 2027", "urgency": "0",
        "secrecy": "0", "received_via": "internal",
    }
    page = client.post(f"/documents/{arrived.pk}/register/", values, follow=True)
    arrived.refresh_from_db()
    assert arrived.status == Status.REGISTERED
    assert arrived.number == 1
    assert "Đã vào sổ văn bản đến, số đến 1." in page.content.decode()


def test_registering_a_changed_arrival_is_refused_as_a_concurrent_edit(client, cast, arrived):
    client.force_login(cast.lan.user)
    values = {
        "expected_version": str(arrived.version - 1 if arrived.version > 1 else arrived.version + 5),
        "doc_type": str(arrived.doc_type_id), "organ_name": "Bộ Tư lệnh Quân khu 10",
        "subject": "Kế hoạch huấn luyện năm 2027 (sửa)", "urgency": "0", "secrecy": "0", "received_via": "internal",
    }
    page = client.post(f"/documents/{arrived.pk}/register/", values)
    text = page.content.decode()
    assert "Văn bản vừa được người khác thay đổi." in text
    assert "Kế hoạch huấn luyện năm 2027 (sửa)" in text
    arrived.refresh_from_db()
    assert arrived.status == Status.RECEIVED
    assert arrived.number is None


def test_lan_returns_a_misaddressed_arrival_with_a_reason(client, cast, arrived):
    client.force_login(cast.lan.user)
    empty = client.post(f"/documents/{arrived.pk}/return/", {"reason": ""})
    assert "Hãy ghi lý do." in empty.content.decode()
    page = client.post(f"/documents/{arrived.pk}/return/", {"reason": "Gửi nhầm đơn vị."}, follow=True)
    arrived.refresh_from_db()
    assert arrived.status == Status.RETURNED
    assert arrived.return_reason == "Gửi nhầm đơn vị."
    assert "Đã trả lại văn bản cho nơi gửi." in page.content.decode()


def test_only_the_units_clerk_may_register_an_arrival(client, cast, arrived):
    client.force_login(cast.son.user)  # leads the Staff: sees it, but registering is the clerk's work
    assert client.get(f"/documents/{arrived.pk}/").status_code == 200
    assert client.get(f"/documents/{arrived.pk}/register/").status_code == 404
    client.force_login(cast.tam.user)
    assert client.get(f"/documents/{arrived.pk}/register/").status_code == 404


def test_clerk_corrects_metadata_and_a_stale_form_is_refused(client, cast, doc_types, staff_document):
    client.force_login(cast.lan.user)
    url = f"/documents/{staff_document.pk}/edit/"
    assert "Số đến và thời gian đến không thay đổi." in client.get(url).content.decode()
    values = {"expected_version": str(staff_document.version), "doc_type": str(doc_types["Công văn"].pk),
              "organ_name": "Bộ Quốc phòng", "subject": "V/v diễn tập phòng thủ năm 2026", "urgency": "0",
              "secrecy": "0", "received_via": "paper", "code_number": "125", "code_notation": "BQP-TM"}
    assert client.post(url, values).status_code == 302
    stale = client.post(url, {**values, "subject": "V/v bản cũ"})
    assert "Văn bản vừa được người khác thay đổi." in stale.content.decode()
    staff_document.refresh_from_db()
    assert staff_document.subject == "V/v diễn tập phòng thủ năm 2026"


def test_registering_takes_gap_free_numbers_after_a_refusal(hoa, cast, doc_types, incoming_pdf):
    hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), subject=""))
    hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf)))
    documents.register_incoming(unit=cast.command, acting=cast.hoa, data=incoming_data(doc_types),
                                file=checked(incoming_pdf))
    assert sorted(Document.objects.values_list("number", flat=True)) == [1, 2]


def test_flash_timed_without_its_time_is_refused_on_the_form(client, cast, doc_types, incoming_pdf):
    client.force_login(cast.hoa.user)
    response = client.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), urgency="4"))
    assert response.status_code == 200
    assert "Văn bản hỏa tốc hẹn giờ phải ghi giờ hẹn." in response.content.decode()
    assert not Document.objects.exists()
    at = (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    done = client.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf), urgency="4", urgent_until=at))
    assert done.status_code == 302
    assert Document.objects.get().urgent_until is not None
