"""VANTHU_DATABASE_URL on PostgreSQL: the values are bound by the server and a statement run twice on a connection is
prepared there from its third run, its plan kept (decision 0044); `?prepare_threshold=off` turns the preparing off
for a pooler that cannot keep prepared statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from vanthu.core.env import PREPARE_THRESHOLD, ConfigError, database_from_url
from vanthu.org.models import Unit

BASE = Path("/srv/vanthu")


def _options(url: str) -> dict[str, object]:
    options = database_from_url(url, base_dir=BASE)["OPTIONS"]
    assert isinstance(options, dict)
    return options


def test_postgres_binds_on_the_server_and_prepares_a_repeated_statement() -> None:
    options = _options("postgres://vanthu@db:5432/vanthu?sslmode=require")
    assert options == {"server_side_binding": True, "prepare_threshold": PREPARE_THRESHOLD, "sslmode": "require"}
    assert PREPARE_THRESHOLD == 2


@pytest.mark.parametrize(("value", "expected"), [("off", None), ("none", None), ("0", 0), ("7", 7)])
def test_the_url_sets_or_turns_off_the_preparing(value: str, expected: int | None) -> None:
    options = _options(f"postgresql://vanthu@db/vanthu?prepare_threshold={value}")
    assert options["prepare_threshold"] == expected
    assert options["server_side_binding"] is True


def test_a_threshold_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ConfigError, match="prepare_threshold"):
        database_from_url("postgres://vanthu@db/vanthu?prepare_threshold=often", base_dir=BASE)


def test_sqlite_is_left_as_it_was() -> None:
    assert "server_side_binding" not in _options("sqlite:///vanthu.db")


@pytest.mark.postgres_only
def test_a_query_run_twice_is_prepared_on_the_server(cast: Any) -> None:
    assert connection.vendor == "postgresql"
    division = cast.division
    for _ in range(3):
        found = Unit.objects.filter(pk=division.pk, abbreviation=division.abbreviation).values_list("name", flat=True)
        assert found.get() == division.name
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                       ['%"org_unit"."abbreviation" = $2%'])
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1, prepared
