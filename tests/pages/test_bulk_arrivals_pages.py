"""Issue 12, item 9: bulk work for the clerk on /arrivals/ — register several arrivals, present several to one
leader, print a day's receipt slips. Over items of another unit the whole batch is refused and nothing changes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import checked
from tests.pages.conftest import incoming_data
from vanthu.audit.models import AuditEvent
from vanthu.documents import actions as documents
from vanthu.documents.models import Direction, Document, ReceivedVia, Status
from vanthu.workflow.models import Assignment, AssignmentRole


def arrival(unit, doc_types, subject: str) -> Document:
    """An electronic arrival waiting for the clerk (as the exchange leaves it: status 'Chờ vào sổ')."""
    return Document.objects.create(direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit,
                                   doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng", subject=subject,
                                   code_number=str(abs(hash(subject)) % 1000), code_notation="BQP-VP",
                                   arrival_at=timezone.now(), received_via=ReceivedVia.EXCHANGE)


@pytest.fixture
def hoa(client, cast):
    client.force_login(cast.hoa.user)
    return client


def test_the_arrivals_page_offers_selection_with_x(hoa, cast, doc_types):
    arrival(cast.command, doc_types, "V/v một")
    page = hoa.get("/arrivals/").content.decode()
    assert 'form="bulk-register"' in page
    assert "data-select" in page
    assert "vanthu/bulk.js" in page
    assert "<kbd>x</kbd>" in page


def test_the_clerk_registers_several_arrivals_at_once(hoa, cast, doc_types):
    a, b, c = (arrival(cast.command, doc_types, f"V/v {n}") for n in ("một", "hai", "ba"))
    page = hoa.post("/arrivals/bulk/register/", {"ids": [b.pk, a.pk]}, follow=True).content.decode()
    assert "Đã vào sổ 2 văn bản, số đến 1, 2." in page
    b.refresh_from_db(), a.refresh_from_db(), c.refresh_from_db()
    assert (b.status, b.number, a.status, a.number) == (Status.REGISTERED, 1, Status.REGISTERED, 2)
    assert c.status == Status.RECEIVED
    assert AuditEvent.objects.get(verb="documents.incoming.bulk_accepted").data["numbers"] == [1, 2]


def test_a_batch_with_an_item_of_another_unit_is_refused_and_nothing_changes(hoa, cast, doc_types):
    ours = arrival(cast.command, doc_types, "V/v của Bộ Tư lệnh")
    theirs = arrival(cast.staff, doc_types, "V/v của Bộ Tham mưu")
    page = hoa.post("/arrivals/bulk/register/", {"ids": [ours.pk, theirs.pk]}, follow=True).content.decode()
    assert "không thuộc đơn vị của đồng chí" in page
    ours.refresh_from_db(), theirs.refresh_from_db()
    assert ours.status == Status.RECEIVED
    assert ours.number is None
    assert theirs.status == Status.RECEIVED
    assert AuditEvent.objects.filter(verb="documents.incoming.bulk_accepted.refused").count() == 1
    assert not AuditEvent.objects.filter(verb="documents.incoming.accepted").exists()


def test_nothing_selected_is_a_clear_error(hoa):
    page = hoa.post("/arrivals/bulk/register/", {}, follow=True).content.decode()
    assert "Hãy chọn ít nhất một văn bản." in page


def test_the_clerk_presents_several_to_one_leader(hoa, cast, doc_types, incoming_pdf):
    docs = [documents.register_incoming(unit=cast.command, acting=cast.hoa, file=checked(incoming_pdf, f"{i}.pdf"),
                                        data=incoming_data(doc_types, code_number=str(i), subject=f"V/v số {i}"))
            for i in range(3)]
    page = hoa.get("/arrivals/").content.decode()
    assert "Đã vào sổ, chờ trình" in page
    assert "Thiếu tướng Trần Quốc Hùng, Tư lệnh — Bộ Tư lệnh" in page
    page = hoa.post("/arrivals/bulk/present/", {"ids": [docs[0].pk, docs[2].pk], "to": cast.hung.pk,
                                                 "note": "Kính trình Tư lệnh"}, follow=True).content.decode()
    assert "Đã trình Trần Quốc Hùng 2 văn bản." in page
    presented = Assignment.objects.filter(role=AssignmentRole.PRESENT, person=cast.hung)
    assert sorted(presented.values_list("document_id", flat=True)) == sorted([docs[0].pk, docs[2].pk])
    docs[1].refresh_from_db()
    assert docs[1].status == Status.REGISTERED


def test_presenting_a_batch_with_another_units_document_changes_nothing(hoa, cast, doc_types, incoming_pdf,
                                                                        staff_document):
    ours = documents.register_incoming(unit=cast.command, acting=cast.hoa, file=checked(incoming_pdf),
                                       data=incoming_data(doc_types, code_number="77"))
    page = hoa.post("/arrivals/bulk/present/", {"ids": [ours.pk, staff_document.pk], "to": cast.hung.pk},
                    follow=True).content.decode()
    assert "không thực hiện văn bản nào" in page
    assert not Assignment.objects.exists()
    ours.refresh_from_db()
    assert ours.status == Status.REGISTERED
    assert AuditEvent.objects.filter(verb="workflow.documents.presented.refused").count() == 1


def test_presenting_to_someone_who_is_not_a_leader_changes_nothing(hoa, cast, registered):
    page = hoa.post("/arrivals/bulk/present/", {"ids": [registered.pk], "to": cast.minh.pk},
                    follow=True).content.decode()
    assert "Chỉ trình được cho chỉ huy" in page
    assert not Assignment.objects.exists()


def test_the_receipt_slips_of_a_day(hoa, cast, registered, staff_document):
    today = timezone.localdate().isoformat()
    page = hoa.get("/arrivals/slips/", {"day": today}).content.decode()
    assert page.count('class="slip"') == 1  # the Command's, not the Staff's
    assert "PHIẾU NHẬN VĂN BẢN" in page
    assert "125/BQP-TM" in page
    assert "data-print" in page
    empty = hoa.get("/arrivals/slips/", {"day": "2020-01-01"}).content.decode()
    assert "Không có văn bản đến nào trong ngày này." in empty
    assert hoa.get("/arrivals/slips/", {"day": "not-a-day"}).status_code == 200


def test_an_officer_gets_404_for_the_slips(client, cast):
    client.force_login(cast.minh.user)
    assert client.get("/arrivals/slips/").status_code == 404
