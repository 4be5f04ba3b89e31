"""Issue 12, item 2, through the pages: registering twice is caught (same notation, issuing body and date, or
the same file), the clerk decides with the earlier entry linked; a wrong entry is cancelled with a reason, its
number stays in the register marked cancelled and is never given again; an issued document is not cancelled."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import checked
from tests.outbox_helpers import signed_plan
from tests.pages.conftest import incoming_data
from tests.pages.test_incoming_pages import NEW, form, pdf_upload
from vanthu.audit.models import AuditEvent
from vanthu.demo.pdfs import sample_draft
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def hoa(client, cast):
    client.force_login(cast.hoa.user)
    return client


@pytest.fixture
def first(cast, doc_types, incoming_pdf):
    """The Command's số đến 1: 1530/BQP-TM of the Ministry, 05/01/2026."""
    data = incoming_data(doc_types, code_number="1530", code_notation="BQP-TM", organ_name="Bộ Quốc phòng")
    return documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data,
                                       file=checked(incoming_pdf, "cv-1530.pdf"))


def test_the_same_notation_body_and_date_is_caught_with_a_link_to_the_earlier_entry(hoa, cast, doc_types, first):
    other_file = sample_draft()  # another file: caught by the notation alone
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(other_file), organ_name="bộ quốc phòng"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Văn bản này có thể đã được vào sổ." in text
    assert f'href="/documents/{first.pk}/"' in text
    assert 'name="held"' in text
    assert "Vẫn vào sổ" in text
    assert Document.objects.count() == 1
    refused = AuditEvent.objects.get(verb="documents.incoming.registered.refused")
    assert refused.data["code"] == "possible_duplicate"


def test_the_same_file_is_caught_even_with_other_metadata(hoa, cast, doc_types, first, incoming_pdf):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf, "lan-hai.pdf"), code_number="9",
                              code_notation="KH-XYZ", organ_name="Cục Tác chiến"))
    assert "Văn bản này có thể đã được vào sổ." in page.content.decode()
    assert Document.objects.count() == 1


def test_the_clerk_registers_anyway_with_the_kept_file_and_it_is_audited(hoa, cast, doc_types, first):
    values = form(doc_types, cast, pdf_upload(sample_draft()))
    warned = hoa.post(NEW, values).content.decode()
    held = warned.split('name="held" value="')[1].split('"')[0]
    again = {k: v for k, v in values.items() if k != "file"}  # the browser does not keep the chosen file
    page = hoa.post(NEW, {**again, "held": held, "register_anyway": "1"}, follow=True)
    second = Document.objects.exclude(pk=first.pk).get()
    assert page.redirect_chain[-1][0] == f"/documents/{second.pk}/"
    assert second.number == 2
    assert second.current_file_id != first.current_file_id
    event = AuditEvent.objects.get(verb="documents.incoming.registered", target_id=str(second.pk))
    assert event.data["duplicate_of"] == [first.pk]


def test_a_held_file_is_only_for_the_clerk_it_was_kept_for(client, hoa, cast, doc_types, first):
    values = form(doc_types, cast, pdf_upload(sample_draft()))
    held = hoa.post(NEW, values).content.decode().split('name="held" value="')[1].split('"')[0]
    client.force_login(cast.lan.user)
    again = {k: v for k, v in values.items() if k != "file"}
    page = client.post(NEW, {**again, "unit": str(cast.staff.pk), "held": held, "register_anyway": "1"})
    assert page.status_code == 200
    assert Document.objects.filter(unit=cast.staff).count() == 0


def test_a_different_document_registers_without_a_warning(hoa, cast, doc_types, first):
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(sample_draft()), code_number="1531"), follow=True)
    assert "Văn bản này có thể đã được vào sổ." not in page.content.decode()
    assert Document.objects.count() == 2


def test_cancelling_an_entry_keeps_its_number_marked_and_never_reuses_it(hoa, cast, doc_types, first, incoming_pdf):
    page = hoa.post(f"/documents/{first.pk}/cancel-entry/", {"reason": "Vào sổ nhầm đơn vị"}, follow=True)
    assert "Đã hủy số đến 1; số này không cấp lại." in page.content.decode()
    first.refresh_from_db()
    assert first.status == Status.VOIDED
    assert first.number == 1
    assert first.void_reason == "Vào sổ nhầm đơn vị"
    register = hoa.get("/registers/incoming/").content.decode()
    assert "row-voided" in register
    assert "Vào sổ nhầm đơn vị" in register
    assert "Đã hủy số đến" in register
    # the same document registered again (no warning: the cancelled entry does not count) takes number 2
    page = hoa.post(NEW, form(doc_types, cast, pdf_upload(incoming_pdf)), follow=True)
    again = Document.objects.exclude(pk=first.pk).get()
    assert again.number == 2
    event = AuditEvent.objects.get(verb="documents.register.cancelled")
    assert event.data["number"] == 1
    assert event.data["reason"] == "Vào sổ nhầm đơn vị"


def test_the_printed_register_marks_the_cancelled_number(cast, first):
    from vanthu.reports.registers import RegisterPrintout, incoming_rows

    documents.cancel_entry(document=first, acting=cast.hoa, reason="Trùng số")
    register = first.register
    day = timezone.localdate(first.arrival_at)  # the register's days are Vietnam's (UTC+7), not UTC's
    printout = RegisterPrintout(unit=cast.command, kind="in", series=register.series, start=day, end=day,
                                register_ids=[register.pk])
    rows = list(incoming_rows(printout))
    assert rows[0].number == 1
    assert "ĐÃ HỦY: Trùng số" in rows[0].note


def test_cancelling_needs_a_reason_and_changes_nothing_without_one(hoa, first):
    page = hoa.post(f"/documents/{first.pk}/cancel-entry/", {"reason": "  "})
    assert "Hãy ghi lý do." in page.content.decode()
    first.refresh_from_db()
    assert first.status == Status.REGISTERED


def test_cancelling_an_issued_document_is_refused_recall_it_instead(client, cast, doc_types, draft_pdf,
                                                                    django_capture_on_commit_callbacks):
    issued = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        documents.issue_outgoing(document=issued, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    client.force_login(cast.lan.user)
    page = client.post(f"/documents/{issued.pk}/cancel-entry/", {"reason": "Nhầm"})
    assert "Văn bản đã phát hành không hủy được; hãy thu hồi văn bản." in page.content.decode()
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED
    refused = AuditEvent.objects.get(verb="documents.register.cancelled.refused")
    assert refused.data["code"] == "issued_recall_instead"


def test_a_clerk_of_another_unit_gets_404(client, cast, first):
    client.force_login(cast.lan.user)
    assert client.get(f"/documents/{first.pk}/cancel-entry/").status_code == 404
    assert client.post(f"/documents/{first.pk}/cancel-entry/", {"reason": "x"}).status_code == 404
    first.refresh_from_db()
    assert first.status == Status.REGISTERED


def test_a_directed_document_cannot_be_cancelled(hoa, cast, first):
    from vanthu.workflow import actions as workflow

    workflow.present(document=first, acting=cast.hoa, to=cast.hung)
    workflow.direct(document=first, acting=cast.hung, text="Giao Bộ Tham mưu.", lead=cast.staff)
    page = hoa.post(f"/documents/{first.pk}/cancel-entry/", {"reason": "Nhầm"})
    assert "Chỉ hủy được văn bản đã vào sổ, chưa có ý kiến chỉ đạo." in page.content.decode()
    first.refresh_from_db()
    assert first.status == Status.DIRECTED
