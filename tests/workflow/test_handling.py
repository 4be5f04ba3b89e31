"""Present → direct → forward → handle → complete (Decree 30 Điều 23–24), and the inbox along the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.choices import Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, Status
from vanthu.workflow import actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, AssignmentRole, AssignmentState
from vanthu.workflow.queries import inbox_for


@pytest.fixture
def registered(cast, doc_types, incoming_pdf):
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                  subject="V/v diễn tập phòng thủ", urgency=Urgency.URGENT)
    return documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(incoming_pdf))


def kinds(person) -> dict[str, list[int]]:
    result: dict[str, list[int]] = {}
    for item in inbox_for(person).items:
        result.setdefault(item.kind, []).append(item.document.pk)
    return result


def test_the_whole_incoming_flow(cast, registered):
    """Checklist points 24 and 28."""
    assert registered.pk in kinds(cast.hoa)["present"]
    actions.present(document=registered, acting=cast.hoa, to=cast.hung, note="Kính trình Tư lệnh")
    assert registered.pk in kinds(cast.hung)["direct"]
    assert "present" not in kinds(cast.hoa)

    deadline = timezone.localdate() + dt.timedelta(days=7)
    actions.direct(document=registered, acting=cast.hung, text="Giao Sư đoàn 301 chủ trì; Bộ Tham mưu phối hợp.",
                   lead=cast.division, cooperate=[cast.son], info=[cast.binh], deadline=deadline)
    doc = Document.objects.get(pk=registered.pk)
    assert doc.status == Status.DIRECTED
    assert doc.due_date == deadline
    assert "direct" not in kinds(cast.hung)
    assert registered.pk in kinds(cast.dung)["unit"]  # the division's commander gets the unit's assignment
    assert registered.pk in kinds(cast.son)["cooperate"]
    assert registered.pk in kinds(cast.binh)["info"]

    unit_assignment = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD)
    personal = actions.forward(assignment=unit_assignment, acting=cast.dung, to=cast.minh, note="Đồng chí Minh xử lý")
    assert personal.deadline == deadline
    assert registered.pk in kinds(cast.minh)["lead"]
    assert "unit" not in kinds(cast.dung)

    actions.start(assignment=personal, acting=cast.minh)
    assert Document.objects.get(pk=doc.pk).status == Status.IN_PROGRESS
    actions.complete(assignment=personal, acting=cast.minh, result="Đã xây dựng kế hoạch diễn tập, báo cáo Tư lệnh.")
    doc.refresh_from_db()
    assert doc.status == Status.IN_PROGRESS  # the division's task waits for its commander to accept Minh's result
    unit_assignment.refresh_from_db()
    assert unit_assignment.state == AssignmentState.AWAITING
    tasks.accept(task=unit_assignment, acting=cast.dung)
    doc.refresh_from_db()
    assert doc.status == Status.IN_PROGRESS  # Sơn's co-operating work is still open: not "Hoàn thành" yet
    unit_assignment.refresh_from_db()
    assert unit_assignment.state == AssignmentState.DONE
    cooperating = Assignment.objects.get(document=doc, role=AssignmentRole.COOPERATE, person=cast.son)
    actions.complete(assignment=cooperating, acting=cast.son, result="Bộ Tham mưu đã góp ý kế hoạch.")
    doc.refresh_from_db()
    assert doc.status == Status.DONE
    assert "lead" not in kinds(cast.minh)


def test_direction_to_a_unit_outside_the_leaders_tree_is_refused(cast, doc_types, incoming_pdf):
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Cục Tác chiến", subject="V/v trực")
    doc = documents.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(incoming_pdf))
    actions.present(document=doc, acting=cast.lan, to=cast.son)
    with pytest.raises(ActionRefused) as err:
        actions.direct(document=doc, acting=cast.son, text="Giao Sư đoàn 301", lead=cast.division)
    assert err.value.code == "target_outside_tree"
    assert not Assignment.objects.filter(document=doc, role=AssignmentRole.LEAD).exists()
    assert Document.objects.get(pk=doc.pk).status == Status.PRESENTED


def test_only_a_leader_over_the_unit_can_be_presented_to(cast, registered):
    with pytest.raises(ActionRefused) as err:
        actions.present(document=registered, acting=cast.hoa, to=cast.minh)
    assert err.value.code == "not_a_leader"


def test_an_officer_cannot_direct(cast, registered):
    with pytest.raises(ActionRefused):
        actions.direct(document=registered, acting=cast.minh, text="Tự giao", lead=cast.minh)


def test_direction_needs_text_and_a_future_deadline(cast, registered):
    with pytest.raises(ActionRefused) as err:
        actions.direct(document=registered, acting=cast.hung, text="  ", lead=cast.division)
    assert err.value.field == "text"
    with pytest.raises(ActionRefused) as err:
        actions.direct(document=registered, acting=cast.hung, text="Thực hiện", lead=cast.division,
                       deadline=timezone.localdate() - dt.timedelta(days=1))
    assert err.value.code == "due_date_past"


def test_the_same_target_twice_is_refused(cast, registered):
    with pytest.raises(ActionRefused) as err:
        actions.direct(document=registered, acting=cast.hung, text="Thực hiện", lead=cast.division,
                       cooperate=[cast.division])
    assert err.value.code == "duplicate_target"


def test_forward_deadline_cannot_pass_the_units(cast, registered):
    deadline = timezone.localdate() + dt.timedelta(days=3)
    actions.direct(document=registered, acting=cast.hung, text="Thực hiện", lead=cast.division, deadline=deadline)
    unit_assignment = Assignment.objects.get(document=registered, role=AssignmentRole.LEAD)
    with pytest.raises(ActionRefused) as err:
        actions.forward(assignment=unit_assignment, acting=cast.dung, to=cast.minh,
                        deadline=deadline + dt.timedelta(days=1))
    assert err.value.code == "deadline_after_parent"


def test_completion_needs_a_result(cast, registered):
    actions.direct(document=registered, acting=cast.hung, text="Thực hiện", lead=cast.minh)
    assignment = Assignment.objects.get(document=registered, role=AssignmentRole.LEAD)
    with pytest.raises(ActionRefused) as err:
        actions.complete(assignment=assignment, acting=cast.minh, result="")
    assert err.value.code == "result_required"
    with pytest.raises(ActionRefused):
        actions.complete(assignment=assignment, acting=cast.tam, result="Không phải việc của tôi")
