"""Search engines behind one interface. An engine stores lexemes per document id and turns a match condition
into a SQL fragment the search queries apply to documents, so the access filter, the facets and the count
are in the same query. An engine with `access_in_index` also stores each document's access and filter tokens
(`search/tokens.py`) and answers counts and pages from its index alone (`count`, `newest`, `ids`), the
person's access clause passed in as `extra`. Engines never touch the ORM: they are handed ids, lexemes and
tokens, and speak plain SQL to their own table (or, Tantivy, to their own index directory). `engine_for(connection)`
picks the engine of the setting `SEARCH_ENGINE` ("tantivy"), else the one of the database in use; `using(name)`
overrides it for a block (the benchmark measures engines side by side in one run)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection as default_connection

NAMES = ("database", "tantivy")  # "database": SQLite FTS5 or PostgreSQL, as the database in use
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("search_engine", default=None)


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


@contextlib.contextmanager
def using(name: str) -> Iterator[None]:
    """Within the block, `engine_for` answers the engine `name` (one of NAMES) whatever the setting."""
    if name not in NAMES:
        raise ValueError(f"unknown search engine {name!r}")
    token = _override.set(name)
    try:
        yield
    finally:
        _override.reset(token)


def configured() -> str:
    return _override.get() or ("tantivy" if settings.SEARCH_ENGINE == "tantivy" else "database")


def engine_for(connection: Any = None) -> Engine:
    connection = connection or default_connection
    if configured() == "tantivy":
        from vanthu.search.engines.tantivy import TantivyEngine

        return TantivyEngine(settings.SEARCH_DIR / "tantivy", connection)
    return database_engine(connection)


def database_engine(connection: Any = None) -> Engine:
    """The engine that keeps its index in the database itself."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        from vanthu.search.engines.postgres import PostgresEngine

        return PostgresEngine(connection)
    from vanthu.search.engines.sqlite import SqliteEngine

    return SqliteEngine(connection)
