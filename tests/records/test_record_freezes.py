"""Freezing a set of work records on demand (checklist point 50, decision 0027): a unit head or a security officer
freezes several records at once with a reason; while frozen, every change to them and to the documents filed in
them is refused with a clear message; lifting the freeze takes a reason; all audited; the record page shows it."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, error_of, new_token
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions as documents
from vanthu.documents.models import Status
from vanthu.org import actions as org
from vanthu.org.models import Rank, Role
from vanthu.records import actions, handover_actions
from vanthu.records.freeze_actions import freeze_records, unfreeze_records
from vanthu.records.freeze_models import RecordFreeze
from vanthu.records.models import HandoverState, Record, RecordState

FROZEN = "đang bị phong tỏa"


@pytest.fixture
def second(cast, catalogue):
    return actions.open_record(entry=catalogue.entries.get(code="02.TC"), acting=cast.lan)


@pytest.fixture
def filed(cast, record, doc):
    actions.file_document(record=record, document=doc, acting=cast.lan)
    return record


def refused(call) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        call()
    return caught.value


def test_checklist_point_50_the_head_freezes_records_and_nothing_in_them_changes(cast, filed, second, doc,
                                                                                  doc_types, incoming_pdf):
    from tests.records.conftest import incoming

    made = freeze_records(records=[filed, second], reason="Thanh tra vụ việc", acting=cast.son)
    assert len(made) == 2
    assert len({f.batch for f in made}) == 1
    other = incoming(cast, doc_types, incoming_pdf, number="126")
    attempts = [
        lambda: actions.file_document(record=filed, document=other, acting=cast.lan),
        lambda: actions.file_other(record=second, name="bien-ban.pdf", data=incoming_pdf, title="Biên bản",
                                   acting=cast.lan),
        lambda: actions.remove_item(record=filed, item=filed.items.get(), acting=cast.lan, reason="Trùng"),
        lambda: actions.close_record(record=filed, acting=cast.lan),
    ]
    for attempt in attempts:
        refusal = refused(attempt)
        assert (refusal.code, refusal.status) == ("frozen", 409)
        assert FROZEN in refusal.message
        assert "Thanh tra vụ việc" in refusal.message
    assert filed.items.count() == 1
    assert second.items.count() == 0
    assert Record.objects.get(pk=filed.pk).state == RecordState.OPEN
    # the document filed there does not change either
    refusal = refused(lambda: documents.cancel_entry(document=doc, acting=cast.lan, reason="Vào sổ nhầm"))
    assert refusal.code == "frozen"
    assert "01.TC" in refusal.message
    doc.refresh_from_db()
    assert doc.status != Status.VOIDED
    # audited: on each record (its history) and the order itself
    assert AuditEvent.objects.filter(verb="records.record.frozen").count() == 2
    assert AuditEvent.objects.get(verb="records.records.frozen").data["reason"] == "Thanh tra vụ việc"
    assert AuditEvent.objects.filter(verb="records.record.closed.refused").exists()


def test_checklist_point_50_lifting_the_freeze_takes_a_reason_and_changes_flow_again(cast, filed, doc):
    freeze_records(records=[filed], reason="Kiểm tra", acting=cast.hung)
    assert refused(lambda: unfreeze_records(records=[filed], reason="  ", acting=cast.hung)).code == "required"
    assert unfreeze_records(records=[filed], reason="Kiểm tra xong", acting=cast.hung) == 1
    row = RecordFreeze.objects.get(record=filed)
    assert (row.lifted_by, row.lift_reason) == (cast.hung, "Kiểm tra xong")
    actions.close_record(record=filed, acting=cast.lan)
    assert Record.objects.get(pk=filed.pk).state == RecordState.CLOSED
    # frozen again, a closed record is not reopened
    freeze_records(records=[filed], reason="Kiểm tra lần hai", acting=cast.son)
    assert refused(lambda: actions.reopen_record(record=filed, acting=cast.lan, reason="Bổ sung")).code == "frozen"
    assert AuditEvent.objects.filter(verb="records.record.unfrozen", target_id=str(filed.pk)).count() == 1


def test_checklist_point_50_only_heads_and_security_officers_freeze(cast, record):
    for who in (cast.lan, cast.quang, cast.tam, cast.dung, cast.admin):
        refusal = refused(lambda who=who: freeze_records(records=[record], reason="Thử", acting=who))
        assert refusal.status == 403, who
    assert not RecordFreeze.objects.exists()
    bao = org.create_person(username="bao", password="x", full_name="Lý Văn Bảo", unit=cast.office,
                            acting=TEST_FIXTURES, rank=Rank.THIEU_TA, position="Trợ lý bảo mật",
                            clearance=Secrecy.TOP_SECRET, roles=(Role.OFFICER,))
    org.grant_role(person=bao, unit=cast.command, role=Role.SECURITY, acting=TEST_FIXTURES)
    freeze_records(records=[record], reason="Bảo vệ bí mật", acting=bao)
    assert refused(lambda: freeze_records(records=[record], reason="Lần hai", acting=cast.son)).code == "frozen"
    assert refused(lambda: freeze_records(records=[], reason="Trống", acting=cast.son)).code == "required"


def test_checklist_point_50_a_handover_does_not_move_a_frozen_record(cast, record, viet):
    handover = handover_actions.draw_up_handover(giver=cast.lan, receiver=viet, reason="Chuyển công tác",
                                                 acting=cast.lan)
    freeze_records(records=[record], reason="Thanh tra", acting=cast.son)
    assert refused(lambda: handover_actions.confirm_handover(handover=handover, acting=viet)).code == "frozen"
    handover.refresh_from_db()
    assert handover.state != HandoverState.DONE
    assert Record.objects.get(pk=record.pk).creator == cast.lan


def test_checklist_point_50_the_pages_freeze_a_selection_and_the_record_shows_it(client, cast, filed, second):
    client.force_login(cast.son.user)
    page = client.get("/ho-so/phong-toa/?q=TC")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'data-record="{filed.pk}"' in text
    assert f'data-record="{second.pk}"' in text
    done = client.post("/ho-so/phong-toa/", {"records": [filed.pk, second.pk], "reason": "Thanh tra",
                                             "do": "freeze"})
    assert done.status_code == 302
    assert RecordFreeze.objects.filter(lifted_at__isnull=True).count() == 2
    record_page = client.get(f"/ho-so/{filed.pk}/").content.decode()
    assert "data-frozen" in record_page
    assert "Hồ sơ đang bị phong tỏa" in record_page
    assert "Thanh tra" in record_page
    assert "Phong tỏa hồ sơ" in record_page
    client.post("/ho-so/phong-toa/", {"records": [second.pk], "reason": "Xong", "do": "unfreeze"})
    assert RecordFreeze.objects.filter(lifted_at__isnull=True).get().record_id == filed.pk

    client.force_login(cast.lan.user)  # the clerk sees the freeze, and may neither lift it nor open the page
    assert "Hồ sơ đang bị phong tỏa" in client.get(f"/ho-so/{filed.pk}/").content.decode()
    assert client.get("/ho-so/phong-toa/").status_code == 404
    assert client.post("/ho-so/phong-toa/", {"records": [filed.pk], "reason": "x", "do": "unfreeze"}
                       ).status_code == 404
    assert RecordFreeze.objects.filter(lifted_at__isnull=True).count() == 1
    item = filed.items.get()
    refusal = client.post(f"/ho-so/{filed.pk}/muc/{item.pk}/loai/", {"reason": "Trùng"}, follow=True)
    assert "(lý do: Thanh tra)" in refusal.content.decode()  # the refusal's message, not the page's banner
    assert filed.items.count() == 1


def test_checklist_point_50_the_api_freezes_and_unfreezes_and_refuses_changes(cast, filed, doc):
    son = ApiClient(new_token(cast.son))
    answer = son.post("/records/freeze", {"records": [filed.pk], "reason": "Thanh tra"})
    assert answer.status_code == 200, answer.content
    [row] = answer.json()
    assert row["frozen"] is True
    assert row["reason"] == "Thanh tra"
    assert row["frozen_by"]["id"] == cast.son.pk
    lan = ApiClient(new_token(cast.lan))
    closing = lan.post(f"/records/{filed.pk}/close")
    assert closing.status_code == 409
    assert error_of(closing)["code"] == "frozen"
    assert lan.post("/records/unfreeze", {"records": [filed.pk], "reason": "x"}).status_code == 404
    outsider = ApiClient(new_token(cast.dung))  # a head, but not of the Staff
    assert outsider.post("/records/unfreeze", {"records": [filed.pk], "reason": "x"}).status_code == 404
    assert error_of(son.post("/records/freeze", {"records": [filed.pk], "reason": "Lần hai"}))["code"] == "frozen"
    lifted = son.post("/records/unfreeze", {"records": [filed.pk], "reason": "Xong"})
    assert lifted.status_code == 200
    assert lifted.json()[0]["frozen"] is False
    assert lan.post(f"/records/{filed.pk}/close").status_code == 200


def test_the_refusal_reads_in_english_for_an_english_caller(cast, filed):
    freeze_records(records=[filed], reason="Thanh tra", acting=cast.son)
    closing = ApiClient(new_token(cast.lan), language="en").post(f"/records/{filed.pk}/close")
    assert "frozen" in error_of(closing)["message"]
