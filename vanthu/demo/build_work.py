"""The demo's command and direction (issue 9): directives from the Command to 20 units, passed down three levels
(unit → its sub-unit → an officer), with progress reports, results accepted by the units' commanders, some late,
some overdue, one weekly report; and the commanders' daily review of results waiting for them (the handling of
documents leaves an officer's result for his commander to accept).

Stories on the demo's simulated clock (`build_clock.Simulation`): `plan` spawns them before the simulation runs.
It takes the organisation and the simulation as they are (no import of `build`, which calls this module).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Generator
from typing import Any

from django.utils import timezone

from vanthu.core.choices import Urgency
from vanthu.org.models import Person, Unit
from vanthu.workflow import directive_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, AssignmentState, Part, Recurrence
from vanthu.workflow.task_actions import Handover

Story = Generator[dt.datetime, None, None]
UNITS = 20
PROGRESS = ["Đã quán triệt đến cán bộ chủ chốt.", "Đã tổ chức kiểm tra tại 2 đơn vị trực thuộc.",
            "Đang tổng hợp số liệu, báo cáo đúng hạn.", "Đã hoàn thành 70% nội dung."]
RESULTS = ["Đã tổ chức thực hiện xong, có báo cáo kèm theo.", "Đơn vị đã hoàn thành, đảm bảo chất lượng.",
           "Đã kiểm tra, khắc phục các tồn tại; báo cáo kết quả."]


def _units(org_: Any) -> list[Unit]:
    """Up to 20 units under the Command whose commander is known, nearest the top first."""
    command = org_.cast.command
    units = [u for u in org_.units.values() if u.depth >= 1 and u.path.startswith(command.path)
             and org_.heads.get(u.pk)]
    return sorted(units, key=lambda u: (u.depth, u.path))[:UNITS]


def _below(org_: Any, unit: Unit) -> tuple[Unit | None, Person | None]:
    """A sub-unit with a commander (for the third level), and an officer of the unit."""
    subs = [u for u in org_.units.values() if u.parent_id == unit.pk and org_.heads.get(u.pk)]
    officers = org_.officers.get(unit.pk) or []
    return (subs[0] if subs else None), (officers[0] if officers else None)


def plan(org_: Any, sim: Any, rng: random.Random) -> None:
    end: dt.datetime = sim.end
    sim.spawn(end - dt.timedelta(days=16), _directive(org_, sim, rng, title="Báo cáo kết quả kiểm tra sẵn sàng "
              "chiến đấu, công tác trực chỉ huy, trực ban tháng này", days=10, source="Kết luận hội nghị giao ban "
              "Bộ Tư lệnh", finish=(0.45, 0.2)))
    sim.spawn(end - dt.timedelta(days=3), _directive(org_, sim, rng, title="Triển khai phương án phòng chống "
              "bão, lũ và tìm kiếm cứu nạn năm nay", days=9, source="Chỉ đạo qua điện thoại của Tư lệnh",
              finish=(0.15, 0.0)))
    sim.spawn(end - dt.timedelta(days=12), _weekly(org_))
    day = (end - dt.timedelta(days=15)).replace(hour=16, minute=0)
    while day < end - dt.timedelta(days=1):
        sim.spawn(day, _review(org_))
        day += dt.timedelta(days=1)


def _directive(org_: Any, sim: Any, rng: random.Random, *, title: str, days: int, source: str,
               finish: tuple[float, float]) -> Story:
    units = _units(org_)
    hung: Person = org_.cast.hung
    deadline = timezone.localdate() + dt.timedelta(days=days)
    directive = directive_actions.issue(acting=hung, unit=org_.cast.command, title=title, units=units,
                                        deadline=deadline, urgency=Urgency.URGENT, source_note=source,
                                        text="Các cơ quan, đơn vị triển khai thực hiện, báo cáo kết quả về Bộ Tư lệnh "
                                             "(qua Bộ Tham mưu) đúng hạn.")
    on_time, late = finish
    for unit in units:
        sim.spawn(sim.now + dt.timedelta(hours=rng.uniform(1, 20)),
                  _cascade(org_, sim, rng, directive, unit, on_time=on_time, late=late))
    yield sim.now


def _cascade(org_: Any, sim: Any, rng: random.Random, directive: Any, unit: Unit, *, on_time: float,
             late: float) -> Story:
    root = Assignment.objects.get(directive=directive, unit=unit, parent__isnull=True)
    head: Person = org_.heads[unit.pk][0]
    sub, officer = _below(org_, unit)
    deadline = root.deadline
    assert deadline is not None
    inner = max(timezone.localdate(), deadline - dt.timedelta(days=2))
    handler: Person | None
    if sub is not None:
        [sub_task] = tasks.delegate(task=root, acting=head, handovers=[Handover(sub, Part.LEAD, inner)],
                                    note="Giao đơn vị trực thuộc chủ trì thực hiện.")
        yield sim.now + dt.timedelta(hours=rng.uniform(2, 24))
        sub_head: Person = org_.heads[sub.pk][0]
        sub_officer = (org_.officers.get(sub.pk) or [None])[0]
        if sub_officer is None:
            return
        [task] = tasks.delegate(task=sub_task, acting=sub_head, handovers=[Handover(sub_officer, Part.LEAD, inner)])
        handler = sub_officer
    elif officer is not None:
        [task] = tasks.delegate(task=root, acting=head, handovers=[Handover(officer, Part.LEAD, inner)])
        handler = officer
    else:
        return
    yield sim.now + dt.timedelta(hours=rng.uniform(4, 40))
    tasks.report_progress(task=task, acting=handler, text=rng.choice(PROGRESS), percent=rng.choice([30, 50, 70]))
    roll = rng.random()
    if roll < on_time:
        yield sim.now + dt.timedelta(hours=rng.uniform(10, 60))
    elif roll < on_time + late:
        yield dt.datetime.combine(deadline + dt.timedelta(days=rng.randint(1, 3)), dt.time(9, 30),
                                  sim.now.tzinfo)
    else:
        return  # still open: in time or overdue, as the clock goes
    tasks.complete(task=task, acting=handler, result=rng.choice(RESULTS))


def _weekly(org_: Any) -> Story:
    units = _units(org_)[:8]
    directive_actions.issue(acting=org_.cast.hung, unit=org_.cast.command, title="Báo cáo tình hình tuần",
                            units=units, deadline=None, recurrence=Recurrence.WEEKLY, weekday=4,
                            source_note="Chế độ báo cáo định kỳ")
    yield timezone.now()


def _review(org_: Any) -> Story:
    """The commanders accept the results waiting for them (the last day's stay waiting, for the demo to show)."""
    heads = {unit_id: people[0] for unit_id, people in org_.heads.items() if people}
    for task in Assignment.objects.filter(state=AssignmentState.AWAITING, unit_id__in=heads).order_by("depth"):
        tasks.accept(task=task, acting=heads[task.unit_id])
    yield timezone.now()
