"""vanthu/written_sql.py: the statements written out name the models' own tables and columns, quoted for the
database, and are built once per vendor and variant."""

from __future__ import annotations

import pytest
from django.db import connection

from vanthu import written_sql
from vanthu.documents.models import Document
from vanthu.exchange.models import BatchClaim


def test_names_come_from_the_model_quoted():
    names = written_sql.quoted(connection, BatchClaim, "message_id", "claimed_at")
    quote = connection.ops.quote_name
    assert names == {"table": quote(BatchClaim._meta.db_table), "message_id": quote("message_id"),
                     "claimed_at": quote("claimed_at")}


def test_a_relation_is_not_a_column():
    with pytest.raises(AssertionError):
        written_sql.quoted(connection, Document, "outbox")  # the outbox's relation to it: no column of its table


def test_built_once_per_vendor_and_variant():
    calls: list[tuple[str, int]] = []

    @written_sql.per_vendor
    def build(conn, rows: int) -> str:
        calls.append((conn.vendor, rows))
        return f"{conn.vendor}:{rows}"

    assert [build(connection, 1), build(connection, 1), build(connection, 2)] == [
        f"{connection.vendor}:1", f"{connection.vendor}:1", f"{connection.vendor}:2"]
    assert calls == [(connection.vendor, 1), (connection.vendor, 2)]
