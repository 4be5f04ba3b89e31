"""The records through the interfaces we keep: pages (the catalogue, a record's page with its documents in
order, totals and history, filing from the document page in two clicks, the transfer list, the handover), the
JSON API, and `vanthu record list`. What one may not see is 404."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.api.conftest import ApiClient, error_of, new_token
from tests.records.conftest import YEAR, incoming
from vanthu.records import actions, transfer_actions
from vanthu.records.models import RecordItem, RecordState


@pytest.fixture
def filed(cast, record, doc):
    actions.file_document(record=record, document=doc, acting=cast.lan)
    return record


def test_the_record_page_lists_documents_in_order_with_totals_and_history(client, cast, filed, doc):
    client.force_login(cast.lan.user)
    page = client.get(f"/ho-so/{filed.pk}/").content.decode()
    assert "01.TC — Hồ sơ huấn luyện năm" in page
    assert doc.subject in page
    assert f"Tổng số: 1 văn bản, {doc.page_amount} trang." in page
    assert "Lưu văn bản vào hồ sơ" in page  # the history
    assert "Kết thúc hồ sơ" in page


def test_an_outsider_gets_404_for_the_record_its_prints_and_its_catalogue(client, cast, filed, catalogue):
    client.force_login(cast.tam.user)
    for url in (f"/ho-so/{filed.pk}/", f"/ho-so/{filed.pk}/muc-luc.pdf", f"/ho-so/danh-muc/{catalogue.pk}/",
                f"/ho-so/danh-muc/{catalogue.pk}/muc-luc.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ho-so/{filed.pk}/ket-thuc/", {"title": "x", "code": "y"}).status_code == 404


def test_filing_from_the_document_page_takes_two_clicks(client, cast, record, doc):
    client.force_login(cast.lan.user)
    document_page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert f'hx-get="/documents/{doc.pk}/ho-so/"' in document_page  # click 1 opens the panel
    panel = client.get(f"/documents/{doc.pk}/ho-so/", headers={"HX-Request": "true"}).content.decode()
    assert f'name="record" value="{record.pk}"' in panel
    response = client.post(f"/documents/{doc.pk}/ho-so/", {"record": record.pk})  # click 2 files it
    assert response.status_code == 302
    assert RecordItem.objects.filter(record=record, document=doc, ordinal=1).exists()
    again = client.post(f"/documents/{doc.pk}/ho-so/", {"record": record.pk}, follow=True).content.decode()
    assert "đã có trong hồ sơ này" in again
    assert RecordItem.objects.filter(record=record).count() == 1


def test_closing_on_the_page_with_a_draft_inside_shows_the_reason(client, cast, filed, doc_types, draft_pdf):
    from tests.conftest import checked
    from vanthu.documents import actions as documents

    draft = documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                   data=documents.DraftData(doc_type=doc_types["Công văn"], subject="Dự thảo"),
                                   file=checked(draft_pdf, "du-thao.pdf"))
    actions.file_document(record=filed, document=draft, acting=cast.lan)
    client.force_login(cast.lan.user)
    page = client.post(f"/ho-so/{filed.pk}/ket-thuc/", {"title": filed.title, "code": filed.code,
                                                        "retention_years": "10"}, follow=True).content.decode()
    assert "còn văn bản dự thảo hoặc chưa ký" in page
    filed.refresh_from_db()
    assert filed.state == RecordState.OPEN


def test_the_catalogue_and_transfer_pages(client, cast, catalogue, filed):
    actions.close_record(record=filed, acting=cast.lan)
    client.force_login(cast.lan.user)
    page = client.get(f"/ho-so/danh-muc/{catalogue.pk}/").content.decode()
    assert "Danh mục hồ sơ năm" in page
    assert "02.TC" in page
    due = client.get(f"/ho-so/nop-luu/?year={YEAR}").content.decode()
    assert "Hạn nộp lưu:" in due
    assert "01.TC" in due
    response = client.post("/ho-so/nop-luu/nop/", {"unit": cast.staff.pk, "year": YEAR, "records": [filed.pk]})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.transfer is not None
    listing = client.get(f"/ho-so/nop-luu/{filed.transfer_id}/").content.decode()
    assert "Mục lục hồ sơ nộp lưu" in listing
    assert "Lưu trữ nhận hồ sơ" not in listing  # Lan is not the archive
    pdf = client.get(f"/ho-so/nop-luu/{filed.transfer_id}/muc-luc.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    client.force_login(cast.hoa.user)
    assert "Lưu trữ nhận hồ sơ" in client.get(f"/ho-so/nop-luu/{filed.transfer_id}/").content.decode()
    client.post(f"/ho-so/nop-luu/{filed.transfer_id}/nhan/")
    filed.refresh_from_db()
    assert filed.state == RecordState.TRANSFERRED
    client.force_login(cast.minh.user)
    assert client.get(f"/ho-so/nop-luu/{filed.transfer_id}/").status_code == 404


def test_the_handover_pages(client, cast, record, viet):
    client.force_login(cast.lan.user)
    response = client.post("/ho-so/ban-giao/", {"giver": cast.lan.pk, "receiver": viet.pk, "reason": "Chuyển"})
    assert response.status_code == 302
    url = response["Location"]
    client.force_login(viet.user)
    assert "Xác nhận biên bản" in client.get(url).content.decode()
    client.post(url + "xac-nhan/")
    record.refresh_from_db()
    assert record.creator == viet
    client.force_login(cast.tam.user)
    assert client.get(url).status_code == 404


def test_the_api_files_closes_and_hides_what_one_may_not_see(cast, record, doc, doc_types, incoming_pdf, viet):
    lan = ApiClient(new_token(cast.lan))
    body = lan.post(f"/records/{record.pk}/documents", {"document": doc.pk}).json()
    assert [i["ordinal"] for i in body["items"]] == [1]
    twice = lan.post(f"/records/{record.pk}/documents", {"document": doc.pk})
    assert twice.status_code == 400
    assert error_of(twice)["code"] == "duplicate"
    secret = incoming(cast, doc_types, incoming_pdf, subject="Kế hoạch mật", secrecy=2, number="12")
    lan.post(f"/records/{record.pk}/documents", {"document": secret.pk})
    seen = ApiClient(new_token(viet)).get(f"/records/{record.pk}").json()
    hidden = seen["items"][1]
    assert hidden["visible"] is False
    assert hidden["title"] == ""
    assert hidden["secrecy"] == 2
    assert hidden["document_id"] is None
    assert ApiClient(new_token(cast.tam)).get(f"/records/{record.pk}").status_code == 404
    closed = lan.post(f"/records/{record.pk}/close", {})
    assert closed.json()["state"] == "closed"
    assert closed.json()["doc_total"] == 2
    bad = lan.post("/records", {"unit": cast.staff.pk, "year": YEAR, "code": "X1", "title": "Hồ sơ",
                                "retention_years": 100})
    assert error_of(bad)["code"] == "retention_range"


def test_the_api_files_another_file_and_removes_an_item_with_a_reason(cast, record, doc, incoming_pdf):
    """The same actions as the record page: another file (PDF/DOCX typed by content) takes the next ordinal; an
    item is taken out with a reason and the later ones move up; a wrong file type or an outsider changes nothing."""
    lan = ApiClient(new_token(cast.lan))
    lan.post(f"/records/{record.pk}/documents", {"document": doc.pk})
    added = lan.upload(f"/records/{record.pk}/files", {"title": "Biên bản họp giao ban", "dated": "2026-11-02"},
                       {"file": ("bien-ban.pdf", incoming_pdf)})
    assert added.status_code == 200, added.content
    assert [(i["ordinal"], i["kind"]) for i in added.json()["items"]] == [(1, "in"), (2, "other")]
    fake = lan.upload(f"/records/{record.pk}/files", {"title": "Ảnh"}, {"file": ("anh.pdf", b"GIF89a not a pdf")})
    assert fake.status_code in (400, 415, 422)
    assert error_of(fake)["field"] == "file"
    outsider = ApiClient(new_token(cast.tam)).post(f"/records/{record.pk}/items/1/remove", {"reason": "Trùng"})
    assert outsider.status_code == 404
    no_reason = lan.post(f"/records/{record.pk}/items/1/remove", {"reason": "  "})
    assert no_reason.status_code in (400, 422)
    assert RecordItem.objects.filter(record=record).count() == 2
    removed = lan.post(f"/records/{record.pk}/items/1/remove", {"reason": "Văn bản trùng, lưu nhầm"}).json()
    assert [(i["ordinal"], i["kind"]) for i in removed["items"]] == [(1, "other")]
    assert lan.post(f"/records/{record.pk}/items/9/remove", {"reason": "Không có"}).status_code == 404


def test_the_api_catalogue_and_transfer(cast, catalogue, record, doc):
    lan = ApiClient(new_token(cast.lan))
    nxt = lan.post("/catalogues", {"unit": cast.staff.pk, "year": YEAR + 1}).json()
    assert nxt["copied_from_id"] == catalogue.pk
    assert [e["code"] for e in nxt["entries"]] == ["01.TC", "02.TC"]
    actions.file_document(record=record, document=doc, acting=cast.lan)
    actions.close_record(record=record, acting=cast.lan)
    due = lan.get("/records-due", {"unit": cast.staff.pk, "year": YEAR}).json()
    assert [r["code"] for r in due] == ["01.TC"]
    transfer = lan.post("/transfers", {"unit": cast.staff.pk, "year": YEAR}).json()
    accepted = ApiClient(new_token(cast.hoa)).post(f"/transfers/{transfer['id']}/accept").json()
    assert accepted["state"] == "accepted"
    assert accepted["records"][0]["state"] == "transferred"


def test_the_record_list_command(cast, record, doc):
    out = io.StringIO()
    call_command("record", "list", "--json", "--user", "lan", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["code"], r["state"]) for r in rows] == [("01.TC", "open")]
    out = io.StringIO()
    call_command("record", "list", "--json", "--user", "tam", stdout=out)
    assert json.loads(out.getvalue()) == []
    actions.file_document(record=record, document=doc, acting=cast.lan)
    actions.close_record(record=record, acting=cast.lan)
    out = io.StringIO()
    call_command("record", "list", "--closed", stdout=out)
    assert "01.TC" in out.getvalue()


def test_transfer_accepting_twice_is_refused(cast, record, doc):
    actions.file_document(record=record, document=doc, acting=cast.lan)
    actions.close_record(record=record, acting=cast.lan)
    transfer = transfer_actions.submit_transfer(unit=cast.staff, year=YEAR, acting=cast.lan)
    transfer_actions.accept_transfer(transfer=transfer, acting=cast.hoa)
    from vanthu.core.errors import ActionRefused

    with pytest.raises(ActionRefused):
        transfer_actions.accept_transfer(transfer=transfer, acting=cast.hoa)


def test_the_catalogue_and_record_pages_cost_a_fixed_number_of_queries(client, cast, catalogue, record, doc_types,
                                                                       incoming_pdf, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanthu.records import catalogue_actions

    client.force_login(cast.lan.user)
    actions.file_document(record=record, document=incoming(cast, doc_types, incoming_pdf, number="1"), acting=cast.lan)
    with CaptureQueriesContext(connection) as small_catalogue:
        client.get(f"/ho-so/danh-muc/{catalogue.pk}/")
    with CaptureQueriesContext(connection) as small_record:
        client.get(f"/ho-so/{record.pk}/")
    draft = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR + 1, acting=cast.lan)
    for n in range(20):
        catalogue_actions.add_entry(catalogue=draft, code=f"1{n:02d}.TC", title=f"Hồ sơ {n}", retention_years=5,
                                    responsible=cast.lan, acting=cast.lan)
    for n in range(10):
        actions.file_document(record=record, document=incoming(cast, doc_types, incoming_pdf, number=str(50 + n)),
                              acting=cast.lan)
    with django_assert_max_num_queries(len(small_catalogue)):
        client.get(f"/ho-so/danh-muc/{draft.pk}/")
    with django_assert_max_num_queries(len(small_record)):  # one visibility query for all the documents
        client.get(f"/ho-so/{record.pk}/")
