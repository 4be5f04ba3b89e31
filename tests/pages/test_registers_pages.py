"""Register pages: the right register by default, newest number first, keyset pages of 50, no COUNT(*)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import checked
from tests.pages.conftest import incoming_data
from vanthu.core.choices import Secrecy
from vanthu.documents import actions as documents
from vanthu.documents.models import Direction, Document, Register, RegisterKind, Status


def numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="num-link">(\d+)</a>', html)]


@pytest.fixture
def fifty_five(cast, doc_types, incoming_pdf):
    pdf = checked(incoming_pdf)
    return [documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                        data=incoming_data(doc_types, subject=f"V/v việc số {i}"), file=pdf)
            for i in range(1, 56)]


def test_hoa_sees_the_commands_register_by_default_newest_first(client, cast, fifty_five):
    client.force_login(cast.hoa.user)
    text = client.get("/registers/incoming/").content.decode()
    assert "Sổ đăng ký văn bản đến" in text
    assert "Bộ Tư lệnh Quân khu 10" in text
    assert numbers(text) == list(range(55, 5, -1))
    assert "đã cấp 55 số" in text
    assert "?before=6" in text


def test_next_page_starts_below_the_cursor(client, cast, fifty_five):
    client.force_login(cast.hoa.user)
    text = client.get("/registers/incoming/?before=6").content.decode()
    assert numbers(text) == [5, 4, 3, 2, 1]
    assert "before=1" not in text
    assert "Về các số mới nhất" in text


def test_load_more_with_htmx_returns_only_the_rows(client, cast, fifty_five):
    client.force_login(cast.hoa.user)
    page = client.get("/registers/incoming/?before=6", HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert numbers(text) == [5, 4, 3, 2, 1]
    assert "<html" not in text
    assert "<thead" not in text


def test_register_page_reads_one_page_by_keyset_without_counting(client, cast, fifty_five,
                                                                django_assert_max_num_queries):
    client.force_login(cast.hoa.user)
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
        client.get(f"/registers/incoming/?unit={cast.command.pk}&year={timezone.localdate().year}")
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in sql
    rows = [q["sql"] for q in queries.captured_queries if 'FROM "DOCUMENTS_DOCUMENT"' in q["sql"].upper()
            and "ORDER BY" in q["sql"].upper()]
    assert rows
    assert "LIMIT 51" in rows[0].upper()


def test_query_count_is_the_same_for_5_and_55_documents(client, cast, doc_types, incoming_pdf):
    client.force_login(cast.hoa.user)
    pdf = checked(incoming_pdf)
    counts = []
    for batch in (5, 50):
        for i in range(batch):
            documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                        data=incoming_data(doc_types, subject=f"V/v {i}"), file=pdf)
        with CaptureQueriesContext(connection) as queries:
            client.get("/registers/incoming/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_unit_and_year_can_be_chosen(client, cast, registered, staff_document):
    client.force_login(cast.hung.user)  # leads the whole tree: may read every unit's register
    text = client.get(f"/registers/incoming/?unit={cast.staff.pk}").content.decode()
    assert f'<option value="{cast.staff.pk}" selected>' in text
    assert numbers(text) == [staff_document.number]
    last_year = timezone.localdate().year - 1
    assert "Sổ chưa có văn bản nào." in client.get(f"/registers/incoming/?year={last_year}").content.decode()


def test_clerk_lan_gets_404_for_the_commands_register(client, cast, registered):
    client.force_login(cast.lan.user)
    assert client.get(f"/registers/incoming/?unit={cast.command.pk}").status_code == 404
    assert client.get("/registers/incoming/").status_code == 200  # her own: the Staff's


def test_outsider_tam_gets_404_for_registers(client, cast, registered):
    client.force_login(cast.tam.user)
    assert client.get("/registers/incoming/").status_code == 404
    assert client.get(f"/registers/outgoing/?unit={cast.command.pk}").status_code == 404


def test_bad_parameters_get_404(client, cast):
    client.force_login(cast.hoa.user)
    for query in ("unit=abc", "year=x", "before=-", "year=99999", "series=loai-XX"):
        assert client.get(f"/registers/incoming/?{query}").status_code == 404, query


def test_secret_register_needs_clearance(client, cast, doc_types, incoming_pdf):
    documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                data=incoming_data(doc_types, secrecy=Secrecy.SECRET, subject="V/v tối mật"),
                                file=checked(incoming_pdf))
    client.force_login(cast.hoa.user)
    text = client.get("/registers/incoming/?series=mat").content.decode()
    assert "V/v tối mật" in text
    assert "TỐI MẬT" in text
    assert "V/v tối mật" not in client.get("/registers/incoming/").content.decode()


def test_rows_above_the_readers_clearance_are_masked(client, cast, doc_types):
    # Dũng (cleared to Tối mật) leads the division, whose secret register holds a Tuyệt mật entry.
    register = Register.objects.create(unit=cast.division, kind=RegisterKind.INCOMING, series="mat",
                                       year=timezone.localdate().year, last_number=1, name="Sổ mật")
    Document.objects.create(direction=Direction.INCOMING, status=Status.REGISTERED, unit=cast.division,
                            doc_type=doc_types["Công văn"], register=register, number=1, organ_name="Bộ Quốc phòng",
                            subject="V/v tuyệt mật", secrecy=Secrecy.TOP_SECRET, created_by=cast.hung,
                            arrival_at=timezone.now())
    client.force_login(cast.dung.user)
    text = client.get(f"/registers/incoming/?unit={cast.division.pk}&series=mat").content.decode()
    assert "V/v tuyệt mật" not in text
    assert "Văn bản có độ mật cao hơn mức đồng chí được tiếp cận." in text


def test_new_document_shortcut_shown_to_the_clerk_only(client, cast, registered):
    client.force_login(cast.hoa.user)
    assert 'data-key="n"' in client.get("/registers/incoming/").content.decode()
    client.force_login(cast.hung.user)
    assert 'href="/documents/incoming/new/"' not in client.get("/registers/incoming/").content.decode()


def test_outgoing_register_lists_issued_documents_by_number(client, cast, doc_types):
    register = Register.objects.create(unit=cast.staff, kind=RegisterKind.OUTGOING, series="chung",
                                       year=timezone.localdate().year, last_number=2, name="Sổ đi")
    for n in (1, 2):
        Document.objects.create(direction=Direction.OUTGOING, status=Status.ISSUED, unit=cast.staff,
                                doc_type=doc_types["KH"], register=register, number=n, code_number=f"{n:02d}",
                                code_notation="KH-TM", issued_date=timezone.localdate(), organ_name="Bộ Tham mưu",
                                subject=f"Kế hoạch {n}", signer_competence="THAM MƯU TRƯỞNG",
                                signer_name="Hoàng Văn Sơn", created_by=cast.quang, issued_at=timezone.now())
    client.force_login(cast.lan.user)
    text = client.get("/registers/outgoing/").content.decode()
    assert "Sổ đăng ký văn bản đi" in text
    assert text.index("02/KH-TM") < text.index("01/KH-TM")
    assert "Hoàng Văn Sơn" in text


def test_register_page_offers_printing_the_register_for_a_date_range(client, cast, registered):
    client.force_login(cast.hoa.user)
    text = client.get("/registers/incoming/").content.decode()
    assert 'action="/registers/incoming/print/"' in text
    assert f'name="unit" value="{cast.command.pk}"' in text
    assert 'name="from"' in text
    assert 'name="to"' in text
    assert '<option value="xlsx">' in text
