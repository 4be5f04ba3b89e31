"""Records (Decree 30 Điều 29): opening from the catalogue and ad hoc, filing with ordinals, a document in several
records, suggestions, closing with totals and the draft/unsigned check, reopening with a reason; every bad input
refused with nothing changed and an audit entry of the refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import checked
from tests.records.conftest import YEAR, incoming
from vanthu.audit import log
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions as documents
from vanthu.documents.access import Need, allows
from vanthu.records import actions, catalogue_actions
from vanthu.records.models import CatalogueEntry, ItemKind, Record, RecordItem, RecordState
from vanthu.records.queries import items_of, suggestions


def test_a_record_opened_from_the_catalogue_takes_its_code_title_retention_and_responsible(cast, record):
    """Checklist points 36 and 37."""
    assert (record.code, record.title, record.retention_years, record.year) == ("01.TC", "Hồ sơ huấn luyện năm",
                                                                                10, YEAR)
    assert record.creator == cast.lan
    assert record.unit == cast.staff
    assert record.state == RecordState.OPEN
    assert record.file_code == f"{cast.staff.code}.{YEAR}.01.TC"
    assert [e.verb for e in log.events_for(record)] == ["records.record.opened"]


def test_a_draft_catalogue_opens_no_record(cast):
    draft = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR, acting=cast.lan, copy_previous=False)
    entry = catalogue_actions.add_entry(catalogue=draft, code="01", title="Hồ sơ", retention_years=5, acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        actions.open_record(entry=entry, acting=cast.lan)
    assert refused.value.code == "catalogue_draft"
    assert not Record.objects.exists()


def test_an_ad_hoc_record_joins_the_catalogue(cast, catalogue):
    """Checklist point 36."""
    record = actions.open_ad_hoc_record(unit=cast.staff, year=YEAR, code="09.TC", title="Hồ sơ kiểm tra đột xuất",
                                        retention_years=5, acting=cast.lan)
    entry = CatalogueEntry.objects.get(catalogue=catalogue, code="09.TC")
    assert entry.ad_hoc
    assert record.entry == entry
    assert entry.responsible == cast.lan


def test_an_ad_hoc_record_with_a_retention_out_of_range_changes_nothing(cast, catalogue):
    for years in (0, 71, 500):
        with pytest.raises(ActionRefused) as refused:
            actions.open_ad_hoc_record(unit=cast.staff, year=YEAR, code="09.TC", title="Hồ sơ", retention_years=years,
                                       acting=cast.lan)
        assert refused.value.code == "retention_range"
        assert "từ 1 đến 70 năm" in refused.value.message
    assert not CatalogueEntry.objects.filter(code="09.TC").exists()
    assert not Record.objects.exists()
    assert AuditEvent.objects.filter(verb="records.record.opened_ad_hoc.refused").count() == 3


def test_an_outsider_opens_no_record_in_another_unit(cast, catalogue):
    with pytest.raises(ActionRefused) as refused:
        actions.open_ad_hoc_record(unit=cast.staff, year=YEAR, code="09.TC", title="Hồ sơ", retention_years=5,
                                   acting=cast.tam)
    assert refused.value.status == 403


def test_filing_gives_ordinals_in_order_and_a_document_may_be_in_several_records(cast, catalogue, record, doc,
                                                                                  doc_types, incoming_pdf):
    """Checklist point 38."""
    second = incoming(cast, doc_types, incoming_pdf, subject="V/v diễn tập", number="126")
    first_item = actions.file_document(record=record, document=doc, acting=cast.lan)
    second_item = actions.file_document(record=record, document=second, acting=cast.lan)
    assert (first_item.ordinal, second_item.ordinal) == (1, 2)
    assert first_item.kind == ItemKind.INCOMING
    other = actions.open_record(entry=catalogue.entries.get(code="02.TC"), acting=cast.lan)
    item = actions.file_document(record=other, document=doc, acting=cast.lan)
    assert item.ordinal == 1
    assert set(doc.record_items.values_list("record_id", flat=True)) == {record.pk, other.pk}


def test_filing_a_document_twice_in_one_record_is_refused(cast, record, doc):
    """Checklist point 39."""
    actions.file_document(record=record, document=doc, acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        actions.file_document(record=record, document=doc, acting=cast.lan)
    assert refused.value.code == "duplicate"
    assert "đã có trong hồ sơ" in refused.value.message
    assert RecordItem.objects.filter(record=record).count() == 1
    assert AuditEvent.objects.filter(verb="records.document.filed.refused").exists()


def test_a_document_one_may_not_see_is_not_filed(cast, record, doc_types, incoming_pdf):
    command_doc = incoming(cast, doc_types, incoming_pdf, unit=cast.command, clerk=cast.hoa, number="7")
    with pytest.raises(ActionRefused) as refused:
        actions.file_document(record=record, document=command_doc, acting=cast.lan)
    assert refused.value.status == 404
    assert not RecordItem.objects.exists()


def test_other_files_are_filed_with_their_pages(cast, record, incoming_pdf):
    item = actions.file_other(record=record, name="bien-ban.pdf", data=incoming_pdf, title="Biên bản kiểm tra",
                              dated=dt.date(YEAR, 2, 1), acting=cast.lan)
    assert item.kind == ItemKind.OTHER
    assert item.pages
    assert item.file is not None
    assert item.ordinal == 1


def test_removing_an_item_closes_the_gap(cast, record, doc, doc_types, incoming_pdf):
    """Checklist points 38 and 39."""
    docs = [doc] + [incoming(cast, doc_types, incoming_pdf, number=str(200 + i)) for i in range(2)]
    items = [actions.file_document(record=record, document=d, acting=cast.lan) for d in docs]
    actions.remove_item(record=record, item=items[0], acting=cast.lan, reason="Trùng")
    assert list(record.items.values_list("document_id", "ordinal")) == [(docs[1].pk, 1), (docs[2].pk, 2)]


def test_suggestions_follow_the_document_type_and_subject(cast, catalogue, record, doc_types, incoming_pdf):
    other = actions.open_record(entry=catalogue.entries.get(code="02.TC"), acting=cast.lan)
    training = incoming(cast, doc_types, incoming_pdf, subject="V/v kế hoạch huấn luyện chiến sĩ mới")
    assert suggestions(cast.lan, training)[0] == record
    actions.file_document(record=record, document=training, acting=cast.lan)
    assert record not in suggestions(cast.lan, training)
    drill = incoming(cast, doc_types, incoming_pdf, subject="Về diễn tập phòng thủ khu vực", number="300")
    assert suggestions(cast.lan, drill)[0] == other


def test_closing_counts_documents_and_pages_and_takes_the_dates(cast, record, doc, doc_types, incoming_pdf):
    """Checklist points 37 and 39."""
    later = incoming(cast, doc_types, incoming_pdf, number="127")
    later.issued_date = dt.date(YEAR, 3, 9)
    later.save(update_fields=["issued_date"])
    actions.file_document(record=record, document=doc, acting=cast.lan)
    actions.file_document(record=record, document=later, acting=cast.lan)
    closed = actions.close_record(record=record, acting=cast.lan, title="Hồ sơ huấn luyện năm (hoàn chỉnh)",
                                  retention_years=20)
    assert closed.state == RecordState.CLOSED
    assert closed.doc_total == 2
    assert closed.page_total == doc.page_amount + later.page_amount
    assert (closed.start_date, closed.end_date) == (dt.date(YEAR, 1, 5), dt.date(YEAR, 3, 9))
    assert closed.title == "Hồ sơ huấn luyện năm (hoàn chỉnh)"
    assert closed.retention_years == 20
    with pytest.raises(ActionRefused) as refused:
        actions.file_document(record=closed, document=doc, acting=cast.lan)
    assert refused.value.code == "closed"


def test_closing_with_a_draft_inside_is_refused_and_nothing_changes(cast, record, doc, doc_types, draft_pdf):
    """Checklist point 39."""
    draft = documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                   data=documents.DraftData(doc_type=doc_types["Công văn"],
                                                            subject="Dự thảo kế hoạch huấn luyện"),
                                   file=checked(draft_pdf, "du-thao.pdf"))
    actions.file_document(record=record, document=doc, acting=cast.lan)
    actions.file_document(record=record, document=draft, acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        actions.close_record(record=record, acting=cast.lan)
    assert refused.value.code == "unfinished"
    assert "Dự thảo kế hoạch huấn luyện" in refused.value.message
    record.refresh_from_db()
    assert record.state == RecordState.OPEN
    assert record.doc_total is None
    assert AuditEvent.objects.filter(verb="records.record.closed.refused").exists()


def test_closing_an_empty_record_is_refused(cast, record):
    with pytest.raises(ActionRefused) as refused:
        actions.close_record(record=record, acting=cast.lan)
    assert refused.value.code == "empty"


def test_closing_with_a_retention_out_of_range_is_refused(cast, record, doc):
    actions.file_document(record=record, document=doc, acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        actions.close_record(record=record, acting=cast.lan, retention_years=99)
    assert refused.value.code == "retention_range"
    record.refresh_from_db()
    assert record.state == RecordState.OPEN
    assert record.retention_years == 10


def test_reopening_needs_a_reason_and_writes_it_in_the_history(cast, record, doc):
    actions.file_document(record=record, document=doc, acting=cast.lan)
    actions.close_record(record=record, acting=cast.lan)
    with pytest.raises(ActionRefused):
        actions.reopen_record(record=record, acting=cast.lan, reason="   ")
    reopened = actions.reopen_record(record=record, acting=cast.lan, reason="Bổ sung báo cáo tổng kết")
    assert reopened.state == RecordState.OPEN
    assert reopened.doc_total is None
    event = log.events_for(record).filter(verb="records.record.reopened").get()
    assert event.data["reason"] == "Bổ sung báo cáo tổng kết"


def test_only_the_unit_manages_a_record(cast, record, doc):
    with pytest.raises(ActionRefused) as refused:
        actions.file_document(record=record, document=doc, acting=cast.minh)
    assert refused.value.status == 403


def test_a_record_shows_a_secret_document_only_to_who_may_see_it_with_its_mark(cast, record, doc_types,
                                                                                incoming_pdf, viet):
    secret = incoming(cast, doc_types, incoming_pdf, subject="Kế hoạch tác chiến mật", secrecy=2, number="9")
    actions.file_document(record=record, document=secret, acting=cast.lan)
    [for_lan] = items_of(cast.lan, record)
    [for_viet] = items_of(viet, record)  # an officer of the Staff: not the unit's clerk or leader
    assert for_lan.visible
    assert for_lan.title == "Kế hoạch tác chiến mật"
    assert for_lan.secrecy_label == "Tối mật"
    assert not for_viet.visible
    assert for_viet.title == ""
    assert for_viet.secrecy_label == "Tối mật"
    assert for_viet.notation == secret.notation


def test_need_file_is_in_the_documents_registry(cast, doc):
    assert allows(cast.lan, doc, Need.FILE)
