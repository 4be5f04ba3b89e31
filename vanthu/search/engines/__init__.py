"""Search engines behind one interface. An engine stores lexemes per document id and turns a match condition
into a SQL fragment the search queries apply to documents, so the access filter, the facets and the count
are in the same query. An engine with `access_in_index` also stores each document's access and filter tokens
(`search/tokens.py`) and answers counts and pages from its index alone (`count`, `newest`, `ids`), the
person's access clause passed in as `extra`. Engines never touch the ORM: they are handed ids, lexemes and
tokens, and speak plain SQL to their own table. `engine_for(connection)` picks the one of the database in use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection as default_connection


@dataclass(frozen=True)
class Condition:
    """All of `required` (lexemes) and, for each group in `prefixes`, one lexeme starting with it."""

    required: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required or self.prefixes)


@dataclass(frozen=True)
class Fragment:
    """What `QuerySet.extra()` needs to keep documents matching a condition."""

    tables: list[str]
    where: list[str]
    params: list[Any]


@dataclass(frozen=True)
class IndexRow:
    """What an engine stores for one document."""

    id: int
    lexemes: Iterable[str]
    tokens: Iterable[str] = ()
    issued: dt.date | None = None


class Engine(Protocol):
    name: str
    access_in_index: bool

    def store(self, rows: Sequence[IndexRow]) -> None: ...
    def remove(self, ids: Sequence[int]) -> None: ...
    def clear(self) -> None: ...
    def fragment(self, condition: Condition, extra: str = "") -> Fragment: ...
    def count(self, condition: Condition, extra: str, cap: int) -> int: ...
    def ids(self, condition: Condition, extra: str, cap: int) -> list[int]: ...
    def newest(self, condition: Condition, extra: str, n: int, cap: int) -> tuple[int, list[int]]: ...
    def bulk_begin(self) -> None: ...
    def bulk_end(self) -> None: ...


def engine_for(connection: Any = None) -> Engine:
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        from vanthu.search.engines.postgres import PostgresEngine

        return PostgresEngine(connection)
    from vanthu.search.engines.sqlite import SqliteEngine

    return SqliteEngine(connection)
