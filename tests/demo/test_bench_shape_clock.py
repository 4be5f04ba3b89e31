"""`vanthu bench issuing --sequential N --profile` prints the backend's CPU per query shape: each statement is
counted under its shape (values left out) with the backend clock's advance while it ran."""

from __future__ import annotations

import io
import itertools

import pytest
from django.db import connection

from vanthu.demo.bench_issuing_profile import ShapeClock
from vanthu.org.models import Unit


@pytest.mark.django_db
def test_each_statement_is_counted_under_its_shape_with_the_backend_time_it_took() -> None:
    ticks = itertools.count(step=0.001)  # the fake backend clock advances 1 ms at each reading
    clock = ShapeClock(lambda: next(ticks))
    with connection.execute_wrapper(clock):
        for pk in (1, 2, 3):
            list(Unit.objects.filter(pk=pk))
        Unit.objects.filter(abbreviation="X").count()
    shapes = {key: clock.count[key] for key in clock.count}
    assert sorted(shapes.values()) == [1, 3]
    by_pk = next(key for key, times in shapes.items() if times == 3)
    assert by_pk.startswith('SELECT "org_unit"."id"')
    assert 'WHERE "org_unit"."id" = %s' in by_pk
    assert clock.pg[by_pk] == pytest.approx(0.003)  # one reading before, one after: 1 ms each time
    out = io.StringIO()
    clock.write("phát hành", 3, out)
    text = out.getvalue()
    assert "4 truy vấn" not in text
    assert "1.3 truy vấn" in text
    assert '  1.0 ×   1000 µs PG' in text
    assert '  0.3 ×   1000 µs PG' in text
