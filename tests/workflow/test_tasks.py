"""Tasks that cascade (decision 0015): pass down to any depth with deadlines no later than above, progress,
extension, return, acceptance by the unit's leader, roll-up to the document; and every bad input refused."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.errors import ActionRefused
from vanthu.org import actions as org
from vanthu.org.models import Rank, Role
from vanthu.workflow import directive_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import (
    Assignment,
    AssignmentState,
    Directive,
    ExtensionRequest,
    Part,
    Recurrence,
    UnitHandling,
)
from vanthu.workflow.task_actions import Handover
from vanthu.workflow.task_queries import directive_rollup, my_work

TODAY = timezone.localdate


def days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)


@pytest.fixture
def regiment_leader(cast):
    return org.create_person(username="tuan", password="x", full_name="Phan Anh Tuấn", unit=cast.regiment,
                             acting=TEST_FIXTURES, rank=Rank.THUONG_TA, position="Trung đoàn trưởng", clearance=2,
                             roles=(Role.LEADER,))


@pytest.fixture
def directive(cast):
    return directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo công tác sẵn sàng chiến đấu",
                                   units=[cast.division, cast.province, cast.staff], deadline=days(10))


def root_of(directive, unit):
    return Assignment.objects.get(directive=directive, parent__isnull=True, unit=unit)


def test_a_directive_cascades_three_levels_and_rolls_up_through_each_leader(cast, directive, regiment_leader):
    division_task = root_of(directive, cast.division)
    [regiment_task] = tasks.delegate(task=division_task, acting=cast.dung,
                                     handovers=[Handover(cast.regiment, Part.LEAD, days(8))])
    [personal] = tasks.delegate(task=regiment_task, acting=regiment_leader,
                                handovers=[Handover(regiment_leader, Part.LEAD, days(6))])
    assert personal.depth == 2
    assert personal.directive_id == directive.pk
    tasks.report_progress(task=personal, acting=regiment_leader, text="Đã kiểm tra 2 tiểu đoàn.", percent=40)
    personal.refresh_from_db()
    assert (personal.state, personal.progress) == (AssignmentState.IN_PROGRESS, 40)

    tasks.complete(task=personal, acting=regiment_leader, result="Trung đoàn sẵn sàng.")
    # The regiment's own leader completed it: his unit's task is done at once; the division's waits for Dũng.
    regiment_task.refresh_from_db()
    division_task.refresh_from_db()
    assert regiment_task.state == AssignmentState.DONE
    assert division_task.state == AssignmentState.AWAITING
    rows, tally = directive_rollup(directive)
    assert tally.total == 3
    assert tally.done_on_time == 0

    tasks.accept(task=division_task, acting=cast.dung)
    division_task.refresh_from_db()
    assert division_task.state == AssignmentState.DONE
    rows, tally = directive_rollup(directive)
    assert tally.done_on_time == 1
    assert tally.in_time == 2
    assert {r.task.unit_id: r.bucket for r in rows}[cast.division.pk] == "done_on_time"


def test_an_officers_result_goes_to_the_units_leader_who_may_send_it_back(cast, directive):
    division_task = root_of(directive, cast.division)
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh)])
    tasks.complete(task=minh_task, acting=cast.minh, result="Đã báo cáo.")
    division_task.refresh_from_db()
    assert division_task.state == AssignmentState.AWAITING
    assert division_task in my_work(cast.dung).rows
    tasks.send_back(task=division_task, acting=cast.dung, reason="Thiếu số liệu quân số.")
    minh_task.refresh_from_db()
    assert minh_task.state == AssignmentState.IN_PROGRESS
    assert minh_task.notes.last().text == "Thiếu số liệu quân số."


def test_a_unit_may_let_its_officers_close_its_tasks(cast, directive):
    UnitHandling.objects.create(unit=cast.division, leader_accepts=False)
    division_task = root_of(directive, cast.division)
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh)])
    tasks.complete(task=minh_task, acting=cast.minh, result="Đã báo cáo.")
    division_task.refresh_from_db()
    assert division_task.state == AssignmentState.DONE


def test_extension_is_asked_by_the_handler_and_decided_by_the_assigner(cast, directive):
    division_task = root_of(directive, cast.division)
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung,
                                 handovers=[Handover(cast.minh, deadline=days(5))])
    request = tasks.request_extension(task=minh_task, acting=cast.minh, deadline=days(7), reason="Chờ số liệu.")
    with pytest.raises(ActionRefused) as err:  # double submit
        tasks.request_extension(task=minh_task, acting=cast.minh, deadline=days(8), reason="Chờ số liệu.")
    assert err.value.code == "duplicate_submission"
    with pytest.raises(ActionRefused) as err:  # Minh may not grant himself more time
        tasks.decide_extension(request=request, acting=cast.minh, approve=True)
    assert err.value.code == "forbidden"
    tasks.decide_extension(request=request, acting=cast.dung, approve=True)
    minh_task.refresh_from_db()
    assert minh_task.deadline == days(7)

    late = tasks.request_extension(task=minh_task, acting=cast.minh, deadline=days(12), reason="Thêm.")
    with pytest.raises(ActionRefused) as err:  # later than the division's own deadline
        tasks.decide_extension(request=late, acting=cast.dung, approve=True)
    assert err.value.code == "deadline_after_parent"
    assert ExtensionRequest.objects.get(pk=late.pk).state == "pending"


def test_returning_a_task_puts_it_back_on_the_leaders_desk(cast, directive):
    division_task = root_of(directive, cast.division)
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh)])
    tasks.return_task(task=minh_task, acting=cast.minh, reason="Không thuộc chức trách của tôi.")
    division_task.refresh_from_db()
    assert division_task.state == AssignmentState.OPEN
    assert division_task in my_work(cast.dung).rows


@pytest.mark.parametrize("case", ["later_than_parent", "past", "outside_scope", "cycle", "double"])
def test_bad_delegations_are_refused_and_change_nothing(cast, directive, case):
    division_task = root_of(directive, cast.division)
    handovers = {
        "later_than_parent": [Handover(cast.minh, deadline=days(11))],
        "past": [Handover(cast.minh, deadline=days(-1))],
        "outside_scope": [Handover(cast.tam)],
        "cycle": [Handover(cast.division)],
        "double": [Handover(cast.minh)],
    }[case]
    if case == "double":
        tasks.delegate(task=division_task, acting=cast.dung, handovers=handovers)
    before = Assignment.objects.count()
    with pytest.raises(ActionRefused) as err:
        tasks.delegate(task=division_task, acting=cast.dung, handovers=handovers)
    assert err.value.code == {"later_than_parent": "deadline_after_parent", "past": "due_date_past",
                              "outside_scope": "target_outside_tree", "cycle": "delegation_cycle",
                              "double": "duplicate_submission"}[case]
    assert Assignment.objects.count() == before
    assert AuditEvent.objects.filter(verb="workflow.task.delegated.refused").exists()


def test_a_cycle_through_a_leader_of_two_units_is_refused(cast, directive):
    division_task = root_of(directive, cast.division)
    [dung_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.dung)])
    with pytest.raises(ActionRefused) as err:  # his own task, handed back to the division above it
        tasks.delegate(task=dung_task, acting=cast.dung, handovers=[Handover(cast.division)])
    assert err.value.code == "delegation_cycle"
    assert not dung_task.forwards.exists()


def test_no_one_completes_or_reports_on_someone_elses_task(cast, directive):
    division_task = root_of(directive, cast.division)
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh)])
    for call in (lambda: tasks.complete(task=minh_task, acting=cast.tam, result="Xong."),
                 lambda: tasks.report_progress(task=minh_task, acting=cast.son, text="50%", percent=50),
                 lambda: tasks.request_extension(task=minh_task, acting=cast.tam, deadline=days(9), reason="x"),
                 lambda: tasks.delegate(task=division_task, acting=cast.tam, handovers=[Handover(cast.minh)])):
        with pytest.raises(ActionRefused) as err:
            call()
        assert err.value.code == "forbidden"
    tasks.complete(task=minh_task, acting=cast.minh, result="Xong.")
    with pytest.raises(ActionRefused) as err:  # a second click
        tasks.complete(task=minh_task, acting=cast.minh, result="Xong.")
    assert err.value.code == "already_done"


def test_a_directive_refuses_units_outside_the_issuer(cast):
    with pytest.raises(ActionRefused) as err:
        directive_actions.issue(acting=cast.dung, unit=cast.division, title="Báo cáo", units=[cast.province],
                                deadline=days(3))
    assert err.value.code == "target_outside_tree"
    with pytest.raises(ActionRefused) as err:
        directive_actions.issue(acting=cast.minh, unit=cast.division, title="Báo cáo", units=[cast.regiment],
                                deadline=days(3))
    assert err.value.code == "forbidden"
    assert not Directive.objects.exists()


def test_a_weekly_directive_repeats_once_per_week(cast):
    series = directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo tuần",
                                     units=[cast.division, cast.province], deadline=None,
                                     recurrence=Recurrence.WEEKLY, weekday=4)
    assert series.deadline.weekday() == 4
    first = directive_actions.next_occurrence(series=series, acting=TEST_FIXTURES,
                                              today=series.deadline + dt.timedelta(days=1))
    assert first is not None
    assert first.occurs_on == series.deadline + dt.timedelta(days=7)
    assert Assignment.objects.filter(directive=first, parent__isnull=True).count() == 2
    again = directive_actions.next_occurrence(series=series, acting=TEST_FIXTURES,
                                              today=series.deadline + dt.timedelta(days=1))
    assert again is None
    assert series.occurrences.count() == 1


def test_for_information_reads_de_biet_and_records_who_saw_it(cast, directive):
    division_task = root_of(directive, cast.division)
    [info] = tasks.delegate(task=division_task, acting=cast.dung, handovers=[Handover(cast.minh, Part.INFO)])
    assert info.state == AssignmentState.INFO
    assert info.state_label == "Để biết"
    tasks.mark_seen(task=info, acting=cast.minh)
    info.refresh_from_db()
    assert info.seen_at is not None
    assert info.state_label == "Để biết, đã xem"


def test_my_work_puts_overdue_first_and_pages_by_keyset(cast, directive):
    for n in (9, 3, 5):
        tasks.assign(acting=cast.dung, title=f"Việc hạn {n} ngày", handovers=[Handover(cast.minh, deadline=days(n))])
    Assignment.objects.filter(person=cast.minh, deadline=days(9)).update(deadline=days(-2))  # now overdue
    first = my_work(cast.minh, size=2)
    assert [t.deadline for t in first.rows] == [days(-2), days(3)]
    rest = my_work(cast.minh, cursor=first.next, size=2)
    assert [t.deadline for t in rest.rows] == [days(5)]
    assert rest.next is None


def test_a_direction_gives_each_receiver_its_own_deadline_never_after_the_directions(cast, doc_types, incoming_pdf):
    from tests.conftest import checked
    from vanthu.documents import actions as documents
    from vanthu.workflow import actions

    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng", subject="V/v diễn tập")
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(incoming_pdf))
    with pytest.raises(ActionRefused) as err:
        actions.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì", lead=cast.division,
                       cooperate=[cast.son], deadline=days(7), deadlines={cast.son: days(9)})
    assert err.value.code == "deadline_after_parent"
    assert not Assignment.objects.filter(document=doc).exists()
    actions.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì", lead=cast.division,
                   cooperate=[cast.son], deadline=days(7), deadlines={cast.son: days(4)})
    assert Assignment.objects.get(document=doc, person=cast.son).deadline == days(4)
    assert Assignment.objects.get(document=doc, unit=cast.division).deadline == days(7)


def test_without_a_common_deadline_an_own_deadline_is_bounded_by_the_documents(cast, doc_types, incoming_pdf):
    from tests.conftest import checked
    from vanthu.documents import actions as documents
    from vanthu.workflow import actions

    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng", subject="V/v diễn tập",
                                  due_date=days(5))
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(incoming_pdf))
    with pytest.raises(ActionRefused) as err:
        actions.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì", lead=cast.division,
                       deadlines={cast.division: days(6)})
    assert err.value.code == "deadline_after_parent"
    assert not Assignment.objects.filter(document=doc).exists()
    actions.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 chủ trì", lead=cast.division,
                   deadlines={cast.division: days(5)})
    assert Assignment.objects.get(document=doc, unit=cast.division).deadline == days(5)


def test_the_weekly_job_makes_one_occurrence_however_often_it_runs(cast):
    from vanthu.workflow.jobs import repeat_directives

    series = directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo tuần",
                                     units=[cast.division], deadline=None, recurrence=Recurrence.WEEKLY,
                                     weekday=TODAY().weekday())
    assert repeat_directives.call() == {"created": 0}  # the next one is more than a week away
    friday = timezone.make_aware(dt.datetime.combine(series.deadline, dt.time(8, 0)))
    with mock.patch.object(timezone, "now", return_value=friday):
        assert repeat_directives.call() == {"created": 1}
        assert repeat_directives.call() == {"created": 0}  # twice: still one
    [occurrence] = series.occurrences.all()
    assert occurrence.occurs_on == series.deadline + dt.timedelta(days=7)
    assert occurrence.tasks.get().unit == cast.division
