"""`vanthu bench work`: command and direction at scale (issue 9, decision 0015), PostgreSQL only.

Builds (once) 200 units and 10,000 people with a leader per unit, then tasks in two steps — first the small set
(10,000), measured; then up to the large set (1,000,000), measured again — and prints side by side, median and p95:
"my work" for officers and for unit leaders, a unit's board, a directive's roll-up over 200 units; and one pass of
the reminder source (`workflow.reminders`) over every open task. Tasks are written with COPY: a directive every
250 tasks, 200 unit tasks (one per unit) and 50 tasks passed down to people; all open (the reminder pass walks
them all), deadlines from ten days ago to thirty days ahead. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

PER_DIRECTIVE_UNITS = 200
PER_DIRECTIVE_PEOPLE = 50


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def ensure_org(units: int, people: int, out: IO[str]) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from vanthu.demo.scale import ensure_units
    from vanthu.org.models import Person, Role, RoleGrant, Unit

    started = time.monotonic()
    unit_list = ensure_units(units)
    have = Person.objects.count()
    if have < people:
        user_model = get_user_model()
        rng = random.Random(9)
        unusable = make_password(None)
        batch_users = [user_model(username=f"bw{i}", password=unusable) for i in range(have, people)]
        with transaction.atomic():
            made = user_model.objects.bulk_create(batch_users, batch_size=2000)
            Person.objects.bulk_create(
                [Person(user=u, full_name=f"Cán bộ {u.username[2:]}", unit=unit_list[i % len(unit_list)],
                        clearance=rng.choice([0, 1, 2])) for i, u in enumerate(made)], batch_size=2000)
    led = set(RoleGrant.objects.filter(role=Role.LEADER).values_list("unit_id", flat=True))
    grants = []
    for unit in Unit.objects.exclude(pk__in=led):
        first = Person.objects.filter(unit=unit).order_by("pk").first()
        if first is not None:
            grants.append(RoleGrant(person=first, unit=unit, role=Role.LEADER))
    RoleGrant.objects.bulk_create(grants)
    out.write(f"org: {Unit.objects.count()} units, {Person.objects.count()} people "
              f"({time.monotonic() - started:.1f} s)\n")


def add_tasks(target: int, out: IO[str], *, seed: int) -> None:
    """Add directives and tasks until there are `target` tasks (COPY, in one transaction per 50,000)."""
    from vanthu.org.models import Person, Role, RoleGrant, Unit
    from vanthu.workflow.models import Assignment, Directive

    have = Assignment.objects.count()
    if have >= target:
        return
    rng = random.Random(seed + have)
    units = list(Unit.objects.exclude(depth=0).order_by("pk").values_list("pk", flat=True))[:PER_DIRECTIVE_UNITS]
    top = Unit.objects.get(depth=0)
    issuer = RoleGrant.objects.filter(role=Role.LEADER, unit=top).values_list("person_id", flat=True).first()
    assert issuer is not None, "the top unit needs a leader"
    people: dict[int, list[int]] = {}
    for pk, unit_id in Person.objects.values_list("pk", "unit_id"):
        people.setdefault(unit_id, []).append(pk)
    today = timezone.localdate()
    fields = [f for f in Assignment._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(["id"] + [f.column for f in fields])
    now = timezone.now()
    started = time.monotonic()
    while have < target:
        n_dir = max(1, min(200, (target - have) // (PER_DIRECTIVE_UNITS + PER_DIRECTIVE_PEOPLE)))
        with transaction.atomic():
            directives = Directive.objects.bulk_create([
                Directive(unit=top, author_id=issuer, title=f"Chỉ đạo số {have + i}: báo cáo tình hình đơn vị",
                          deadline=today + dt.timedelta(days=rng.randrange(-10, 30)), urgency=rng.choice([0, 0, 1, 2]))
                for i in range(n_dir)])
            rows: list[dict[str, Any]] = []
            with connection.cursor() as cursor:
                size = n_dir * (len(units) + PER_DIRECTIVE_PEOPLE)
                cursor.execute("SELECT nextval(pg_get_serial_sequence('workflow_assignment', 'id'))")
                first = cursor.fetchone()[0]
                cursor.execute("SELECT setval(pg_get_serial_sequence('workflow_assignment', 'id'), %s)",
                               [first + size])
                next_id = first
                for d in directives:
                    roots = []
                    for unit_id in units:
                        deadline = d.deadline
                        rows.append({"id": next_id, "directive_id": d.pk, "unit_id": unit_id, "person_id": None,
                                     "parent_id": None, "depth": 0, "deadline": deadline, "urgency": d.urgency,
                                     "state": "open"})
                        roots.append((next_id, unit_id, deadline))
                        next_id += 1
                    for _ in range(PER_DIRECTIVE_PEOPLE):
                        root_id, unit_id, deadline = rng.choice(roots)
                        child_deadline = (deadline - dt.timedelta(days=rng.randrange(0, 3))) if deadline else None
                        rows.append({"id": next_id, "directive_id": d.pk, "unit_id": None,
                                     "person_id": rng.choice(people.get(unit_id) or [issuer]), "parent_id": root_id,
                                     "depth": 1, "deadline": child_deadline, "urgency": d.urgency,
                                     "state": rng.choice(["open", "in_progress"])})
                        next_id += 1
                defaults: dict[str, Any] = {
                    "document_id": None, "title": "", "part": "lead", "progress": 0, "seen_at": None,
                    "accepted_by_id": None, "returned_reason": "", "client_token": None, "instruction_id": None,
                    "role": "lead", "note": "", "result": "", "reply_id": None, "created_by_id": issuer,
                    "created_at": now, "started_at": None, "done_at": None,
                }
                raw = cursor.cursor
                with raw.copy(f"COPY workflow_assignment ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        values = {**defaults, **row}
                        copy.write_row([values["id"]] + [values[f.attname] for f in fields])
        have += len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_assignment")
        cursor.execute("ANALYZE workflow_directive")
    out.write(f"tasks: {have} ({time.monotonic() - started:.1f} s to add)\n")


def measure(runs: int, out: IO[str], *, seed: int) -> dict[str, tuple[float, float]]:
    from vanthu.org.models import Person, Role, RoleGrant, Unit
    from vanthu.workflow import reminders, task_queries
    from vanthu.workflow.models import Directive

    rng = random.Random(seed)
    leader_ids = list(RoleGrant.objects.filter(role=Role.LEADER).values_list("person_id", flat=True))
    officers = list(Person.objects.exclude(pk__in=leader_ids).order_by("?").select_related("unit")[:runs])
    leaders = list(Person.objects.filter(pk__in=rng.sample(leader_ids, min(runs, len(leader_ids))))
                   .select_related("unit"))
    units = list(Unit.objects.exclude(depth=0).order_by("?")[:runs])
    directive_ids = list(Directive.objects.values_list("pk", flat=True))
    directives = list(Directive.objects.filter(pk__in=rng.sample(directive_ids, min(runs, len(directive_ids)))))
    def second_page(person: Person) -> Any:
        return task_queries.my_work(person, cursor=task_queries.my_work(person).next)

    cases: dict[str, list[Callable[[], Any]]] = {
        "my work (officer)": [partial(task_queries.my_work, p) for p in officers],
        "my work (leader)": [partial(task_queries.my_work, p) for p in leaders],
        "my work, pages 1+2 (leader)": [partial(second_page, p) for p in leaders],
        "unit board": [partial(task_queries.unit_board, u) for u in units],
        "directive roll-up (200 units)": [partial(task_queries.directive_rollup, d) for d in directives],
    }
    figures = {}
    for name, calls in cases.items():
        calls[0]()  # warm-up
        times = [timed(c) for c in calls]
        figures[name] = (statistics.median(times), pct(times, 95))
    today = timezone.localdate()
    counted = [0]

    def one_pass() -> None:
        counted[0] = reminders.count_due(deadline_from=today - dt.timedelta(days=60),
                                         deadline_until=today + dt.timedelta(days=60))

    spent = timed(one_pass)
    figures[f"reminder pass ({counted[0]} reminders)"] = (spent, spent)
    return figures


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench work")
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=10_000, help="tasks of the first measurement")
    parser.add_argument("--large", type=int, default=1_000_000, help="tasks of the second measurement")
    parser.add_argument("--runs", type=int, default=30, help="people, units and directives timed per page")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("vanthu bench work needs PostgreSQL (VANTHU_DATABASE_URL)")
    load = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
    out.write(f"vanthu bench work — load average {' '.join(load)}\n")
    ensure_org(args.units, args.people, out)
    add_tasks(args.small, out, seed=args.seed)
    small = measure(args.runs, out, seed=args.seed)
    add_tasks(args.large, out, seed=args.seed)
    large = measure(args.runs, out, seed=args.seed)
    out.write(f"\n{'':38} {'small median':>12} {'p95':>8} {'large median':>13} {'p95':>8} {'p95 ×':>6}\n")
    small_items = list(small.items())
    for (name, (m_l, p_l)), (_name_s, (m_s, p_s)) in zip(large.items(), small_items, strict=True):
        out.write(f"{name:38} {m_s:10.1f}ms {p_s:6.1f}ms {m_l:11.1f}ms {p_l:6.1f}ms {p_l / max(p_s, 1e-9):6.2f}\n")
