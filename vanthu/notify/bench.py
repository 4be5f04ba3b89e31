"""`vanthu bench reminders`: one reminder pass over N open items (1,000,000 by default) held by 10,000 people in
200 units, on the configured database (PostgreSQL for the issue's target: under 60 s).

The items are generated rows of a benchmark table (`notify_bench_item`: id, handler, unit, deadline), read by a
reminder source shaped like workflow's (keyset batches over the open items in the pass's window, leaders per
unit from memory), so that the figure is the notification path's: stages in working days, the handlers' and
leaders' rows, ON CONFLICT DO NOTHING inserts. Deadlines are spread evenly from 45 days ago to 45 days ahead.
Three passes: the first (every stage new), the same day again (nothing new: all conflicts), the next working
day. Beside them, the baseline: one `send()` (get_or_create) per notification, timed over a sample and
extrapolated. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Iterator, Sequence
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from vanthu.core import measure, workdays
from vanthu.core.actors import SystemActor, operator
from vanthu.notify import actions, reminders
from vanthu.notify.models import Kind, Notification
from vanthu.notify.reminders import BATCH, Due
from vanthu.notify.sending import send
from vanthu.org import actions as org
from vanthu.org.models import Person, Role, RoleGrant, Unit

TABLE = "notify_bench_item"
PREFIX = "bench.item"


class BenchItems:
    name = PREFIX

    def __init__(self) -> None:
        self.parent = dict(Unit.objects.values_list("pk", "parent_id"))
        self.leaders: dict[int, tuple[int, ...]] = {}
        for unit_id, person_id in RoleGrant.objects.filter(role=Role.LEADER).values_list("unit_id", "person_id"):
            self.leaders[unit_id] = (*self.leaders.get(unit_id, ()), person_id)

    def above(self, unit_id: int | None, handler: int) -> tuple[int, ...]:
        while unit_id is not None:
            found = tuple(p for p in self.leaders.get(unit_id, ()) if p != handler)
            if found:
                return found
            unit_id = self.parent.get(unit_id)
        return ()

    def due(self, *, deadline_from: dt.date, deadline_until: dt.date) -> Iterator[Sequence[Due]]:
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, person_id, unit_id, deadline FROM {TABLE} "  # noqa: S608
                               "WHERE id > %s AND deadline BETWEEN %s AND %s ORDER BY id LIMIT %s",
                               [last, deadline_from, deadline_until, BATCH])
                rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [Due(f"{PREFIX}:{pk}", person_id, f"Chủ trì: Việc số {pk}", f"/viec/{pk}/", deadline,
                       self.above(unit_id, person_id)) for pk, person_id, unit_id, deadline in rows]


def _people(units: list[Unit], count: int, out: IO[str]) -> list[Person]:
    existing = list(Person.objects.filter(user__username__startswith="bench-").order_by("pk"))
    if len(existing) >= count:
        return existing[:count]
    user_model = get_user_model()
    start = len(existing)
    users = [user_model(username=f"bench-{i}", is_active=True) for i in range(start, count)]
    for user in users:
        user.set_unusable_password()
    with transaction.atomic():
        made = user_model.objects.bulk_create(users, batch_size=2000)
        people = Person.objects.bulk_create(
            [Person(user=u, full_name=f"Cán bộ {i}", unit=units[i % len(units)], email=f"bench-{i}@qk10.example")
             for i, u in zip(range(start, count), made, strict=True)], batch_size=2000)
    out.write(f"made {len(people)} people\n")
    return existing + people


def _leaders(units: list[Unit]) -> None:
    """The first person of each unit without a leader leads it."""
    led = set(RoleGrant.objects.filter(role=Role.LEADER, unit__in=units).values_list("unit_id", flat=True))
    first: dict[int, int] = {}
    for pk, unit_id in Person.objects.filter(unit__in=units).order_by("pk").values_list("pk", "unit_id"):
        first.setdefault(unit_id, pk)
    RoleGrant.objects.bulk_create([RoleGrant(person_id=first[u.pk], unit=u, role=Role.LEADER)
                                   for u in units if u.pk not in led and u.pk in first], ignore_conflicts=True)


def _units(count: int, out: IO[str]) -> list[Unit]:
    root = Unit.objects.filter(abbreviation="BENCH", parent__isnull=True).first()
    acting = operator("bench reminders")
    if root is None:
        root = org.create_unit(name="Đơn vị thử tải nhắc hạn", abbreviation="BENCH", parent=None, acting=acting)
    units = [root, *Unit.objects.filter(path__startswith=root.path).exclude(pk=root.pk).order_by("pk")]
    while len(units) < count:
        parent = units[(len(units) - 1) // 10]  # a tree ten wide
        units.append(org.create_unit(name=f"Đơn vị {len(units)}", abbreviation=f"B{len(units)}", parent=parent,
                                     acting=acting))
    out.write(f"{len(units)} units\n")
    return units[:count]


def _items(count: int, people: list[Person], today: dt.date, out: IO[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigint PRIMARY KEY, person_id bigint NOT NULL, "
                       "unit_id bigint NOT NULL, deadline date NOT NULL)")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
        if cursor.fetchone()[0] == count:
            return
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {TABLE} SELECT g, (%s::bigint[])[g %% %s + 1], (%s::bigint[])[g %% %s + 1], "  # noqa: S608
                "%s::date + ((g * 7919) %% 91 - 45)::int FROM generate_series(1::bigint, %s::bigint) AS g",
                [[p.pk for p in people], len(people), [p.unit_id for p in people], len(people), today, count])
        else:
            rows = [(i, people[i % len(people)].pk, people[i % len(people)].unit_id,
                     today + dt.timedelta(days=(i * 7919) % 91 - 45)) for i in range(1, count + 1)]
            for start in range(0, count, 20000):
                cursor.executemany(f"INSERT INTO {TABLE} VALUES (%s, %s, %s, %s)",  # noqa: S608
                                   rows[start:start + 20000])
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_deadline ON {TABLE} (deadline, id)")
    out.write(f"generated {count} items in {time.perf_counter() - started:.1f} s\n")


def _timed_pass(today: dt.date) -> tuple[float, float, float, reminders.PassResult]:
    """Wall time, and the CPU time of this process (Python) and of the database's PostgreSQL backends on this
    machine (0 if not measurable): on a loaded machine the wall time is mostly waiting for a core, the CPU times
    are what the pass costs."""
    with measure.ServerCPU() as server:
        started, cpu = time.perf_counter(), time.process_time()
        result = actions.send_reminders(acting=SystemActor("bench reminders"), today=today)
        wall, app = time.perf_counter() - started, time.process_time() - cpu
    return wall, app, server.seconds or 0.0, result


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench reminders")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--baseline-sample", type=int, default=5_000)
    args = parser.parse_args(argv)
    today = timezone.localdate()
    out.write(f"database: {connection.vendor}; today {today}; remind {settings.REMIND_BEFORE_DAYS} working days "
              f"before, escalate {settings.REMIND_ESCALATE_AFTER_DAYS} after; {args.items:,} open items, "
              f"{args.people:,} people, {args.units} units\n")
    units = _units(args.units, out)
    people = _people(units, args.people, out)
    _leaders(units)
    _items(args.items, people, today, out)
    Notification.objects.filter(key__startswith=f"{PREFIX}:").delete()
    source = BenchItems()
    reminders.register(source)
    try:
        start, until = reminders.window(today)
        out.write(f"window {start} … {until}\n")
        figures = []
        for label, day in (("first pass", today), ("same day again", today),
                           ("next working day", workdays.next_working_day(today + dt.timedelta(days=1)))):
            seconds, cpu, server, result = _timed_pass(day)
            figures.append((label, seconds, result))
            out.write(f"{label:<17} wall {seconds:6.1f} s  CPU: Python {cpu:5.1f} s + PostgreSQL {server:5.1f} s  "
                      f"items {result.items:>8,}  new notifications {result.created:>8,}\n")
    finally:
        reminders.unregister(PREFIX)
    # baseline: one get_or_create per notification (send()), on a sample
    sample = list(Person.objects.filter(pk__in=[p.pk for p in people[:100]]))
    started = time.perf_counter()
    for i in range(args.baseline_sample):
        with transaction.atomic():
            send(sample[i % len(sample)], kind=Kind.REMINDER, title=f"Việc số {i}", url="/", key=f"{PREFIX}:b{i}")
    per = (time.perf_counter() - started) / args.baseline_sample
    first = figures[0][2]
    out.write(f"baseline: send() one by one  {per * 1000:.2f} ms per notification → "
              f"{per * first.created:,.0f} s for the first pass's {first.created:,} notifications "
              f"(vanthu: {figures[0][1]:.1f} s)\n")
    Notification.objects.filter(key__startswith=f"{PREFIX}:").delete()
