"""PostgreSQL: one row per document in `search_pg` with a tsvector of lexemes (`array_to_tsvector`: no
positions, no weights, no parsing — phrases are the syllable-pair lexemes) under a GIN index. A condition is
an AND of lexemes, the shape the calibration measured fast; prefixes use `:*`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from vanthu.search.engines import Condition, Fragment


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(condition: Condition) -> str:
    parts = [_quote(lex) for lex in condition.required] + [_quote(p) + ":*" for p in condition.prefixes]
    return " & ".join(parts)


class PostgresEngine:
    name = "postgresql"

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def store(self, rows: Sequence[tuple[int, Iterable[str]]]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_pg (document_id, lex) VALUES (%s, array_to_tsvector(%s::text[])) "
                "ON CONFLICT (document_id) DO UPDATE SET lex = EXCLUDED.lex",
                [(pk, list(lex)) for pk, lex in rows],
            )

    def remove(self, ids: Sequence[int]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_pg WHERE document_id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            # TRUNCATE is refused inside a transaction with deferred foreign-key checks pending (tests)
            cursor.execute("DELETE FROM search_pg" if self.connection.in_atomic_block else "TRUNCATE search_pg")

    def bulk_begin(self) -> None:
        """Before a rebuild: drop the GIN index (building it once at the end is several times faster)."""
        with self.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_pg_lex")

    def bulk_end(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("CREATE INDEX IF NOT EXISTS search_pg_lex ON search_pg USING gin (lex)")
            cursor.execute("ANALYZE search_pg")

    def fragment(self, condition: Condition) -> Fragment:
        # A semi-join, not a join: the planner can take the matches from the GIN index as a bitmap (no lexeme
        # vector read per row) and hash them against the visible documents, or probe them from a date walk.
        return Fragment(
            tables=[],
            where=["documents_document.id IN (SELECT document_id FROM search_pg WHERE lex @@ %s::tsquery)"],
            params=[tsquery(condition)],
        )
