"""Reminders and escalation: what every app with deadlines registers, and the pass that turns it into
notifications.

An app registers a *reminder source* (`register(source)`, from its AppConfig.ready()). Asked for the open items
whose deadline lies in a window, a source yields them in batches (keyset order, so a million items never sit in
memory at once) as `Due` values. For each, the pass works out the stage the item has reached today, counted in
working days (vanthu.core.workdays):
- `before`: the deadline is at most settings.REMIND_BEFORE_DAYS working days ahead;
- `due`: the deadline is today;
- `overdue`: the deadline has passed;
- and, settings.REMIND_ESCALATE_AFTER_DAYS working days after the deadline, `escalated`: the handler's leaders
  (`escalate_to_person_ids`) are told as well.
Each (item, stage) is one notification key, unique per person, inserted with ON CONFLICT DO NOTHING: a stage is
sent once, whatever number of passes or workers. A pass only sends the stage reached today: a stage missed while
no worker ran is not sent late, and items more than settings.REMIND_LOOKBACK_DAYS past their deadline are not
looked at any more.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from vanthu.core import workdays
from vanthu.notify.models import Kind, MailState
from vanthu.notify.sending import NewNotification, Recipient, insert_many, recipients

BATCH = 5000


class Due(NamedTuple):
    """One open item with a deadline, for one handler. `key` names the item (e.g. "workflow.assignment:42"),
    unique across sources; the pass appends the stage. (A named tuple: a million are made per pass.)"""

    key: str
    person_id: int
    title: str
    url: str
    deadline: dt.date
    escalate_to_person_ids: tuple[int, ...] = ()


class ReminderSource(Protocol):
    name: str

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterable[Sequence[Due]]:
        """The open items with a deadline in [deadline_from, deadline_until], in batches."""
        ...


_sources: dict[str, ReminderSource] = {}


def register(source: ReminderSource) -> None:
    """Add (or replace, by name) a reminder source."""
    _sources[source.name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> list[ReminderSource]:
    return list(_sources.values())


class Stage:
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATED = "escalated"


@dataclass(frozen=True)
class StageOn:
    stage: str | None
    days: int  # working days before (positive) or after (negative) the deadline


@dataclass
class PassResult:
    today: dt.date
    items: int = 0
    created: int = 0
    mail_pending: bool = False
    by_stage: dict[str, int] = field(default_factory=dict)


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    ahead = settings.REMIND_BEFORE_DAYS
    until = workdays.add_working_days(today, ahead) if ahead > 0 else today
    return today - dt.timedelta(days=settings.REMIND_LOOKBACK_DAYS), until


def stage_on(deadline: dt.date, today: dt.date) -> StageOn:
    if deadline > today:
        ahead = workdays.working_days_between(today, deadline)
        return StageOn(Stage.BEFORE if ahead <= settings.REMIND_BEFORE_DAYS else None, ahead)
    if deadline == today:
        return StageOn(Stage.DUE, 0)
    late = workdays.working_days_between(deadline, today)
    return StageOn(Stage.ESCALATED if late >= settings.REMIND_ESCALATE_AFTER_DAYS else Stage.OVERDUE, -late)


TITLE, HANDLER = "\x00T", "\x00H"  # left in the texts of a deadline, replaced per item


@dataclass(frozen=True)
class Plan:
    """What every item with a given deadline gets today: the handler's stage and texts (with TITLE and HANDLER
    to fill in), and the leaders' when it escalates. Worked out once per deadline date, not once per item."""

    stage: str
    kind: str
    title: str
    body: str
    escalation: tuple[str, str] | None  # the leaders' title and body


def plans(today: dt.date) -> Callable[[dt.date], Plan | None]:
    """The texts, translated once (in the deployment's language, Vietnamese by default), and a cache of plans."""
    before = (_("Sắp đến hạn %(deadline)s: %(title)s"), _("Còn %(days)d ngày làm việc đến hạn xử lý (%(deadline)s)."))
    due = (_("Đến hạn hôm nay: %(title)s"), _("Hôm nay (%(deadline)s) là hạn xử lý."))
    overdue = (_("Quá hạn từ %(deadline)s: %(title)s"),
               _("Đã quá hạn xử lý %(days)d ngày làm việc (hạn %(deadline)s)."))
    escalated = (_("Quá hạn %(days)d ngày làm việc — %(handler)s: %(title)s"),
                 _("Đồng chí %(handler)s chưa hoàn thành việc này; hạn xử lý là %(deadline)s, đã quá %(days)d ngày "
                   "làm việc."))

    @functools.cache
    def plan(deadline: dt.date) -> Plan | None:
        on = stage_on(deadline, today)
        if on.stage is None:
            return None
        values = {"deadline": deadline.strftime("%d/%m/%Y"), "days": abs(on.days), "title": TITLE,
                  "handler": HANDLER}
        if on.stage == Stage.BEFORE:
            kind, texts = Kind.REMINDER, before
        elif on.stage == Stage.DUE:
            kind, texts = Kind.REMINDER, due
        else:
            kind, texts = Kind.OVERDUE, overdue
        up = (escalated[0] % values, escalated[1] % values) if on.stage == Stage.ESCALATED else None
        stage = Stage.OVERDUE if on.stage == Stage.ESCALATED else on.stage
        return Plan(stage, kind, texts[0] % values, texts[1] % values, up)

    return plan


def run_pass(today: dt.date) -> PassResult:
    """Ask every source and insert the notifications of the stages reached `today`. Runs inside the caller's
    action (actions.send_reminders); the mails go after the commit."""
    result = PassResult(today=today)
    start, until = window(today)
    people: dict[int, Recipient] = {}
    counts: dict[str, int] = {}
    escalated_suffix = f":{Stage.ESCALATED}"
    with translation.override(settings.LANGUAGE_CODE):
        plan_for = plans(today)
        for source in sources():
            for batch in source.due(deadline_from=start, deadline_until=until):
                wanted = {d.person_id for d in batch} | {p for d in batch for p in d.escalate_to_person_ids}
                missing = wanted - people.keys()
                if missing:
                    people.update(recipients(missing))
                rows: list[NewNotification] = []
                append = rows.append
                result.items += len(batch)
                for due in batch:
                    plan = plan_for(due.deadline)
                    handler = people.get(due.person_id)
                    if plan is None or handler is None:
                        continue
                    append(NewNotification(due.person_id, plan.kind, plan.title.replace(TITLE, due.title), due.url,
                                           f"{due.key}:{plan.stage}", plan.body, handler.mail_state(plan.kind)))
                    counts[plan.stage] = counts.get(plan.stage, 0) + 1
                    if plan.escalation is not None:
                        title = plan.escalation[0].replace(HANDLER, handler.name).replace(TITLE, due.title)
                        body = plan.escalation[1].replace(HANDLER, handler.name)
                        for leader_id in due.escalate_to_person_ids:
                            leader = people.get(leader_id)
                            if leader is None or leader_id == due.person_id:
                                continue
                            append(NewNotification(leader_id, Kind.ESCALATION, title, due.url,
                                                   due.key + escalated_suffix, body,
                                                   leader.mail_state(Kind.ESCALATION)))
                            counts[Stage.ESCALATED] = counts.get(Stage.ESCALATED, 0) + 1
                created = insert_many(rows)
                result.created += created
                if created and any(r.mail_state == MailState.PENDING for r in rows):
                    result.mail_pending = True
    result.by_stage = counts
    return result
