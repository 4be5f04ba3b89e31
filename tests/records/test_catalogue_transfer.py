"""The catalogue (drafted, approved by the head, published, copied forward), the archive transfer (due list with
the configurable legal time and threshold, reminders through notify's pass, submission, the archive's acceptance,
read-only afterwards) and the prints of Phụ lục V/VI."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.records.conftest import YEAR
from vanthu.core.errors import ActionRefused
from vanthu.notify.models import Notification
from vanthu.notify.reminders import run_pass
from vanthu.records import actions, catalogue_actions, transfer_actions
from vanthu.records.models import Catalogue, CatalogueEntry, CatalogueState, RecordState, TransferState
from vanthu.records.queries import transfer_candidates, transfer_deadline
from vanthu.reports import records_prints


def test_only_the_head_approves_and_a_clerk_publishes(cast):
    """Checklist point 36."""
    cat = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR, acting=cast.lan, copy_previous=False)
    catalogue_actions.add_entry(catalogue=cat, code="01.TC", title="Hồ sơ", retention_years=5, acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        catalogue_actions.approve_catalogue(catalogue=cat, acting=cast.lan)
    assert refused.value.status == 403
    with pytest.raises(ActionRefused):
        catalogue_actions.publish_catalogue(catalogue=cat, acting=cast.lan)
    catalogue_actions.approve_catalogue(catalogue=cat, acting=cast.son)
    published = catalogue_actions.publish_catalogue(catalogue=cat, acting=cast.lan)
    assert published.state == CatalogueState.PUBLISHED
    assert published.approved_by == cast.son
    with pytest.raises(ActionRefused) as refused:
        catalogue_actions.add_entry(catalogue=cat, code="02.TC", title="Thêm", retention_years=5, acting=cast.lan)
    assert refused.value.code == "not_draft"


def test_an_outsider_drafts_no_catalogue_for_another_unit(cast):
    with pytest.raises(ActionRefused) as refused:
        catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR, acting=cast.tam)
    assert refused.value.status == 403
    assert not Catalogue.objects.exists()


def test_an_entry_with_a_retention_out_of_range_or_a_duplicate_code_is_refused(cast, catalogue):
    draft = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR + 1, acting=cast.lan, copy_previous=False)
    catalogue_actions.add_entry(catalogue=draft, code="01", title="Hồ sơ", retention_years=5, acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        catalogue_actions.add_entry(catalogue=draft, code="02", title="Hồ sơ", retention_years=0, acting=cast.lan)
    assert refused.value.code == "retention_range"
    with pytest.raises(ActionRefused) as refused:
        catalogue_actions.add_entry(catalogue=draft, code="01", title="Khác", retention_years=5, acting=cast.lan)
    assert refused.value.code == "duplicate"
    assert draft.entries.count() == 1


def test_next_years_catalogue_is_copied_forward(cast, catalogue, record):
    nxt = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR + 1, acting=cast.lan)
    assert nxt.copied_from == catalogue
    assert nxt.state == CatalogueState.DRAFT
    assert list(nxt.entries.values_list("code", "retention_years", "heading__title")) == [
        ("01.TC", 10, "Công tác tác chiến, huấn luyện"), ("02.TC", None, "Công tác tác chiến, huấn luyện")]
    assert CatalogueEntry.objects.get(catalogue=nxt, code="01.TC").responsible == cast.lan
    with pytest.raises(ActionRefused) as refused:
        catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR + 1, acting=cast.lan)
    assert refused.value.code == "exists"


def test_the_legal_time_is_configurable(settings):
    """Checklist point 40."""
    assert transfer_deadline(2025) == dt.date(2026, 12, 31)
    settings.RECORDS_TRANSFER_MONTHS = 3
    assert transfer_deadline(2025) == dt.date(2026, 3, 31)


def _closed(cast, record, doc):
    actions.file_document(record=record, document=doc, acting=cast.lan)
    return actions.close_record(record=record, acting=cast.lan)


def test_closed_records_reaching_the_threshold_are_due(cast, catalogue, record, doc, settings):
    """Checklist point 40."""
    short = actions.open_ad_hoc_record(unit=cast.staff, year=YEAR, code="05.TC", title="Hồ sơ ngắn hạn",
                                       retention_years=2, acting=cast.lan)
    _closed(cast, record, doc)
    _closed(cast, short, doc)
    assert list(transfer_candidates(cast.staff, YEAR)) == [record]
    settings.RECORDS_TRANSFER_MIN_YEARS = 1
    assert set(transfer_candidates(cast.staff, YEAR)) == {record, short}


def test_the_reminder_pass_alerts_the_clerks_as_the_deadline_nears(cast, catalogue, record, doc, settings):
    """Checklist point 40."""
    _closed(cast, record, doc)
    deadline = transfer_deadline(YEAR)
    run_pass(deadline - dt.timedelta(days=40))
    assert not Notification.objects.filter(key__startswith="records.transfer").exists()
    run_pass(deadline)
    note = Notification.objects.get(key=f"records.transfer:{cast.staff.pk}:{YEAR}:due")
    assert note.person == cast.lan
    assert "Nộp lưu 1 hồ sơ năm" in note.title


def test_submitting_and_accepting_makes_the_record_the_archives(cast, catalogue, record, doc):
    """Checklist point 40."""
    _closed(cast, record, doc)
    with pytest.raises(ActionRefused):
        transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.minh)
    transfer = transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.lan)
    record.refresh_from_db()
    assert record.transfer == transfer
    assert record.state == RecordState.CLOSED
    assert Notification.objects.filter(person=cast.hoa, key=f"records.transfer:{transfer.pk}:submitted").exists()
    with pytest.raises(ActionRefused) as refused:
        actions.reopen_record(record=record, acting=cast.lan, reason="Bổ sung")
    assert refused.value.code == "archived"
    with pytest.raises(ActionRefused) as refused:
        transfer_actions.accept_transfer(transfer=transfer, acting=cast.lan)  # the unit is not its own archive
    assert refused.value.status == 403
    transfer_actions.accept_transfer(transfer=transfer, acting=cast.hoa)
    record.refresh_from_db()
    transfer.refresh_from_db()
    assert record.state == RecordState.TRANSFERRED
    assert transfer.state == TransferState.ACCEPTED
    assert transfer.accepted_by == cast.hoa
    with pytest.raises(ActionRefused) as refused:
        actions.file_document(record=record, document=doc, acting=cast.lan)
    assert refused.value.code == "archived"


def test_an_open_or_short_lived_record_is_not_transferred(cast, catalogue, record, doc):
    with pytest.raises(ActionRefused) as refused:
        transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.lan, record_ids=[record.pk])
    assert refused.value.code == "not_due"
    record.refresh_from_db()
    assert record.transfer is None


def _pdf_fonts_embedded(data: bytes) -> bool:
    return data.startswith(b"%PDF") and b"/FontFile2" in data


def test_the_prints_are_pdf_with_embedded_fonts_and_xlsx(cast, catalogue, record, doc):
    """Checklist point 31."""
    _closed(cast, record, doc)
    transfer = transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.lan)
    sheets = [records_prints.record_items_sheet(record, person=cast.lan), records_prints.catalogue_sheet(catalogue),
              records_prints.transfer_sheet(transfer)]
    for sheet in sheets:
        assert len(sheet.headers) == 7
        assert _pdf_fonts_embedded(records_prints.render_pdf(sheet))
        book = load_workbook(io.BytesIO(records_prints.render_xlsx(sheet)))
        values = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
        assert sheet.title in values
    rows = load_workbook(io.BytesIO(records_prints.render_xlsx(sheets[2]))).active.iter_rows(values_only=True)
    assert any(row[1] == "01.TC" and row[4] == "10 năm" for row in rows)


def test_the_document_list_print_keeps_the_secret_mark_and_hides_what_one_may_not_see(cast, record, doc_types,
                                                                                       incoming_pdf, viet):
    from tests.records.conftest import incoming

    secret = incoming(cast, doc_types, incoming_pdf, subject="Kế hoạch mật", secrecy=1, number="11")
    actions.file_document(record=record, document=secret, acting=cast.lan)
    for_viet = records_prints.record_items_sheet(record, person=viet)
    for_lan = records_prints.record_items_sheet(record, person=cast.lan)
    assert for_viet.mark == "MẬT"
    assert for_lan.mark == "MẬT"
    assert "Kế hoạch mật" not in " ".join(for_viet.rows[0])
    assert "MẬT" in for_viet.rows[0][6]
    assert "Kế hoạch mật" in " ".join(for_lan.rows[0])


def test_settings_out_of_range_are_system_check_errors(settings):
    from vanthu.records.system_checks import check_records

    assert check_records() == []
    settings.RECORDS_TRANSFER_MONTHS = 0
    settings.RECORDS_TRANSFER_MIN_YEARS = 100
    assert [e.id for e in check_records()] == ["vanthu.E070", "vanthu.E071"]
