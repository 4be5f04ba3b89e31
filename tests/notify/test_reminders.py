"""The reminder pass over today's handling: before the deadline (counted in working days, across a holiday), on
it, after it, and the escalation to the handler's leader — each stage once, mailed through a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import checked
from tests.notify.conftest import Inbox
from vanthu.core.actors import SystemActor
from vanthu.core.choices import Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions as documents
from vanthu.notify import actions
from vanthu.notify.models import Kind, Notification
from vanthu.workflow import actions as workflow
from vanthu.workflow import task_actions
from vanthu.workflow.models import Assignment, AssignmentRole

PASS = SystemActor("reminders")
# 2 September 2027 is a Thursday: National Day and the day after it (Friday 3/9) are off (Labour Code Art. 112).
DEADLINE = dt.date(2027, 9, 6)  # Monday


@pytest.fixture
def handled(cast, doc_types, incoming_pdf, settings):
    """Hùng directs an incoming document to the division (lead, deadline Monday 6/9/2027); Dũng forwards it to
    Minh. Minh is the handler, Dũng his leader."""
    settings.REMIND_BEFORE_DAYS = 2
    settings.REMIND_ESCALATE_AFTER_DAYS = 2
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                  subject="V/v diễn tập phòng thủ", urgency=Urgency.URGENT)
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(incoming_pdf))
    workflow.direct(document=doc, acting=cast.hung, text="Giao Sư đoàn 301 chủ trì.", lead=cast.division,
                    deadline=DEADLINE)
    unit_assignment = Assignment.objects.get(document=doc, role=AssignmentRole.LEAD)
    return workflow.forward(assignment=unit_assignment, acting=cast.dung, to=cast.minh, note="Đồng chí Minh xử lý")


def run(day: dt.date, capture) -> list[tuple[str, str, str]]:
    """One pass on `day`; the notifications it created as (person's username, kind, title)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with capture(execute=True):
        actions.send_reminders(acting=PASS, today=day)
    return sorted((n.person.user.username, n.kind, n.title)
                  for n in Notification.objects.exclude(pk__in=before).select_related("person__user"))


def test_stages_across_a_holiday_and_the_escalation(cast, handled, smtp: Inbox, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    title = "V/v diễn tập phòng thủ"
    # Monday 30/8: Tue 31/8, Wed 1/9, Mon 6/9 — three working days ahead (two holidays and a weekend between)
    assert run(dt.date(2027, 8, 30), capture) == []
    # Tuesday 31/8: two working days ahead (without the holidays it would be four)
    assert run(dt.date(2027, 8, 31), capture) == [("minh", Kind.REMINDER, f"Sắp đến hạn 06/09/2027: {title}")]
    assert run(dt.date(2027, 8, 31), capture) == []  # the next hour's pass: nothing again
    assert run(dt.date(2027, 9, 1), capture) == []  # still the same stage
    assert run(dt.date(2027, 9, 6), capture) == [("minh", Kind.REMINDER, f"Đến hạn hôm nay: {title}")]
    assert run(dt.date(2027, 9, 7), capture) == [("minh", Kind.OVERDUE, f"Quá hạn từ 06/09/2027: {title}")]
    # Wednesday 8/9: two working days late → the division's commander hears of it
    assert run(dt.date(2027, 9, 8), capture) == [
        ("dung", Kind.ESCALATION, f"Quá hạn 2 ngày làm việc — Đỗ Văn Minh: {title}")]
    assert run(dt.date(2027, 9, 9), capture) == []

    # what the SMTP server received, in order
    subjects = [m["Subject"].strip() for m in smtp.messages]
    assert subjects == [f"[Văn phòng điện tử] Sắp đến hạn 06/09/2027: {title}",
                        f"[Văn phòng điện tử] Đến hạn hôm nay: {title}",
                        f"[Văn phòng điện tử] Quá hạn từ 06/09/2027: {title}",
                        f"[Văn phòng điện tử] Quá hạn 2 ngày làm việc — Đỗ Văn Minh: {title}"]
    assert [rcpt for _, rcpt in smtp.envelopes] == [["minh@qk10.example"]] * 3 + [["dung@qk10.example"]]
    escalation = smtp.text(smtp.messages[-1])
    assert "Kính gửi đồng chí Đặng Văn Dũng," in escalation
    assert "Đồng chí Đỗ Văn Minh chưa hoàn thành việc này; hạn xử lý là 06/09/2027, đã quá 2 ngày làm việc." \
        in escalation
    assert f"Xem chi tiết: https://vanthu.qk10.example/tasks/{handled.pk}/" in escalation
    _save_for_the_docs(smtp)


def test_a_done_assignment_reminds_nobody(cast, handled, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    workflow.complete(assignment=handled, acting=cast.minh, result="Đã xong.")
    # Minh's result waits for the division's commander (decision 0015): until he accepts it, the unit's task is
    # still open, and it is Dũng who is reminded
    unit_task = handled.parent
    assert unit_task is not None
    assert run(dt.date(2027, 9, 6), capture) == [
        ("dung", Kind.REMINDER, "Đến hạn hôm nay: V/v diễn tập phòng thủ (việc của đơn vị)")]
    task_actions.accept(task=unit_task, acting=cast.dung)
    assert run(dt.date(2027, 9, 7), capture) == []


def test_a_unit_assignment_not_yet_forwarded_reminds_the_units_leader(cast, doc_types, incoming_pdf, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.REMIND_ESCALATE_AFTER_DAYS = 1
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                  subject="V/v báo cáo quân số", urgency=Urgency.NORMAL)
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(incoming_pdf))
    workflow.direct(document=doc, acting=cast.hung, text="Sư đoàn 301 báo cáo.", lead=cast.division,
                    deadline=DEADLINE)
    capture = django_capture_on_commit_callbacks
    assert run(DEADLINE, capture) == [("dung", Kind.REMINDER, "Đến hạn hôm nay: V/v báo cáo quân số (việc của đơn vị)")]
    # one working day late: the leaders above the division (the Command's) hear of it
    late = run(dt.date(2027, 9, 7), capture)
    assert late[0] == ("binh", Kind.ESCALATION,
                       "Quá hạn 1 ngày làm việc — Đặng Văn Dũng: V/v báo cáo quân số (việc của đơn vị)")
    assert [who for who, *_ in late] == ["binh", "dung", "hung"]


def test_only_the_system_runs_the_pass(cast):
    with pytest.raises(ActionRefused):
        actions.send_reminders(acting=cast.hung, today=DEADLINE)


def _save_for_the_docs(smtp: Inbox) -> None:
    """With VANTHU_SHOW_MAILS=<file>, write the captured messages (for docs/notifications.md)."""
    import os

    target = os.environ.get("VANTHU_SHOW_MAILS")
    if not target:
        return
    with open(target, "w", encoding="utf-8") as out:
        for message in smtp.messages:
            out.write(f"From: {message['From']}\nTo: {message['To']}\nSubject: {message['Subject'].strip()}\n\n")
            out.write(smtp.text(message).rstrip() + "\n\n----\n\n")


def test_the_command_runs_the_pass_and_mails(cast, handled, smtp: Inbox):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("notify", "remind", "--today", "2027-09-07", "--mail", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["created"] == 1
    assert result["by_stage"] == {"overdue": 1}
    assert result["mailed"] == 1
    assert [rcpt for _, rcpt in smtp.envelopes] == [["minh@qk10.example"]]
    out = io.StringIO()
    call_command("notify", "status", "--json", stdout=out)
    # the overdue reminder (mailed) and the two notices of new work (Dũng's and Minh's; not mailed by default)
    assert json.loads(out.getvalue()) == {"unread": 3, "mail": {"off": 2, "sent": 1}}
