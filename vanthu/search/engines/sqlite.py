"""The embedded engine: SQLite FTS5, one column of lexemes (`unicode61`, diacritics kept, `_` inside tokens).
Folding is ours (`text.fold`), so FTS5's `remove_diacritics`, which misses letters with two marks, is off."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vanthu.search.engines import Condition, Fragment, IndexRow


def _quote(lexeme: str) -> str:
    return '"' + lexeme.replace('"', '""') + '"'


class SqliteEngine:
    name = "sqlite-fts5"
    access_in_index = False  # the embedded engine joins the documents: `visible_q` is applied as SQL

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def store(self, rows: Sequence[IndexRow]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(r.id,) for r in rows])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, lex) VALUES (%s, %s)",
                [(r.id, " ".join(r.lexemes)) for r in rows],
            )

    def remove(self, ids: Sequence[int]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(pk,) for pk in ids])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")

    def bulk_begin(self) -> None:
        pass

    def bulk_end(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")

    def match_expression(self, condition: Condition) -> str:
        parts = [_quote(lex) for lex in condition.required] + [_quote(p) + "*" for p in condition.prefixes]
        return " AND ".join(parts)

    def count(self, condition: Condition, extra: str, cap: int) -> int:
        raise NotImplementedError

    def ids(self, condition: Condition, extra: str, cap: int) -> list[int]:
        raise NotImplementedError

    def newest(self, condition: Condition, extra: str, n: int, cap: int) -> tuple[int, list[int]]:
        raise NotImplementedError

    def fragment(self, condition: Condition, extra: str = "") -> Fragment:
        return Fragment(
            tables=["search_fts"],
            where=[
                "search_fts.rowid = documents_document.id",
                "search_fts.lex MATCH %s",
            ],
            params=[self.match_expression(condition)],
        )
