"""Issue 12, item 3: the commander's inbox is a queue he can trust — deadlines of presented documents shown
and sortable, the newest presented first within the same urgency and deadline, unread items marked per person,
the count in the tab title — and his follow-up list of what he directed, overdue first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.conftest import checked
from tests.pages.conftest import incoming_data
from vanthu.core.choices import Urgency
from vanthu.documents import actions as documents
from vanthu.workflow import actions as workflow


def subjects_in_order(html: str) -> list[str]:
    return re.findall(r'<span class="doc-subject">([^<]*)</span>', html)


def presented(cast, doc_types, pdf, subject, *, urgency=Urgency.NORMAL, due=None, to=None):
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, file=checked(pdf, f"{subject}.pdf"),
                                      data=incoming_data(doc_types, subject=subject, urgency=urgency, due_date=due,
                                                         code_number=str(abs(hash(subject)) % 10000)))
    workflow.present(document=doc, acting=cast.hoa, to=to or cast.hung)
    return doc


@pytest.fixture
def hung(client, cast):
    client.force_login(cast.hung.user)
    return client


def test_the_deadline_of_a_presented_document_is_shown(hung, cast, doc_types, incoming_pdf):
    due = timezone.localdate() + dt.timedelta(days=3)
    presented(cast, doc_types, incoming_pdf, "V/v có hạn", due=due)
    text = hung.get("/").content.decode()
    assert due.strftime("%d/%m/%Y") in text


def test_within_the_same_urgency_and_deadline_the_newest_presented_comes_first(hung, cast, doc_types,
                                                                              incoming_pdf):
    for subject in ("V/v thứ nhất", "V/v thứ hai", "V/v thứ ba"):
        presented(cast, doc_types, incoming_pdf, subject)
    presented(cast, doc_types, incoming_pdf, "V/v khẩn cũ", urgency=Urgency.URGENT)
    assert subjects_in_order(hung.get("/").content.decode()) == [
        "V/v khẩn cũ", "V/v thứ ba", "V/v thứ hai", "V/v thứ nhất"]


def test_sorting_on_the_deadline_puts_the_nearest_first(hung, cast, doc_types, incoming_pdf):
    today = timezone.localdate()
    presented(cast, doc_types, incoming_pdf, "V/v hạn xa", urgency=Urgency.FLASH, due=today + dt.timedelta(days=9))
    presented(cast, doc_types, incoming_pdf, "V/v không hạn")
    presented(cast, doc_types, incoming_pdf, "V/v hạn gần", due=today + dt.timedelta(days=1))
    assert subjects_in_order(hung.get("/").content.decode()) == ["V/v hạn xa", "V/v hạn gần", "V/v không hạn"]
    text = hung.get("/?sort=deadline").content.decode()
    assert subjects_in_order(text) == ["V/v hạn gần", "V/v hạn xa", "V/v không hạn"]
    assert 'aria-sort="ascending"' in text
    assert subjects_in_order(hung.get("/?sort=nonsense").content.decode())[0] == "V/v hạn xa"


def test_unread_items_are_marked_per_person_until_opened(hung, cast, doc_types, incoming_pdf):
    first = presented(cast, doc_types, incoming_pdf, "V/v một")
    second = presented(cast, doc_types, incoming_pdf, "V/v hai")
    text = hung.get("/").content.decode()
    assert text.count('class="unread-mark"') == 2
    assert "2 văn bản chưa đọc" in text
    assert hung.get(f"/documents/{first.pk}/").status_code == 200
    text = hung.get("/").content.decode()
    assert text.count('class="unread-mark"') == 1
    row = re.search(r'<tr class="[^"]*">(?:(?!</tr>).)*V/v một', text, re.S)
    assert row is not None
    assert "unread" not in row.group(0).split(">")[0]
    # Hoa opening the other one does not mark it read for Hùng
    hung.force_login(cast.hoa.user)
    assert hung.get(f"/documents/{second.pk}/").status_code == 200
    hung.force_login(cast.hung.user)
    assert hung.get("/").content.decode().count('class="unread-mark"') == 1


def test_the_count_is_in_the_tab_title(hung, cast, doc_types, incoming_pdf):
    presented(cast, doc_types, incoming_pdf, "V/v một")
    presented(cast, doc_types, incoming_pdf, "V/v hai")
    title = re.search(r"<title>([^<]*)</title>", hung.get("/").content.decode()).group(1)
    assert title.startswith("(2) Hộp việc")


def test_the_follow_up_list_shows_what_he_directed_overdue_first(hung, client, cast, doc_types, incoming_pdf):
    today = timezone.localdate()
    late = presented(cast, doc_types, incoming_pdf, "V/v đã quá hạn")
    soon = presented(cast, doc_types, incoming_pdf, "V/v sắp đến hạn")
    workflow.direct(document=late, acting=cast.hung, text="Bộ Tham mưu chủ trì.", lead=cast.staff,
                    deadline=today + dt.timedelta(days=2))
    workflow.direct(document=soon, acting=cast.hung, text="Sư đoàn 301 chủ trì.", lead=cast.division,
                    deadline=today + dt.timedelta(days=5))
    from vanthu.workflow.models import Assignment

    Assignment.objects.filter(document=late).update(deadline=today - dt.timedelta(days=1))  # the days went by
    text = hung.get("/follow-up/").content.decode()
    assert text.index("Quá hạn") < text.index("V/v đã quá hạn") < text.index("Chờ xử lý") < text.index(
        "V/v sắp đến hạn")
    assert "Bộ Tham mưu" in text
    assert "Sư đoàn 301" in text
    # what another leader directed is not in Hùng's list; Bình's list does not hold Hùng's directions
    client.force_login(cast.binh.user)
    other = client.get("/follow-up/").content.decode()
    assert "V/v đã quá hạn" not in other
    assert "chưa giao việc nào" in other


def test_the_inbox_query_count_does_not_grow_with_the_items(hung, cast, doc_types, incoming_pdf,
                                                            django_assert_max_num_queries):
    for i in range(3):
        presented(cast, doc_types, incoming_pdf, f"V/v số {i}")
    with django_assert_max_num_queries(40) as few:
        hung.get("/")
    for i in range(3, 15):
        presented(cast, doc_types, incoming_pdf, f"V/v số {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        hung.get("/")


def test_opening_through_the_api_marks_it_read_too(hung, cast, doc_types, incoming_pdf):
    from tests.api.conftest import ApiClient, new_token

    first = presented(cast, doc_types, incoming_pdf, "V/v một")
    presented(cast, doc_types, incoming_pdf, "V/v hai")
    assert ApiClient(new_token(cast.hung)).get(f"/documents/{first.pk}").status_code == 200
    assert hung.get("/").content.decode().count('class="unread-mark"') == 1
