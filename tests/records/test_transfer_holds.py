"""Checklist point 40 (issue 14): the time to the archive per kind of record (construction records 3 months after
the final settlement, the others within 1 year), the reminders that follow each record's date, and keeping a
record back at most 2 years with the head of the agency's approval (Decree 30 Điều 30)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.records.conftest import YEAR
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.notify.models import Notification
from vanthu.notify.reminders import run_pass
from vanthu.records import actions, catalogue_actions, hold_actions, periods, transfer_actions
from vanthu.records.models import HoldState, RecordHold, RecordKind
from vanthu.records.queries import transfer_deadline


@pytest.fixture
def kinds(cast):
    """The Staff's approved catalogue of this year: 01.TC (any record, 10 years) and 03.XD (construction of the
    training ground, permanent)."""
    cat = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR, acting=cast.lan, copy_previous=False)
    catalogue_actions.add_entry(catalogue=cat, code="01.TC", title="Hồ sơ huấn luyện năm", retention_years=10,
                                acting=cast.lan)
    catalogue_actions.add_entry(catalogue=cat, code="03.XD", title="Hồ sơ xây dựng thao trường", retention_years=None,
                                kind=RecordKind.CONSTRUCTION, acting=cast.lan)
    return catalogue_actions.approve_catalogue(catalogue=cat, acting=cast.son)


def _closed(cast, catalogue, code, doc, *, end=dt.date(YEAR, 3, 10)):
    record = actions.open_record(entry=catalogue.entries.get(code=code), acting=cast.lan)
    actions.file_document(record=record, document=doc, acting=cast.lan)
    return actions.close_record(record=record, acting=cast.lan, end_date=end)


def test_checklist_point_40_a_construction_record_is_due_3_months_after_its_final_settlement(cast, kinds, doc,
                                                                                            settings):
    """Checklist point 40: the construction record (settled 10/03) is due 10/06; the other record of the year
    at the year's deadline (31/12 of the next year); the construction period is a setting."""
    general = _closed(cast, kinds, "01.TC", doc)
    construction = _closed(cast, kinds, "03.XD", doc)
    assert construction.entry.kind == RecordKind.CONSTRUCTION
    assert periods.due_date(construction) == dt.date(YEAR, 6, 10)
    assert periods.due_date(general) == transfer_deadline(YEAR) == dt.date(YEAR + 1, 12, 31)
    settings.RECORDS_TRANSFER_CONSTRUCTION_MONTHS = 6
    assert periods.due_date(construction) == dt.date(YEAR, 9, 10)


def test_checklist_point_40_the_reminders_follow_each_kinds_date(cast, kinds, doc):
    """Checklist point 40: the clerk is reminded of the construction record on its own date and of the others on
    the year's deadline, each once."""
    _closed(cast, kinds, "01.TC", doc)
    _closed(cast, kinds, "03.XD", doc)
    run_pass(dt.date(YEAR, 6, 10))
    construction_key = f"records.transfer:{cast.staff.pk}:{YEAR}:{YEAR}-06-10:due"
    note = Notification.objects.get(key=construction_key)
    assert (note.person, note.title) == (cast.lan, f"Đến hạn hôm nay: Nộp lưu 1 hồ sơ năm {YEAR} của Bộ Tham mưu")
    assert not Notification.objects.filter(key=f"records.transfer:{cast.staff.pk}:{YEAR}:due").exists()
    run_pass(transfer_deadline(YEAR))
    assert Notification.objects.filter(key=f"records.transfer:{cast.staff.pk}:{YEAR}:due",
                                       title__contains="Nộp lưu 1 hồ sơ").exists()
    assert Notification.objects.filter(key=construction_key).count() == 1


def test_checklist_point_40_the_head_of_the_agency_approves_a_2_year_hold_that_moves_the_due_date(cast, kinds,
                                                                                                  doc):
    """Checklist point 40: the Staff's clerk asks to keep the construction record 24 months; the head of the
    Staff may not decide (not the head of the agency); the commander approves; the due date moves 2 years, the
    unit's default transfer leaves the record out, the reminder comes on the new date; all audited."""
    general = _closed(cast, kinds, "01.TC", doc)
    construction = _closed(cast, kinds, "03.XD", doc)
    hold = hold_actions.request_hold(record=construction, months=24, reason="Còn phục vụ nghiệm thu giai đoạn 2",
                                     acting=cast.lan)
    assert Notification.objects.filter(person=cast.hung, key=f"records.hold:{hold.pk}:requested").exists()
    with pytest.raises(ActionRefused) as refused:
        hold_actions.decide_hold(hold=hold, approve=True, acting=cast.son)
    assert refused.value.status == 403
    assert periods.due_date(construction) == dt.date(YEAR, 6, 10)  # a request alone moves nothing
    hold_actions.decide_hold(hold=hold, approve=True, acting=cast.hung, note="Đồng ý")
    hold.refresh_from_db()
    assert (hold.state, hold.decided_by) == (HoldState.APPROVED, cast.hung)
    construction.refresh_from_db()
    assert periods.due_date(construction) == dt.date(YEAR + 2, 6, 10)
    assert Notification.objects.filter(person=cast.lan, key=f"records.hold:{hold.pk}:decided").exists()
    verbs = list(AuditEvent.objects.filter(target_id=str(construction.pk), verb__startswith="records.hold.")
                 .order_by("id").values_list("verb", flat=True))
    assert verbs == ["records.hold.requested", "records.hold.decided.refused", "records.hold.approved"]
    run_pass(dt.date(YEAR, 6, 10))
    assert not Notification.objects.filter(key__startswith=f"records.transfer:{cast.staff.pk}").exists()
    run_pass(dt.date(YEAR + 2, 6, 10))
    assert Notification.objects.filter(key=f"records.transfer:{cast.staff.pk}:{YEAR}:{YEAR + 2}-06-10:due").exists()
    transfer = transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.lan)
    assert list(transfer.records.all()) == [general]


@pytest.mark.parametrize(("months", "code"), [(25, "months"), (0, "months")])
def test_checklist_point_40_a_hold_over_2_years_is_refused(cast, kinds, doc, months, code):
    """Checklist point 40 (bad input): a hold beyond 24 months (or of none) is refused, nothing is written."""
    record = _closed(cast, kinds, "03.XD", doc)
    with pytest.raises(ActionRefused) as refused:
        hold_actions.request_hold(record=record, months=months, reason="Còn dùng", acting=cast.lan)
    assert refused.value.code == code
    assert not RecordHold.objects.exists()


def test_checklist_point_40_holds_only_for_due_records_by_their_keepers_once(cast, kinds, doc):
    """Checklist point 40 (bad input): an open record, an outsider, a second request while one waits, a refusal
    without a reason: each refused with its error, nothing changed."""
    open_record = actions.open_record(entry=kinds.entries.get(code="01.TC"), acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        hold_actions.request_hold(record=open_record, months=6, reason="Còn dùng", acting=cast.lan)
    assert refused.value.code == "not_due"
    record = _closed(cast, kinds, "03.XD", doc)
    with pytest.raises(ActionRefused) as refused:
        hold_actions.request_hold(record=record, months=6, reason="Còn dùng", acting=cast.tam)
    assert refused.value.status == 403
    hold = hold_actions.request_hold(record=record, months=6, reason="Còn dùng", acting=cast.lan)
    with pytest.raises(ActionRefused) as refused:
        hold_actions.request_hold(record=record, months=12, reason="Thêm", acting=cast.lan)
    assert refused.value.code == "exists"
    with pytest.raises(ActionRefused) as refused:
        hold_actions.decide_hold(hold=hold, approve=False, acting=cast.hung)
    assert refused.value.code == "required"
    hold.refresh_from_db()
    assert hold.state == HoldState.REQUESTED
    assert RecordHold.objects.count() == 1
    hold_actions.decide_hold(hold=hold, approve=False, note="Đã đến hạn, nộp lưu đúng hạn", acting=cast.hung)
    assert periods.due_date(record) == dt.date(YEAR, 6, 10)


def test_checklist_point_40_the_hold_page_asks_then_the_commander_approves(client, cast, kinds, doc):
    """Checklist point 40: the clerk asks on the record's hold page; the commander sees the request and approves
    there; the page shows the moved due date; an outsider gets 404."""
    record = _closed(cast, kinds, "03.XD", doc)
    url = f"/ho-so/{record.pk}/giu-lai/"
    client.force_login(cast.lan.user)
    page = client.get(url).content.decode()
    assert "Hồ sơ xây dựng cơ bản" in page
    assert "10/06/" in page
    response = client.post(url, {"request": "1", "months": "30", "reason": "Còn dùng"})
    assert "Không quá 02 năm" in response.content.decode() or RecordHold.objects.count() == 0
    assert not RecordHold.objects.exists()
    response = client.post(url, {"request": "1", "months": "12", "reason": "Còn phục vụ nghiệm thu"})
    assert response.status_code == 302
    client.force_login(cast.hung.user)
    page = client.get(url).content.decode()
    assert "Duyệt đề nghị giữ lại" in page
    assert client.post(url, {"decide": "1", "approve": "1", "note": ""}).status_code == 302
    page = client.get(url).content.decode()
    assert f"10/06/{YEAR + 1}" in page
    assert "Đã đồng ý" in page
    client.force_login(cast.tam.user)
    assert client.get(url).status_code == 404
