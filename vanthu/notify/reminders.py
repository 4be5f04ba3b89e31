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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from vanthu.core import workdays
from vanthu.notify.models import Kind, MailState
from vanthu.notify.sending import NewNotification, Recipient, insert_many, recipients

BATCH = 5000


@dataclass(frozen=True)
class Due:
    """One open item with a deadline, for one handler. `key` names the item (e.g. "workflow.assignment:42"),
    unique across sources; the pass appends the stage."""

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


@functools.lru_cache(maxsize=4096)
def _date(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


class _Texts:
    """The notification texts of a pass, translated once (in the deployment's language, Vietnamese by default)."""

    def __init__(self) -> None:
        self.before = (_("Sắp đến hạn %(deadline)s: %(title)s"),
                       _("Còn %(days)d ngày làm việc đến hạn xử lý (%(deadline)s)."))
        self.due = (_("Đến hạn hôm nay: %(title)s"), _("Hôm nay (%(deadline)s) là hạn xử lý."))
        self.overdue = (_("Quá hạn từ %(deadline)s: %(title)s"),
                        _("Đã quá hạn xử lý %(days)d ngày làm việc (hạn %(deadline)s)."))
        self.escalated = (_("Quá hạn %(days)d ngày làm việc — %(handler)s: %(title)s"),
                          _("Đồng chí %(handler)s chưa hoàn thành việc này; hạn xử lý là %(deadline)s, đã quá "
                            "%(days)d ngày làm việc."))

    def handler(self, due: Due, stage: StageOn) -> tuple[str, str, str]:
        if stage.stage == Stage.BEFORE:
            kind, (title, body), days = Kind.REMINDER, self.before, stage.days
        elif stage.stage == Stage.DUE:
            kind, (title, body), days = Kind.REMINDER, self.due, 0
        else:
            kind, (title, body), days = Kind.OVERDUE, self.overdue, -stage.days
        values = {"deadline": _date(due.deadline), "title": due.title, "days": days}
        return kind, title % values, body % values

    def leader(self, due: Due, stage: StageOn, handler: str) -> tuple[str, str, str]:
        title, body = self.escalated
        values = {"deadline": _date(due.deadline), "title": due.title, "days": -stage.days, "handler": handler}
        return Kind.ESCALATION, title % values, body % values


def run_pass(today: dt.date) -> PassResult:
    """Ask every source and insert the notifications of the stages reached `today`. Runs inside the caller's
    action (actions.send_reminders); the mails go after the commit."""
    result = PassResult(today=today)
    start, until = window(today)
    stages: dict[dt.date, StageOn] = {}
    people: dict[int, Recipient] = {}
    with translation.override(settings.LANGUAGE_CODE):
        texts = _Texts()
        for source in sources():
            for batch in source.due(deadline_from=start, deadline_until=until):
                wanted = {d.person_id for d in batch} | {p for d in batch for p in d.escalate_to_person_ids}
                missing = wanted - people.keys()
                if missing:
                    people.update(recipients(missing))
                rows: list[NewNotification] = []
                for due in batch:
                    result.items += 1
                    stage = stages.get(due.deadline)
                    if stage is None:
                        stage = stages[due.deadline] = stage_on(due.deadline, today)
                    handler = people.get(due.person_id)
                    if stage.stage is None or handler is None:
                        continue
                    kind, title, body = texts.handler(due, stage)
                    handler_stage = Stage.OVERDUE if stage.stage == Stage.ESCALATED else stage.stage
                    rows.append(NewNotification(due.person_id, kind, title, due.url, f"{due.key}:{handler_stage}",
                                                body, handler.mail_state(kind)))
                    result.by_stage[handler_stage] = result.by_stage.get(handler_stage, 0) + 1
                    if stage.stage == Stage.ESCALATED:
                        kind, title, body = texts.leader(due, stage, handler.name)
                        for leader_id in due.escalate_to_person_ids:
                            leader = people.get(leader_id)
                            if leader is None or leader_id == due.person_id:
                                continue
                            rows.append(NewNotification(leader_id, kind, title, due.url,
                                                        f"{due.key}:{Stage.ESCALATED}", body, leader.mail_state(kind)))
                            result.by_stage[Stage.ESCALATED] = result.by_stage.get(Stage.ESCALATED, 0) + 1
                created = insert_many(rows)
                result.created += created
                if created and any(r.mail_state == MailState.PENDING for r in rows):
                    result.mail_pending = True
    return result
