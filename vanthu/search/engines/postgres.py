"""PostgreSQL: one row per document in `search_pg(document_id, issued, lex)`, `lex` a tsvector of lexemes
(`array_to_tsvector`: no positions, no weights, no parsing — phrases are the syllable-pair lexemes) **and of
the document's access and filter tokens** (`search/tokens.py`), under one GIN index. A condition is an AND of
lexemes (prefixes use `:*`) ANDed with the person's access clause and filter tokens, so one GIN condition
answers "matches, visible and filtered" without reading `documents_document` (decision 0011).

Reading a row's `lex` (it is TOASTed, a few KB) is what made counts slow; nothing here evaluates `@@` row by
row except the last resort of a page (a month with more than `cap` matches, where the walk stops after a page):
- the total is a capped count over the GIN bitmap (`LIMIT cap+1` in a subquery): no recheck, no detoasting;
- a page in date order is the newest of the matches when they are at most `cap`, else it is taken a year of
  issue at a time (the `~j<yyyy>` token), then a month (`~i<yyyymm>`), newest first, until it is full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction

from vanthu.search.engines import Condition, Fragment, IndexRow


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(condition: Condition) -> str:
    parts = [_quote(lex) for lex in condition.required] + [_quote(p) + ":*" for p in condition.prefixes]
    return " & ".join(parts)


def combine(*parts: str) -> str:
    return " & ".join(f"({p})" for p in parts if p)


def where(query: str) -> tuple[str, list[Any]]:
    """The condition on `search_pg` (every row when the query is empty: an empty search by the commander)."""
    return ("lex @@ %s::tsquery", [query]) if query else ("TRUE", [])


_CAPPED = (
    "WITH m AS MATERIALIZED (SELECT document_id, issued FROM search_pg WHERE {where} LIMIT %s) "
    "SELECT (SELECT count(*) FROM m), ARRAY(SELECT document_id FROM m "
    "ORDER BY issued DESC NULLS LAST, document_id DESC LIMIT %s)"
)


class PostgresEngine:
    name = "postgresql"
    access_in_index = True

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def store(self, rows: Sequence[IndexRow]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_pg (document_id, issued, lex) VALUES (%s, %s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (document_id) DO UPDATE SET lex = EXCLUDED.lex, issued = EXCLUDED.issued",
                [(r.id, r.issued, sorted(set(r.lexemes) | set(r.tokens))) for r in rows],
            )

    def remove(self, ids: Sequence[int]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_pg WHERE document_id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            # TRUNCATE is refused inside a transaction with deferred foreign-key checks pending (tests)
            cursor.execute("DELETE FROM search_pg" if self.connection.in_atomic_block else "TRUNCATE search_pg")

    def stored(self, *, batch: int = 5000) -> Iterator[list[IndexRow]]:
        """The stored rows in id order, a batch at a time, lexemes and tokens together (`lexemes`): what another
        engine is built from when it takes over from this one (`vanthu search reindex --from postgresql`)."""
        after = 0
        while True:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT document_id, issued, array_to_string(tsvector_to_array(lex), ' ') FROM search_pg "
                    "WHERE document_id > %s ORDER BY document_id LIMIT %s", [after, batch],
                )
                found = cursor.fetchall()
            if not found:
                return
            yield [IndexRow(pk, words.split(" ") if words else [], (), issued) for pk, issued, words in found]
            after = found[-1][0]

    def bulk_begin(self) -> None:
        """Before a rebuild: drop the GIN index (building it once at the end is several times faster)."""
        with self.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_pg_lex")

    def bulk_end(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("CREATE INDEX IF NOT EXISTS search_pg_lex ON search_pg USING gin (lex)")
            cursor.execute("ANALYZE search_pg")

    def fragment(self, condition: Condition, extra: str = "") -> Fragment:
        # A semi-join: the matches (narrowed by the access tokens in `extra`) come from the GIN index as a
        # bitmap and are hashed against the documents the filters keep.
        sql, params = where(combine(tsquery(condition), extra))
        return Fragment(
            tables=[], where=[f"documents_document.id IN (SELECT document_id FROM search_pg WHERE {sql})"],  # noqa: S608
            params=params,
        )

    # --- answering from the index alone -------------------------------------------------------------------

    def _capped(self, cursor: Any, query: str, cap: int, n: int) -> tuple[int, list[int]]:
        sql, params = where(query)
        cursor.execute(_CAPPED.format(where=sql), [*params, cap + 1, n])
        count, ids = cursor.fetchone()
        return int(count), list(ids or [])

    def _cursor(self) -> Any:
        """A cursor in a transaction where the planner may not scan the table: a sequential scan evaluates
        `@@` on every row's TOASTed vector; the GIN bitmap (no recheck for AND/OR/NOT of lexemes) never does."""
        cursor = self.connection.cursor()
        cursor.execute("SET LOCAL enable_seqscan = off")
        return cursor

    def count(self, condition: Condition, extra: str, cap: int) -> int:
        """How many rows match (at most cap + 1)."""
        sql, params = where(combine(tsquery(condition), extra))
        with transaction.atomic(using=self.connection.alias), self._cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_pg WHERE {sql} LIMIT %s) m",  # noqa: S608
                           [*params, cap + 1])
            return int(cursor.fetchone()[0])

    def ids(self, condition: Condition, extra: str, cap: int) -> list[int]:
        """Up to `cap` matching ids, in no order (facets count among them)."""
        sql, params = where(combine(tsquery(condition), extra))
        with transaction.atomic(using=self.connection.alias), self._cursor() as cursor:
            cursor.execute(f"SELECT document_id FROM search_pg WHERE {sql} LIMIT %s", [*params, cap])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    def newest(self, condition: Condition, extra: str, n: int, cap: int) -> tuple[int, list[int]]:
        """(matches up to cap + 1, the `n` newest matching ids: issue date then id, descending)."""
        query = combine(tsquery(condition), extra)
        with transaction.atomic(using=self.connection.alias), self._cursor() as cursor:
            total, ids = self._capped(cursor, query, cap, n)
            if total <= cap or n <= 0:
                return total, ids
            return total, self._by_buckets(cursor, query, n, cap)

    def _by_buckets(self, cursor: Any, query: str, n: int, cap: int) -> list[int]:
        cursor.execute("SELECT max(issued), min(issued) FROM search_pg")
        newest, oldest = cursor.fetchone()
        out: list[int] = []
        if newest is not None:
            for year in range(newest.year, oldest.year - 1, -1):
                count, ids = self._capped(cursor, combine(query, f"'~j{year}'"), cap, n - len(out))
                if count > cap:
                    ids = self._by_months(cursor, query, year, n - len(out), cap)
                out += ids
                if len(out) >= n:
                    return out[:n]
        _count, ids = self._capped(cursor, combine(query, "'~jnone'"), cap, n - len(out))
        return (out + ids)[:n]

    def _by_months(self, cursor: Any, query: str, year: int, n: int, cap: int) -> list[int]:
        out: list[int] = []
        for month in range(12, 0, -1):
            token = f"'~i{year}{month:02d}'"
            count, ids = self._capped(cursor, combine(query, token), cap, n - len(out))
            if count > cap:  # a dense month: walk it by date, the page fills within a few rows
                start = dt.date(year, month, 1)
                end = dt.date(year + month // 12, month % 12 + 1, 1)
                cursor.execute(
                    "SELECT document_id FROM search_pg WHERE lex @@ %s::tsquery AND issued >= %s AND issued < %s "
                    "ORDER BY issued DESC NULLS LAST, document_id DESC LIMIT %s",
                    [combine(query, token), start, end, n - len(out)],
                )  # a walk by date within the month: the one place `@@` is evaluated on rows
                ids = [row[0] for row in cursor.fetchall()]
            out += ids
            if len(out) >= n:
                break
        return out
