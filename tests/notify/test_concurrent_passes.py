"""Two reminder passes at once (two workers, each its own PostgreSQL connection) never create or mail the same
reminder twice: the key is unique per person, inserted with ON CONFLICT DO NOTHING, and a mail is claimed
(SKIP LOCKED) before it is sent."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator, Sequence

import pytest
from django.db import connection, connections

from tests.notify.conftest import Inbox
from vanthu.core.actors import SystemActor
from vanthu.notify import actions, reminders
from vanthu.notify.models import Notification
from vanthu.notify.reminders import Due

TODAY = dt.date(2027, 9, 6)


class ManyItems:
    name = "test.many"

    def __init__(self, people: list[int], boss: int, count: int) -> None:
        self.people, self.boss, self.count = people, boss, count

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        items = [Due(f"test.item:{i}", self.people[i % len(self.people)], f"Việc số {i}", f"/viec/{i}/",
                     TODAY - dt.timedelta(days=i % 10), (self.boss,)) for i in range(self.count)]
        for start in range(0, len(items), 97):  # small batches: the passes interleave
            yield items[start:start + 97]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_never_duplicate(smtp: Inbox, settings):
    from vanthu.demo.characters import build_cast

    assert connection.vendor == "postgresql"
    settings.REMIND_ESCALATE_AFTER_DAYS = 3
    cast = build_cast()
    people = [p.pk for p in (cast.minh, cast.quang, cast.tam, cast.lan)]
    reminders.register(ManyItems(people, cast.dung.pk, 600))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    created: list[int] = []

    def work(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            created.append(actions.send_reminders(acting=SystemActor(name), today=TODAY).created)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=work, args=(f"worker {i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        reminders.unregister(ManyItems.name)
    assert not errors, errors
    keys = list(Notification.objects.values_list("person_id", "key"))
    assert len(keys) == len(set(keys))
    # 600 handlers' reminders (one stage each) + the escalations of the items 3+ working days late
    escalated = Notification.objects.filter(key__endswith=":escalated").count()
    assert escalated > 0
    assert len(keys) == 600 + escalated
    assert sum(created) == len(keys)  # each row was created by exactly one of the two passes
    # and each mailed once (the people wanting mail: every reminder and escalation by default)
    sent = Counter((rcpt[0], m["Subject"]) for (_, rcpt), m in zip(smtp.envelopes, smtp.messages, strict=True))
    assert len(smtp.messages) == len(keys)
    assert max(sent.values()) == 1
