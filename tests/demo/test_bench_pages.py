"""`vanthu bench pages`: the data generator and the measuring harness, on a tiny dataset (no timing asserted)."""

from __future__ import annotations

import pytest

from vanthu.demo import bench_pages


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_harness_generates_consistent_registers_and_measures_the_four_pages():
    from vanthu.documents.models import Document, Register

    dataset = bench_pages.generate(200, seed=3, vacuum=False)
    assert Document.objects.count() == 200
    for register in Register.objects.all():
        numbers = sorted(register.documents.values_list("number", flat=True))
        assert numbers == list(range(1, register.last_number + 1))
    assert Document.objects.filter(unit_id=dataset.staff_id).exists()

    urls = bench_pages.page_urls(staff_id=dataset.staff_id, username=dataset.lan_username, sample=5, seed=3)
    results = bench_pages.measure(username=dataset.lan_username, urls=urls, requests=3, warmup=1)
    assert [r.page for r in results] == list(bench_pages.PAGES)
    assert all(r.queries > 0 and r.median_ms > 0 and r.slowest for r in results)


def test_table_compares_the_sizes_and_gives_the_verdict():
    def result(page, p95):
        return {"page": page, "median_ms": p95 / 2, "p95_ms": p95, "queries": 9, "queries_max": 9}

    results = {
        10_000: {"results": [result(p, 20.0) for p in bench_pages.PAGES]},
        1_000_000: {"results": [result("inbox", 25.0), result("incoming_register", 40.0),
                                result("outgoing_register", 120.0), result("document_detail", 21.0)]},
    }
    lines = bench_pages.table(results, [10_000, 1_000_000])
    verdicts = {line.split()[0]: line.split()[-1] for line in lines[3:]}
    assert verdicts == {"inbox": "met", "incoming_register": "MISSED", "outgoing_register": "MISSED",
                        "document_detail": "met"}
    assert bench_pages.misses(results, [10_000, 1_000_000]) == ["incoming_register", "outgoing_register"]


def test_refuses_sqlite():
    from io import StringIO

    with pytest.raises(bench_pages.BenchError, match="PostgreSQL"):
        bench_pages.main(["--database-url", "sqlite:///x.db"], StringIO())
