"""The benches' reading of the database's CPU (core/measure.py): every backend seen during a run counts, one that
ended before the run's end too; a backend that was there before the run counts only what it spent in it."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from vanthu.core import measure

BURN = "SELECT count(*) FROM generate_series(1, 3000000) AS g WHERE g %% 7 = 3"


def _burn_then_close(every: float, out: dict[str, float]) -> None:
    """A second connection's backend that does work, waits for the sampler to see its last value, then ends."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            cursor.execute(BURN, [])
        time.sleep(every * 5)  # idle: its CPU does not change while the sampler reads it again
        out["pid"], out["cpu"] = pid, measure.process_cpu(pid) or 0.0
    finally:
        other.close()
    time.sleep(every * 3)  # it has ended well before the run does


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_backend_that_ends_during_the_run_is_counted():
    every = 0.05
    ended: dict[str, float] = {}
    with measure.ServerCPU(every=every) as server:
        worker = threading.Thread(target=_burn_then_close, args=(every, ended))
        worker.start()
        worker.join()
    assert server.seconds is not None
    assert measure.process_cpu(int(ended["pid"])) is None  # gone: nobody could read it after the run
    counted = {pid: last - first for (pid, _start), (first, last) in server.backends.items()}
    assert counted[ended["pid"]] == pytest.approx(ended["cpu"], abs=0.02)
    assert ended["cpu"] > 0.05  # it did spend CPU, and all of it is in the run's figure
    assert server.seconds >= ended["cpu"] - 0.02


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_bench_connection_counts_only_what_it_spent_during_the_run():
    with connection.cursor() as cursor:
        cursor.execute(BURN, [])  # before the run: not counted
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    before = measure.process_cpu(own) or 0.0
    with measure.ServerCPU(every=0.05) as server, connection.cursor() as cursor:
        cursor.execute(BURN, [])
    spent = (measure.process_cpu(own) or 0.0) - before
    mine = [last - first for (pid, _start), (first, last) in server.backends.items() if pid == own]
    assert mine
    assert mine[0] == pytest.approx(spent, abs=0.03)
    firsts = [first for (pid, _start), (first, _last) in server.backends.items() if pid == own]
    assert firsts == [pytest.approx(before, abs=0.02)]  # what it spent before the run is not in the figure
    assert before > 0.05


@pytest.mark.django_db
def test_the_figure_is_none_on_sqlite_and_a_sum_on_postgresql():
    with measure.ServerCPU() as server:
        pass
    if connection.vendor == "sqlite":
        assert server.seconds is None
        assert server.backends == {}
    else:
        assert server.seconds is not None
        assert server.seconds >= 0
        assert server.backends  # this connection's backend at least


def test_tally_cpu_adds_each_calls_process_cpu_under_its_name_and_keeps_answers_and_errors():
    class Owner:
        @staticmethod
        def burn(n: int) -> int:
            return sum(i * i for i in range(n))

        @staticmethod
        def fail() -> None:
            raise ValueError("no")

    seconds: dict[str, float] = {}
    measure.tally_cpu(Owner, "burn", seconds, "burn")
    measure.tally_cpu(Owner, "fail", seconds, "fail")
    assert seconds == {"burn": 0.0, "fail": 0.0}
    start = time.process_time()
    assert Owner.burn(300_000) == sum(i * i for i in range(300_000))
    assert 0 < seconds["burn"] <= time.process_time() - start
    with pytest.raises(ValueError, match="no"):  # the error goes through, its time counted
        Owner.fail()
