"""The inbox page: what waits for each person, urgent first, with a fixed number of queries."""

from __future__ import annotations

import re

from tests.conftest import checked
from tests.pages.conftest import incoming_data
from vanthu.core.choices import Urgency
from vanthu.documents import actions as documents
from vanthu.workflow import actions as workflow


def subjects_in_order(html: str) -> list[str]:
    return re.findall(r'<span class="doc-subject">([^<]*)</span>', html)


def test_clerk_hoa_sees_registered_documents_waiting_to_be_presented(client, cast, registered):
    client.force_login(cast.hoa.user)
    text = client.get("/").content.decode()
    assert "Chờ trình" in text
    assert "V/v diễn tập phòng thủ" in text
    assert f'href="/documents/{registered.pk}/present/?queue=present"' in text


def test_commander_sees_urgent_items_first(client, cast, doc_types, incoming_pdf):
    """Checklist point 23."""
    for subject, urgency in [("V/v thường lệ", Urgency.NORMAL), ("V/v hỏa tốc", Urgency.FLASH),
                             ("V/v khẩn", Urgency.URGENT)]:
        doc = documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                          data=incoming_data(doc_types, subject=subject, urgency=urgency),
                                          file=checked(incoming_pdf))
        workflow.present(document=doc, acting=cast.hoa, to=cast.hung)
    client.force_login(cast.hung.user)
    text = client.get("/").content.decode()
    assert subjects_in_order(text) == ["V/v hỏa tốc", "V/v khẩn", "V/v thường lệ"]
    assert "HỎA TỐC" in text
    assert 'class="badge badge-hoatoc"' in text
    assert "Chờ cho ý kiến chỉ đạo" in text


def test_division_commander_dung_sees_the_unit_assignment(client, cast, directed):
    client.force_login(cast.dung.user)
    text = client.get("/").content.decode()
    assert "Giao cho đơn vị, chờ phân công" in text
    assert "V/v diễn tập phòng thủ" in text
    assert "/forward/" in text


def test_outsider_tam_has_an_empty_inbox(client, cast, directed):
    client.force_login(cast.tam.user)
    text = client.get("/").content.decode()
    assert "Không có việc nào đang chờ." in text
    assert "V/v diễn tập phòng thủ" not in text


def test_tabs_filter_by_kind(client, cast, registered, draft):
    client.force_login(cast.hoa.user)
    assert "V/v diễn tập phòng thủ" in client.get("/?kind=present").content.decode()
    assert "V/v diễn tập phòng thủ" not in client.get("/?kind=register").content.decode()
    assert client.get("/?kind=nonsense").status_code == 200


def test_inbox_query_count_does_not_grow_with_items(client, cast, doc_types, incoming_pdf,
                                                    django_assert_max_num_queries):
    for i in range(12):
        doc = documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                          data=incoming_data(doc_types, subject=f"V/v việc {i}"),
                                          file=checked(incoming_pdf))
        if i % 2:
            workflow.present(document=doc, acting=cast.hoa, to=cast.hung)
    for person in (cast.hoa, cast.hung):
        client.force_login(person.user)
        # 22: the working-day calendar behind the clerk's legal limits (checklist 22, 27) is read once per
        # process and year (2 queries), whatever the number of items
        with django_assert_max_num_queries(22):
            assert client.get("/").status_code == 200
