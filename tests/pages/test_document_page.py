"""The document page: who sees it (404 otherwise), its history in Vietnamese, its files, linked documents."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanthu.documents.models import Direction, Document, Status


def test_hoa_sees_the_document_she_registered_with_its_history(client, cast, directed):
    client.force_login(cast.hoa.user)
    text = client.get(f"/documents/{directed.pk}/").content.decode()
    assert "Công văn số 125/BQP-TM" in text
    assert "V/v diễn tập phòng thủ" in text
    assert "HỎA TỐC" in text
    assert "Tiếp nhận và vào sổ văn bản đến, số đến 1" in text
    assert "Trình Trần Quốc Hùng xin ý kiến chỉ đạo" in text
    assert "Cho ý kiến chỉ đạo: Sư đoàn 301 chủ trì" in text
    assert "Phối hợp: Bộ Tham mưu" in text
    assert "documents.incoming" not in text  # no raw audit verbs


def test_direction_and_assignments_are_shown_with_deadlines(client, cast, directed):
    client.force_login(cast.hung.user)
    text = client.get(f"/documents/{directed.pk}/").content.decode()
    assert "Giao Sư đoàn 301 chủ trì, Bộ Tham mưu phối hợp." in text
    assert "Chủ trì" in text
    assert "Phối hợp" in text
    assert "Sư đoàn 301" in text
    assert directed.due_date.strftime("%d/%m/%Y") in text


def test_outsider_tam_gets_404_for_staff_document(client, cast, staff_document):
    client.force_login(cast.tam.user)
    assert client.get(f"/documents/{staff_document.pk}/").status_code == 404
    sha = staff_document.current_file_id
    assert client.get(f"/documents/{staff_document.pk}/file/{sha}/").status_code == 404


def test_missing_document_gets_the_same_404(client, cast):
    client.force_login(cast.hung.user)
    assert client.get("/documents/999999/").status_code == 404


def test_officer_quang_of_operations_gets_404_but_clerk_lan_sees_it(client, cast, staff_document):
    client.force_login(cast.quang.user)
    # Quang works in the Operations department, not the Staff itself: the Staff's register is not his
    assert client.get(f"/documents/{staff_document.pk}/").status_code == 404
    client.force_login(cast.lan.user)
    assert client.get(f"/documents/{staff_document.pk}/").status_code == 200


def test_buttons_follow_the_predicates(client, cast, registered):
    client.force_login(cast.hoa.user)
    text = client.get(f"/documents/{registered.pk}/").content.decode()
    assert f"/documents/{registered.pk}/present/" in text
    assert f"/documents/{registered.pk}/direct/" not in text
    client.force_login(cast.hung.user)
    text = client.get(f"/documents/{registered.pk}/").content.decode()
    assert f"/documents/{registered.pk}/direct/" in text
    assert f"/documents/{registered.pk}/present/" not in text


def test_document_page_costs_a_fixed_number_of_queries(client, cast, directed, django_assert_max_num_queries):
    client.force_login(cast.hoa.user)
    with CaptureQueriesContext(connection) as first:
        client.get(f"/documents/{directed.pk}/")
    with django_assert_max_num_queries(len(first)):
        client.get(f"/documents/{directed.pk}/")
    # 24, and the read recorded in the audit chain (checklist 52: lock the chain's head, insert, update; 2 more
    # for the savepoint inside a test's transaction), the usage history and whether the scan may be sealed
    assert len(first) <= 31


def test_file_is_served_inline_with_a_safe_name(client, cast, registered, incoming_pdf):
    client.force_login(cast.hoa.user)
    page = client.get(f"/documents/{registered.pk}/file/{registered.current_file_id}/")
    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    assert page["Content-Disposition"].startswith("inline;")
    assert 'filename="cv-125.pdf"' in page["Content-Disposition"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert b"".join(page.streaming_content) == incoming_pdf


def test_a_file_of_another_document_gets_404(client, cast, registered, draft):
    client.force_login(cast.hoa.user)
    assert client.get(f"/documents/{registered.pk}/file/{draft.current_file_id}/").status_code == 404
    assert client.get(f"/documents/{registered.pk}/file/{'0' * 64}/").status_code == 404
    assert client.get(f"/documents/{registered.pk}/file/not-a-hash/").status_code == 404


def test_draft_versions_are_listed_and_served(client, cast, draft):
    client.force_login(cast.quang.user)
    text = client.get(f"/documents/{draft.pk}/").content.decode()
    assert "Các phiên bản dự thảo" in text
    assert "v1" in text
    assert client.get(f"/documents/{draft.pk}/file/{draft.current_file_id}/").status_code == 200


def test_linked_documents_show_on_both_pages(client, cast, doc_types, registered):
    # an outgoing document of the Command delivered to the Staff (as issuance does), then replaced
    source = Document.objects.create(direction=Direction.OUTGOING, status=Status.RECALLED, unit=cast.command,
                                     doc_type=doc_types["KH"], organ_name="Bộ Tư lệnh", subject="Kế hoạch cũ",
                                     created_by=cast.hoa, code_number="05", code_notation="KH-BTL")
    copy = Document.objects.create(direction=Direction.INCOMING, status=Status.CANCELLED, unit=cast.staff,
                                   doc_type=doc_types["KH"], organ_name="Bộ Tư lệnh", subject="Kế hoạch cũ",
                                   created_by=cast.hoa, source=source)
    newer = Document.objects.create(direction=Direction.OUTGOING, status=Status.DRAFT, unit=cast.command,
                                    doc_type=doc_types["KH"], organ_name="Bộ Tư lệnh", subject="Kế hoạch mới",
                                    created_by=cast.hoa, replaces=source)
    client.force_login(cast.hung.user)
    text = client.get(f"/documents/{source.pk}/").content.decode()
    assert "Được thay thế bởi" in text
    assert f'href="/documents/{newer.pk}/"' in text
    assert f'href="/documents/{copy.pk}/"' in text
    text = client.get(f"/documents/{newer.pk}/").content.decode()
    assert "Thay thế văn bản" in text
    assert f'href="/documents/{source.pk}/"' in text
    text = client.get(f"/documents/{copy.pk}/").content.decode()
    assert "Văn bản gốc" in text
    assert f'href="/documents/{source.pk}/"' in text


def test_dates_are_day_month_year_in_vietnam_time(client, cast, registered):
    client.force_login(cast.hoa.user)
    text = client.get(f"/documents/{registered.pk}/").content.decode()
    assert "05/01/2026" in text  # issued date
    assert re.search(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}", text)


def test_the_signature_validation_panel_is_part_of_the_page(client, cast, registered):
    client.force_login(cast.hoa.user)
    page = client.get(f"/documents/{registered.pk}/")
    assert "signing/_validation.html" in [t.name for t in page.templates]


def test_pages_carry_no_inline_script_or_style(client, cast, directed, draft):
    """The Content-Security-Policy forbids inline script and style: the pages must not need them."""
    client.force_login(cast.hung.user)
    for url in ("/", "/registers/incoming/", f"/documents/{directed.pk}/", "/drafts/new/"):
        text = client.get(url).content.decode()
        assert "<script>" not in text, url
        assert " style=" not in text, url
        assert " onclick=" not in text, url
        assert "<style" not in text, url
