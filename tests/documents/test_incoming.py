"""Receiving and registering incoming documents (Decree 30 Điều 20–22), and what bad input does."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.audit.models import AuditEvent
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions
from vanthu.documents.models import Document, Status
from vanthu.documents.uploads import check


def data(doc_types, **overrides):
    values = dict(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng", subject="V/v sẵn sàng chiến đấu",
                  code_number="125", code_notation="BQP-TM", issued_date=dt.date(2026, 11, 2))
    values.update(overrides)
    return actions.IncomingData(**values)


def test_clerk_registers_a_scanned_document_with_the_next_incoming_number(cast, doc_types, incoming_pdf):
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types),
                                    file=checked(incoming_pdf, "cv-125.pdf"))
    assert doc.status == Status.REGISTERED
    assert doc.number == 1
    assert doc.notation == "125/BQP-TM"
    assert doc.page_amount == 1
    assert doc.arrival_at is not None
    assert doc.current_file.read_bytes() == incoming_pdf
    event = AuditEvent.objects.get(verb="documents.incoming.registered")
    assert event.target_id == str(doc.pk)
    assert event.actor_id == cast.lan.pk


def test_officer_who_is_not_clerk_cannot_register(cast, doc_types, incoming_pdf):
    with pytest.raises(ActionRefused) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.quang, data=data(doc_types),
                                  file=checked(incoming_pdf))
    assert err.value.code == "forbidden"
    assert not Document.objects.exists()
    assert AuditEvent.objects.filter(verb="documents.incoming.registered.refused", actor_id=cast.quang.pk).exists()


def test_double_submit_creates_one_document(cast, doc_types, incoming_pdf):
    token = uuid.uuid4()
    first = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types),
                                      file=checked(incoming_pdf), client_token=token)
    with pytest.raises(actions.DuplicateSubmission) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types),
                                  file=checked(incoming_pdf), client_token=token)
    assert err.value.existing == first
    assert Document.objects.count() == 1
    assert Document.objects.get().number == 1


def test_subject_over_500_characters_is_refused_and_nothing_is_numbered(cast, doc_types, incoming_pdf):
    """Checklist point 32."""
    with pytest.raises(ActionRefused) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types, subject="x" * 501),
                                  file=checked(incoming_pdf))
    assert err.value.field == "subject"
    assert "500" in err.value.message
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types),
                                    file=checked(incoming_pdf))
    assert doc.number == 1


def test_code_number_over_11_characters_is_refused(cast, doc_types, incoming_pdf):
    """Checklist point 32."""
    with pytest.raises(ActionRefused) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types, code_number="1" * 12),
                                  file=checked(incoming_pdf))
    assert err.value.field == "code_number"


def test_deadline_in_the_past_is_refused(cast, doc_types, incoming_pdf):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ActionRefused) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types, due_date=yesterday),
                                  file=checked(incoming_pdf))
    assert err.value.code == "due_date_past"


def test_clerk_cannot_register_above_own_clearance(cast, doc_types, incoming_pdf):
    with pytest.raises(ActionRefused) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.lan,
                                  data=data(doc_types, secrecy=Secrecy.TOP_SECRET), file=checked(incoming_pdf))
    assert err.value.code == "clearance"


@pytest.mark.parametrize(
    ("payload", "name", "code"),
    [
        (b"just text, not a pdf", "van-ban.pdf", "file_type"),
        (b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "hong.pdf", "pdf_corrupt"),
        (b"", "rong.pdf", "file_empty"),
    ],
)
def test_bad_files_are_refused_with_a_reason(payload, name, code):
    with pytest.raises(ActionRefused) as err:
        check(payload, name=name)
    assert err.value.code == code
    assert name in err.value.message


def test_pdf_named_docx_is_an_extension_mismatch(incoming_pdf):
    with pytest.raises(ActionRefused) as err:
        check(incoming_pdf, name="van-ban.docx", allowed=("application/pdf",))
    assert err.value.code == "file_extension"


def test_encrypted_pdf_is_refused(incoming_pdf):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(incoming_pdf)).pages:
        writer.add_page(page)
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ActionRefused) as err:
        check(out.getvalue(), name="ma-hoa.pdf")
    assert err.value.code == "pdf_encrypted"
    assert "mật khẩu" in err.value.message


def test_oversize_file_is_refused(settings, incoming_pdf):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ActionRefused) as err:
        check(incoming_pdf + b"\n" * 2048, name="lon.pdf")
    assert err.value.code == "file_too_large"
    assert err.value.status == 413


def test_concurrent_edit_is_refused(cast, doc_types, incoming_pdf):
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types),
                                    file=checked(incoming_pdf))
    seen_version = doc.version
    actions.update_incoming(document=doc, acting=cast.lan, data=data(doc_types, subject="V/v sửa lần 1"),
                            expected_version=seen_version)
    with pytest.raises(ActionRefused) as err:
        actions.update_incoming(document=doc, acting=cast.lan, data=data(doc_types, subject="V/v sửa lần 2"),
                                expected_version=seen_version)
    assert err.value.code == "concurrent_edit"
    assert Document.objects.get(pk=doc.pk).subject == "V/v sửa lần 1"


def test_urgent_documents_come_first_in_the_clerks_queue(cast, doc_types, incoming_pdf):
    """Checklist point 23."""
    from vanthu.workflow.queries import inbox_for

    actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types, subject="V/v thường"),
                              file=checked(incoming_pdf))
    actions.register_incoming(unit=cast.staff, acting=cast.lan,
                              data=data(doc_types, subject="V/v hỏa tốc", urgency=Urgency.FLASH),
                              file=checked(incoming_pdf))
    items = [i for i in inbox_for(cast.lan).items if i.kind == "present"]
    assert [i.document.subject for i in items] == ["V/v hỏa tốc", "V/v thường"]


def test_flash_timed_needs_its_set_time(cast, doc_types, incoming_pdf):
    """Checklist point 23."""
    with pytest.raises(ActionRefused) as err:
        actions.register_incoming(unit=cast.staff, acting=cast.lan,
                                  data=data(doc_types, urgency=Urgency.FLASH_TIMED), file=checked(incoming_pdf))
    assert err.value.field == "urgent_until"
    at = timezone.now() + dt.timedelta(hours=3)
    doc = actions.register_incoming(unit=cast.staff, acting=cast.lan,
                                    data=data(doc_types, urgency=Urgency.FLASH_TIMED, urgent_until=at),
                                    file=checked(incoming_pdf))
    assert doc.urgent_until == at
    ordinary = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data(doc_types, urgent_until=at),
                                         file=checked(incoming_pdf))
    assert ordinary.urgent_until is None  # a set time means nothing without "hỏa tốc hẹn giờ"
