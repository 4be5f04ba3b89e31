"""No lock is held across units or across the seal (decision 0007), proven on PostgreSQL: units issuing to
each other at the same moment while 32 clerks issue in one unit — no deadlock, no error, no gap, no
duplicate number, and every document delivered exactly once. Plus the short run of `vanthu bench issuing`
(figures printed, nothing timed)."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from vanthu.demo import bench_issuing as bench
from vanthu.demo.bench_issuing_report import table
from vanthu.documents.models import Document, MessageKind, OutboxMessage, Status
from vanthu.signing.models import FileValidation
from vanthu.signing.testing import SIGNING_SECRET


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_16_threads_issuing_between_units_and_32_clerks_in_one_unit_never_deadlock(doc_types):
    """Checklist point 3."""
    assert connection.vendor == "postgresql"
    org = bench.build_org(pairs=8, secret=SIGNING_SECRET)
    between = bench.plan_work(org, "pairs", per_thread=2, clerks=0, secret=SIGNING_SECRET)  # 16 threads A⇄B
    one_unit = bench.plan_work(org, "one_unit", per_thread=2, clerks=32, secret=SIGNING_SECRET)
    threads = between.threads + one_unit.threads
    assert len(between.threads) == 16
    assert len(threads) == 48

    # all at once, each thread its own connection; the delivery jobs run on each commit, in those threads
    samples = bench.run_clerks(threads, mode="outbox", secret=SIGNING_SECRET)

    ids = [pk for thread in threads for pk, _ in thread]
    assert samples.errors == []  # no deadlock, no server error
    assert Document.objects.filter(pk__in=ids, status=Status.ISSUED).count() == len(ids) == 96
    assert bench.check_registers(ids) == (0, 0)  # no gap, no duplicate
    hub_numbers = sorted(Document.objects.filter(pk__in=ids, unit_id=org.hub.unit_id).values_list("number",
                                                                                                   flat=True))
    assert hub_numbers == list(range(1, 65))
    messages = OutboxMessage.objects.filter(document_id__in=ids, kind=MessageKind.DOCUMENT)
    assert messages.filter(state=OutboxMessage.State.DELIVERED).count() == len(ids)
    assert Document.objects.filter(source_id__in=ids).count() == len(ids)  # each delivered exactly once
    assert len(samples.held_ms) == len(ids)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_issuing_benchmark_runs_both_designs_in_short(doc_types):
    org = bench.build_org(pairs=1, secret=SIGNING_SECRET)
    results = []
    for scenario in bench.SCENARIOS:
        for mode in bench.MODES:
            work = bench.plan_work(org, scenario, per_thread=1, clerks=2, secret=SIGNING_SECRET)
            results.append(bench.measure(work, mode=mode, scenario=scenario, secret=SIGNING_SECRET, checkers=1))
    outbox = [r for r in results if r.mode == "outbox"]
    assert [(r.issued, r.documents, r.deliveries, r.gaps, r.duplicates) for r in outbox] == [(2, 2, 2, 0, 0)] * 2
    # the check after issuance ran in both modes alike: every issued file checked, its verdict stored
    assert [r.checks for r in results] == [r.issued for r in results]
    issued_files = list(Document.objects.filter(status=Status.ISSUED, direction="out")
                        .values_list("current_file_id", flat=True))
    assert FileValidation.objects.filter(file_id__in=issued_files).count() == len(set(issued_files))
    out = io.StringIO()
    out.write("\n".join(table(results)))
    text = out.getvalue()
    assert "giữ dòng bộ đếm p95 ms" in text
    assert "các cặp · baseline" in text
    assert "kiểm tra sau phát hành/s" in text
