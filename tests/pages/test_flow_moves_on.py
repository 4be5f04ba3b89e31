"""Issue 12, item 6: after an action the next item of the same queue opens (the person's setting, on by
default); the action box offers only what the document's state allows (per state); "Văn bản của tôi" lists what
an officer or drafter handled, drafted, reviewed or signed, with filters, at a cost that does not grow with the
archive."""

from __future__ import annotations

import re

import pytest

from tests.conftest import checked
from tests.outbox_helpers import signed_plan
from tests.pages.conftest import incoming_data
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.search.mine import Filters, my_documents
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def three_registered(cast, doc_types, incoming_pdf):
    """Three documents Hoa registered in the Command's register: the queue "Chờ trình"."""
    return [documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                        data=incoming_data(doc_types, subject=f"V/v việc số {n}",
                                                           code_number=str(100 + n)),
                                        file=checked(incoming_pdf, f"cv-{n}.pdf")) for n in (1, 2, 3)]


def test_after_presenting_the_next_item_of_the_queue_opens(client, cast, three_registered):
    client.force_login(cast.hoa.user)
    inbox = client.get("/").content.decode()
    first = three_registered[0]
    assert f'href="/documents/{first.pk}/present/?queue=present"' in inbox
    form = client.get(f"/documents/{first.pk}/present/?queue=present").content.decode()
    assert '<input type="hidden" name="queue" value="present">' in form
    answer = client.post(f"/documents/{first.pk}/present/", {"to": cast.hung.pk, "note": "", "queue": "present"},
                         follow=True)
    following = answer.redirect_chain[-1][0]
    assert re.fullmatch(r"/documents/(\d+)/present/\?queue=present", following)
    assert int(following.split("/")[2]) in {three_registered[1].pk, three_registered[2].pk}
    assert "Mở việc tiếp theo trong hàng “Chờ trình”." in answer.content.decode()
    # the rest, then the queue is empty: back to the inbox, saying so
    for doc in three_registered[1:]:
        answer = client.post(f"/documents/{doc.pk}/present/", {"to": cast.hung.pk, "queue": "present"},
                             follow=True)
    assert answer.redirect_chain[-1][0] == "/"
    assert "Đã hết việc trong hàng “Chờ trình”." in answer.content.decode()
    assert Document.objects.filter(status=Status.PRESENTED).count() == 3


def test_with_the_setting_off_the_document_just_handled_shows(client, cast, three_registered):
    client.force_login(cast.hoa.user)
    client.post("/van-ban-cua-toi/cai-dat/", {"opens_next": "0"})
    cast.hoa.refresh_from_db()
    assert cast.hoa.opens_next is False
    first = three_registered[0]
    answer = client.post(f"/documents/{first.pk}/present/", {"to": cast.hung.pk, "queue": "present"}, follow=True)
    assert answer.redirect_chain[-1][0] == f"/documents/{first.pk}/"
    client.post("/van-ban-cua-toi/cai-dat/", {"opens_next": "1"})
    cast.hoa.refresh_from_db()
    assert cast.hoa.opens_next is True


def test_without_a_queue_the_document_shows_as_before(client, cast, three_registered):
    client.force_login(cast.hoa.user)
    first = three_registered[0]
    answer = client.post(f"/documents/{first.pk}/present/", {"to": cast.hung.pk})
    assert answer["Location"] == f"/documents/{first.pk}/"


def test_a_queue_the_person_does_not_have_never_leaks_an_item(client, cast, three_registered):
    client.force_login(cast.tam.user)
    answer = client.get("/hop-viec/tiep-theo/?queue=present&after=0")
    assert answer["Location"] == "/"
    assert client.get("/hop-viec/tiep-theo/?queue=nonsense&after=0")["Location"] == "/"


# --- the action box per state ---------------------------------------------------------------------------

ACTIONS = re.compile(r'<div class="actions" role="group"[^>]*>(.*?)</div>', re.S)
LABEL = re.compile(r"<a[^>]*>([^<]+)</a>")


def buttons(client, document) -> set[str]:
    page = client.get(f"/documents/{document.pk}/").content.decode()
    box = ACTIONS.search(page)
    assert box is not None
    return {label.strip() for label in LABEL.findall(box.group(1))}


def test_action_box_of_a_registered_document(client, cast, registered):
    client.force_login(cast.hoa.user)
    # the handling slip (Decree 30 point 29), filing into a work record (issue 10) and, the fixture being an
    # image-only PDF, the unit's seal on the digitised paper (point 17)
    assert buttons(client, registered) == {"Sửa thông tin", "Soạn văn bản trả lời", "Sao văn bản", "Phiếu giải quyết",
                                           "Lưu vào hồ sơ", "Ký số cơ quan lên bản số hóa", "Hủy số đến"}


def test_action_box_of_a_received_document(client, cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    sent = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        documents.issue_outgoing(document=sent, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    arrived = Document.objects.get(source=sent, unit=cast.division)
    assert arrived.status == Status.RECEIVED
    client.force_login(cast.minh.user)  # the division's clerk in this story
    assert buttons(client, arrived) == {"Kiểm tra và vào sổ", "Trả lại nơi gửi"}
    client.force_login(cast.lan.user)  # the issuing clerk, on the issued document
    assert buttons(client, sent) == {"Thay thế bằng văn bản mới", "Sao văn bản", "Thu hồi", "Bổ sung", "Đính chính",
                                     "Lưu vào hồ sơ"}


def test_action_box_of_a_draft_for_its_author_and_the_signer(client, cast, draft, awaiting_signature):
    client.force_login(cast.quang.user)
    # submitted: nothing for the author but to wait (a draft may be filed; a record with one cannot be closed)
    assert buttons(client, awaiting_signature) == {"Lưu vào hồ sơ"}
    client.force_login(cast.son.user)
    assert buttons(client, awaiting_signature) == {"Ký số", "Trả lại để sửa", "Lưu vào hồ sơ"}


def test_action_box_of_a_fresh_draft(client, cast, draft):
    client.force_login(cast.quang.user)
    assert buttons(client, draft) == {"Trình duyệt, trình ký", "Tải lên phiên bản mới", "Sửa thông tin",
                                      "Lưu vào hồ sơ"}
    client.force_login(cast.son.user)
    assert "Ký số" not in buttons(client, draft)


def test_action_box_of_a_directed_document_for_the_commander(client, cast, directed):
    client.force_login(cast.hung.user)
    box = buttons(client, directed)
    assert "Kiểm tra và vào sổ" not in box
    assert "Ký số" not in box
    assert "Thu hồi" not in box


# --- Văn bản của tôi ------------------------------------------------------------------------------------


def test_my_documents_lists_what_i_drafted_and_signed_with_filters(client, cast, doc_types, draft_pdf,
                                                                 django_capture_on_commit_callbacks):
    sent = signed_plan(cast, doc_types, draft_pdf)  # Quang drafted it, Sơn signed it
    client.force_login(cast.quang.user)
    page = client.get("/van-ban-cua-toi/").content.decode()
    assert "Kế hoạch huấn luyện năm 2027" in page
    assert "Đã soạn" in page
    assert "Kế hoạch huấn luyện" not in client.get("/van-ban-cua-toi/?kind=signed").content.decode()
    assert "Kế hoạch huấn luyện" in client.get("/van-ban-cua-toi/?q=huan+luyen").content.decode()
    assert "Kế hoạch huấn luyện" not in client.get("/van-ban-cua-toi/?q=dien+tap").content.decode()
    assert "Kế hoạch huấn luyện" in client.get("/van-ban-cua-toi/?status=signed").content.decode()
    assert "Kế hoạch huấn luyện" not in client.get("/van-ban-cua-toi/?status=issued").content.decode()
    client.force_login(cast.son.user)
    page = client.get("/van-ban-cua-toi/?kind=signed").content.decode()
    assert "Kế hoạch huấn luyện năm 2027" in page
    assert f'href="/documents/{sent.pk}/"' in page
    client.force_login(cast.tam.user)
    assert "Kế hoạch huấn luyện" not in client.get("/van-ban-cua-toi/").content.decode()


def test_my_documents_handled_and_reviewed_by_keyset(cast, doc_types, draft_pdf, directed):
    from vanthu.workflow import task_actions as tasks
    from vanthu.workflow.models import Assignment
    from vanthu.workflow.task_actions import Handover

    division_task = Assignment.objects.get(document=directed, unit=cast.division)
    tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(target=cast.minh)])
    mine = my_documents(cast.minh, Filters())
    assert [(d.pk, kinds) for d, kinds in mine.rows] == [(directed.pk, ["Đã xử lý"])]
    # two drafts: one per page, by keyset
    for n in (1, 2):
        documents.create_draft(acting=cast.minh, drafting_unit=cast.division, issuing_unit=cast.division,
                               data=documents.DraftData(doc_type=doc_types["KH"], subject=f"Dự thảo {n}"),
                               file=checked(draft_pdf))
    first = my_documents(cast.minh, Filters(kind="drafted"), limit=1)
    assert len(first.rows) == 1
    assert first.next_before is not None
    second = my_documents(cast.minh, Filters(kind="drafted"), before=first.next_before, limit=1)
    assert {first.rows[0][0].subject, second.rows[0][0].subject} == {"Dự thảo 1", "Dự thảo 2"}
    assert second.next_before is None


def test_my_documents_page_costs_the_same_whatever_the_archive(client, cast, doc_types, draft_pdf,
                                                               django_assert_max_num_queries):
    client.force_login(cast.quang.user)
    for n in range(5):
        documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                               data=documents.DraftData(doc_type=doc_types["KH"], subject=f"Dự thảo {n}"),
                               file=checked(draft_pdf))
    with django_assert_max_num_queries(16):
        assert client.get("/van-ban-cua-toi/").status_code == 200
