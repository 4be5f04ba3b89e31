"""Tantivy (decision 0028): one index directory, `SEARCH_DIR/tantivy`, one Tantivy document per vanthu document.

Schema — the same lexemes and tokens the PostgreSQL engine stores, nothing else:
- `lex`: the document's lexemes (`text.lexemes`: folded and marked syllables, folded and marked syllable pairs)
  **and** its access and filter tokens (`search/tokens.py`, all starting with `~`), whitespace-separated, one
  term each, indexed without frequencies or positions: a phrase is its pair lexemes, exact-before-folded is
  the tiers of `parsing.tiers`, so a match needs only the posting lists;
- `id`: the document id (indexed: an update deletes the old Tantivy document by this term);
- `rank`: a fast field, `(issue date's ordinal + 1) << 40 | id` (0 for no date), so that "newest first" (issue
  date, then id, descending, no date last) is one sort on one column, and the id is read back from the sort
  value itself without opening a stored document.

A condition is a boolean query: every required lexeme, one term of each prefix (a regex `prefix.*` over the
term dictionary), and the `extra` clause — the person's access clause and the filters, written once in
tsquery syntax over our own tokens (`queries.access_clause`, `queries.filter_clause`), which `parse_clause` reads
into term-set, must and must-not queries. Access is inside the query, so counts never include what the
person may not see. Counts are Tantivy's exact count of the whole query, reported up to `cap + 1`.

Writing: Tantivy allows one `IndexWriter` per index; vanthu's processes take an exclusive `flock` on
`writer.lock` in the index directory around each writer, so the sync loop, the hourly job and a reindex wait
for each other instead of failing. Readers (the web processes) reload on each commit (Tantivy watches
`meta.json`). The adapter touches no ORM: it is handed ids, lexemes and tokens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import re
import threading
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import tantivy

from vanthu.search.engines import Condition, Fragment, IndexRow

ID_BITS = 40
ID_MASK = (1 << ID_BITS) - 1
_lock = threading.Lock()
_indexes: dict[str, tantivy.Index] = {}
_bulk: dict[str, Any] = {}  # path → the writer of a rebuild in progress (bulk_begin … bulk_end)


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("lex", stored=False, tokenizer_name="whitespace", index_option="basic")
    builder.add_unsigned_field("id", stored=False, indexed=True, fast=False)
    builder.add_unsigned_field("rank", stored=False, indexed=False, fast=True)
    return builder.build()


def rank(pk: int, issued: dt.date | None) -> int:
    day = issued.toordinal() + 1 if issued is not None else 0
    return (day << ID_BITS) | pk


def open_index(path: Path) -> tantivy.Index:
    """The index at `path` (created when missing), one object per process and path."""
    key = str(path)
    with _lock:
        index = _indexes.get(key)
        if index is None:
            path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(schema(), path=key, reuse=True)
            _indexes[key] = index
        return index


def forget_index(path: Path) -> None:
    """Drop this process's handle on the index at `path` (a test's index directory is gone after it)."""
    with _lock:
        _indexes.pop(str(path), None)


# --- the extra clause: `'~a' & ('~b' | '~c') & !'~d'` (our tokens only, no user text) --------------------------

class ClauseError(ValueError):
    """Not a clause of our tokens (a programming error: no user text reaches a clause)."""


_TOKEN = re.compile(r"\s*('(?:[^'\\]|\\.)*'|[()&|!])")
Node = tuple[str, Any]  # ("term", word) | ("and", [nodes]) | ("or", [nodes]) | ("not", node)


def parse_clause(expression: str) -> Node | None:
    """The tsquery-syntax clause as a tree (None for an empty clause)."""
    items: list[str] = []
    at, expression = 0, expression.strip()
    while at < len(expression):
        found = _TOKEN.match(expression, at)
        if found is None:
            raise ClauseError(f"not a token expression: {expression[at:at + 30]!r}")
        items.append(found.group(1))
        at = found.end()
    if not items:
        return None
    position = 0

    def take() -> str:
        nonlocal position
        if position >= len(items):
            raise ClauseError("the clause ends too early")
        position += 1
        return items[position - 1]

    def peek() -> str | None:
        return items[position] if position < len(items) else None

    def disjunction() -> Node:
        parts = [conjunction()]
        while peek() == "|":
            take()
            parts.append(conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction() -> Node:
        parts: list[Node] = []
        while True:
            node = factor()
            parts += node[1] if node[0] == "and" else [node]  # `(a & b) & c` is `a & b & c`
            if peek() != "&":
                break
            take()
        return parts[0] if len(parts) == 1 else ("and", parts)

    def factor() -> Node:
        item = take()
        if item == "!":
            return ("not", factor())
        if item == "(":
            inner = disjunction()
            if take() != ")":
                raise ClauseError("unbalanced parentheses")
            return inner
        if not item.startswith("'"):
            raise ClauseError(f"unexpected {item!r}")
        return ("term", item[1:-1].replace("''", "'").replace("\\\\", "\\"))

    tree = disjunction()
    if peek() is not None:
        raise ClauseError(f"unexpected {peek()!r}")
    return tree


def _term(schema_: tantivy.Schema, word: str) -> tantivy.Query:
    return tantivy.Query.term_query(schema_, "lex", word, index_option="basic")


def _all_of(parts: list[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
    if len(parts) == 1 and parts[0][0] == tantivy.Occur.Must:
        return parts[0][1]
    if all(occur == tantivy.Occur.MustNot for occur, _q in parts):  # Tantivy matches nothing on "not" alone
        parts = [(tantivy.Occur.Must, tantivy.Query.all_query()), *parts]
    return tantivy.Query.boolean_query(parts)


def _compile(schema_: tantivy.Schema, node: Node) -> tuple[tantivy.Occur, tantivy.Query]:
    kind, value = node
    if kind == "term":
        return tantivy.Occur.Must, _term(schema_, value)
    if kind == "not":
        occur, query = _compile(schema_, value)
        return (tantivy.Occur.MustNot if occur == tantivy.Occur.Must else tantivy.Occur.Must), query
    if kind == "and":
        return tantivy.Occur.Must, _all_of([_compile(schema_, part) for part in value])
    if all(part[0] == "term" for part in value):  # one of some tokens: a single term-set query
        return tantivy.Occur.Must, tantivy.Query.term_set_query(schema_, "lex", [part[1] for part in value])
    return tantivy.Occur.Must, tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, _all_of([_compile(schema_, part)])) for part in value])


def _prefix(value: str) -> str:
    return re.escape(value) + ".*"


class TantivyEngine:
    name = "tantivy"
    access_in_index = True

    def __init__(self, path: Path, connection: Any = None) -> None:
        self.path = Path(path)
        self.connection = connection  # only to write the id list of `fragment` in the database's dialect
        self.index = open_index(self.path)

    # --- writing ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writer(self) -> Iterator[Any]:
        """The one writer of this index: the rebuild's while one is in progress in this process, else a new one
        under the directory's lock (other processes wait for it), committed and closed on the way out."""
        bulk = _bulk.get(str(self.path))
        if bulk is not None:
            yield bulk[1]
            return
        with open(self.path / "writer.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                writer = self.index.writer(heap_size=50_000_000, num_threads=1)
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        self.index.reload()

    def _delete(self, writer: Any, pk: int) -> None:
        # by a term query: `delete_documents_by_term` does not match an unsigned field's terms (bindings 0.27)
        writer.delete_documents_by_query(tantivy.Query.term_query(self.index.schema, "id", pk))

    def store(self, rows: Sequence[IndexRow]) -> None:
        if not rows:
            return
        fresh = str(self.path) in _bulk  # a rebuild starts empty: no older version to delete
        with self._writer() as writer:
            for row in rows:
                if not fresh:
                    self._delete(writer, row.id)
                doc = tantivy.Document()
                doc.add_unsigned("id", row.id)
                doc.add_unsigned("rank", rank(row.id, row.issued))
                doc.add_text("lex", " ".join(chain(row.lexemes, row.tokens)))
                writer.add_document(doc)

    def remove(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self._writer() as writer:
            for pk in ids:
                self._delete(writer, int(pk))

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def bulk_begin(self) -> None:
        """A rebuild: one writer with a larger heap, held (with the lock) until `bulk_end` commits once. It
        starts by deleting everything, so readers see the old index until the new one is committed whole."""
        lock = open(self.path / "writer.lock", "a+")  # noqa: SIM115 (closed by bulk_end)
        fcntl.flock(lock, fcntl.LOCK_EX)
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        writer.delete_all_documents()
        _bulk[str(self.path)] = (lock, writer)

    def bulk_end(self) -> None:
        lock, writer = _bulk.pop(str(self.path))
        try:
            writer.commit()
            writer.wait_merging_threads()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
        self.index.reload()

    # --- reading ------------------------------------------------------------------------------------------

    def query(self, condition: Condition, extra: str = "") -> tantivy.Query:
        schema_ = self.index.schema
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (tantivy.Occur.Must, tantivy.Query.term_query(schema_, "lex", lex, index_option="basic"))
            for lex in condition.required
        ]
        parts += [(tantivy.Occur.Must, tantivy.Query.regex_query(schema_, "lex", _prefix(p)))
                  for p in condition.prefixes]
        tree = parse_clause(extra)
        if tree is not None:
            parts += [_compile(schema_, node) for node in (tree[1] if tree[0] == "and" else [tree])]
        if not parts:
            return tantivy.Query.all_query()
        return _all_of(parts)

    def _search(self, condition: Condition, extra: str, limit: int) -> tuple[int, list[int]]:
        searcher = self.index.searcher()
        result = searcher.search(self.query(condition, extra), limit=max(limit, 1), count=True,
                                 order_by_field="rank", order=tantivy.Order.Desc)
        ids = [int(value) & ID_MASK for value, _address in result.hits[:limit]]
        # `count` is there when asked for (count=True), though the bindings' stub file does not declare it
        return int(result.count or 0), ids  # type: ignore[attr-defined]

    def count(self, condition: Condition, extra: str, cap: int) -> int:
        return min(self._search(condition, extra, 0)[0], cap + 1)

    def ids(self, condition: Condition, extra: str, cap: int) -> list[int]:
        """Up to `cap` matching ids (the newest: any order would do for facets)."""
        return self._search(condition, extra, cap)[1]

    def newest(self, condition: Condition, extra: str, n: int, cap: int) -> tuple[int, list[int]]:
        total, ids = self._search(condition, extra, n)
        return min(total, cap + 1), ids

    def all_ids(self) -> list[int]:
        return self._search(Condition(), "", self.index.searcher().num_docs)[1]

    def fragment(self, condition: Condition, extra: str = "") -> Fragment:
        """For the documents path (filters without tokens): every matching id, as a condition on the documents
        (a list bound as one parameter: an array on PostgreSQL, JSON on SQLite)."""
        ids = self._search(condition, extra, self.index.searcher().num_docs)[1]
        if self.connection is not None and self.connection.vendor == "postgresql":
            return Fragment(tables=[], where=["documents_document.id = ANY(%s::bigint[])"], params=[ids])
        return Fragment(tables=[], where=["documents_document.id IN (SELECT value FROM json_each(%s))"],
                        params=[json.dumps(ids)])
