"""Keeping the index in step with documents, from the search side (documents never import search).

`sync()` follows a watermark over `Document.updated_at` (indexed by this app's migration): every document
saved since the last pass is re-read and its lexemes stored; a document whose stored row is already current
is skipped, so a pass is idempotent and may overlap the previous one. It runs as `vanthu search sync --loop`
(one pass a second, so a registered document is searchable within about two seconds), and once an hour as a
job for a deployment without that loop. The words of a file come from `ExtractedText`, filled by the
`extract_text` job (PDF text layer, then OCR); when it lands, the document is re-indexed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from vanthu.documents.models import Document, DocumentShare
from vanthu.org.models import Unit
from vanthu.search import text, tokens
from vanthu.search.engines import IndexRow, database_engine, engine_for
from vanthu.search.engines.postgres import PostgresEngine
from vanthu.search.engines.tantivy import TantivyEngine
from vanthu.search.models import ExtractedText, IndexedDocument, Term, UnitSeen, Watermark

OVERLAP = dt.timedelta(seconds=10)  # a transaction that committed late still has its row seen
BATCH = 500
FIELDS = (
    "id", "updated_at", "subject", "code_number", "code_notation", "organ_name", "signer_name",
    "signer_position", "description", "to_places", "current_file__sha256",
    # what the access and filter tokens are made of (search/tokens.py)
    "unit_id", "unit__path", "drafting_unit_id", "secrecy", "created_by_id", "signer_id", "doc_type_id",
    "direction", "status", "urgency", "register__year", "issued_date",
)


def document_texts(row: dict[str, object], body: str) -> list[str]:
    notation = "/".join(str(row[k]) for k in ("code_number", "code_notation") if row[k])
    return [
        str(row["subject"]), notation, str(row["organ_name"]), str(row["signer_name"]),
        str(row["signer_position"]), str(row["description"]), str(row["to_places"]), body,
    ]


def lexemes_for(row: dict[str, object], body: str) -> tuple[set[str], set[str]]:
    """(lexemes of the metadata, lexemes of metadata and body)."""
    head = text.lexemes(document_texts(row, ""))
    return head, head | text.lexemes([body], exact=False)


def shares_of(ids: Sequence[int]) -> dict[int, list[tokens.Share]]:
    out: dict[int, list[tokens.Share]] = {}
    rows = DocumentShare.objects.filter(document_id__in=list(ids)).values_list(
        "document_id", "person_id", "unit_id", "unit__need_to_know_from"
    )
    for document_id, person_id, unit_id, need_to_know in rows:
        out.setdefault(document_id, []).append(tokens.Share(person_id, unit_id, need_to_know))
    return out


def tokens_for(row: dict[str, Any], shares: Sequence[tokens.Share]) -> list[str]:
    return tokens.document_tokens(
        unit_id=row["unit_id"], unit_path=row["unit__path"], drafting_unit_id=row["drafting_unit_id"],
        secrecy=row["secrecy"], created_by_id=row["created_by_id"], signer_id=row["signer_id"], shares=shares,
        doc_type_id=row["doc_type_id"], direction=row["direction"], status=row["status"], urgency=row["urgency"],
        register_year=row["register__year"], issued=row["issued_date"],
    )


def index_rows(rows: Sequence[dict[str, Any]], *, vocabulary: bool = True) -> int:
    """Store the lexemes and tokens of `rows` (values of FIELDS) in the engine, and record what was indexed."""
    if not rows:
        return 0
    ids = [int(str(r["id"])) for r in rows]
    bodies = dict(ExtractedText.objects.filter(document_id__in=ids).values_list("document_id", "text"))
    engine = engine_for(connection)
    shares = shares_of(ids) if engine.access_in_index else {}
    batch = []
    words: set[str] = set()
    for row in rows:
        pk = int(str(row["id"]))
        head, lex = lexemes_for(row, bodies.get(pk, ""))
        access = tokens_for(row, shares.get(pk, [])) if engine.access_in_index else []
        batch.append(IndexRow(pk, lex, access, row["issued_date"]))
        if vocabulary:
            words.update(head)
    words = {w for w in words if len(w) >= 4 and "_" not in w and w.isalpha() and w == text.fold(w)}
    now = timezone.now()
    with transaction.atomic():
        engine.store(batch)
        IndexedDocument.objects.bulk_create(
            [
                IndexedDocument(
                    document_id=int(str(r["id"])),
                    source_updated_at=r["updated_at"],
                    text_sha256=str(r["current_file__sha256"] or ""),
                    indexed_at=now,
                )
                for r in rows
            ],
            update_conflicts=True,
            unique_fields=["document"],
            update_fields=["source_updated_at", "text_sha256", "indexed_at"],
        )
        if words:
            Term.objects.bulk_create([Term(term=w[:40]) for w in words], ignore_conflicts=True)
    return len(rows)


def index_documents(ids: Iterable[int]) -> int:
    rows = list(Document.objects.filter(pk__in=list(ids)).values(*FIELDS))
    return index_rows(rows)


def _needs_text(rows: Sequence[dict[str, object]]) -> list[int]:
    """Documents whose current file has no extracted text yet (or text of an older file)."""
    with_file = {int(str(r["id"])): str(r["current_file__sha256"]) for r in rows if r["current_file__sha256"]}
    if not with_file:
        return []
    done = dict(
        ExtractedText.objects.filter(document_id__in=list(with_file)).values_list("document_id", "file_sha256")
    )
    return [pk for pk, sha in with_file.items() if done.get(pk) != sha]


def sync(*, limit: int = 5000) -> int:
    """One pass: index what changed since the watermark. Returns how many documents were (re)indexed."""
    mark, _ = Watermark.objects.get_or_create(name="documents")
    since = (mark.updated_at - OVERLAP) if mark.updated_at else None
    query = Document.objects.order_by("updated_at", "id")
    if since is not None:
        query = query.filter(updated_at__gte=since)
    rows = list(query.values(*FIELDS)[:limit])
    if not rows:
        return 0
    current = dict(
        IndexedDocument.objects.filter(document_id__in=[r["id"] for r in rows]).values_list(
            "document_id", "source_updated_at"
        )
    )
    changed = [r for r in rows if current.get(r["id"]) != r["updated_at"]]
    index_rows(changed)
    if changed:
        from vanthu.jobs import enqueue_on_commit

        for pk in _needs_text(changed):
            enqueue_on_commit("vanthu.search.jobs.extract_text", pk)
    newest = rows[-1]["updated_at"]
    if mark.updated_at is None or newest > mark.updated_at:
        Watermark.objects.filter(name="documents").update(updated_at=newest)
    return len(changed)


def follow_access(*, limit: int = 5000) -> int:
    """Re-index the documents whose access tokens changed without the document being saved: shared since they
    were indexed, or of a unit that moved in the tree or changed its need-to-know level (or shared with one).
    A person's clearance and roles are on the query's side of the rule: they need no re-indexing."""
    if not engine_for(connection).access_in_index:
        return 0
    done = 0
    mark, _ = Watermark.objects.get_or_create(name="shares")
    shares = DocumentShare.objects.all()
    if mark.updated_at is not None:
        shares = shares.filter(created_at__gte=mark.updated_at - OVERLAP)
    newest = shares.aggregate(newest=Max("created_at"))["newest"]
    if newest is not None:
        indexed = IndexedDocument.objects.filter(document_id=OuterRef("document_id")).values("indexed_at")[:1]
        # a share inserted just before the document was indexed may have committed after: OVERLAP again
        stale = set(
            shares.annotate(indexed_at=Subquery(indexed))
            .filter(Q(indexed_at__isnull=True) | Q(created_at__gt=F("indexed_at") - OVERLAP))
            .values_list("document_id", flat=True)[:limit]
        )
        done += _index_all(sorted(stale))
        if mark.updated_at is None or newest > mark.updated_at:
            Watermark.objects.filter(name="shares").update(updated_at=newest)

    seen = {u.unit_id: (u.path, u.need_to_know_from) for u in UnitSeen.objects.all()}
    units = {pk: (path, level) for pk, path, level in Unit.objects.values_list("pk", "path", "need_to_know_from")}
    if seen:
        moved = [pk for pk, state in units.items() if pk in seen and seen[pk][0] != state[0]]
        levelled = [pk for pk, state in units.items() if pk in seen and seen[pk][1] != state[1]]
        if moved or levelled:
            ids = set(Document.objects.filter(unit_id__in=moved).values_list("id", flat=True))
            ids |= set(DocumentShare.objects.filter(unit_id__in=levelled).values_list("document_id", flat=True))
            done += _index_all(sorted(ids))
    changed = [UnitSeen(unit_id=pk, path=path, need_to_know_from=level)
               for pk, (path, level) in units.items() if seen.get(pk) != (path, level)]
    if changed:
        UnitSeen.objects.bulk_create(changed, update_conflicts=True, unique_fields=["unit"],
                                     update_fields=["path", "need_to_know_from"])
    return done


def _index_all(ids: Sequence[int]) -> int:
    for i in range(0, len(ids), BATCH):
        index_documents(ids[i : i + BATCH])
    return len(ids)


def forget_deleted() -> int:
    """Drop the index rows of documents deleted since they were indexed (the index has no foreign key)."""
    engine = engine_for(connection)
    if isinstance(engine, TantivyEngine):
        existing = set(Document.objects.values_list("id", flat=True).iterator(chunk_size=20_000))
        gone = [pk for pk in engine.all_ids() if pk not in existing]
        engine.remove(gone)
        return len(gone)
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_pg s WHERE NOT EXISTS "
                       "(SELECT 1 FROM documents_document d WHERE d.id = s.document_id)")
        return int(cursor.rowcount)


def sync_all() -> int:
    total = follow_access()
    while (done := sync()) > 0:
        total += done
    return total


def copy_from_database_engine(*, progress: bool = False) -> int:
    """Build the configured engine (Tantivy) from the PostgreSQL engine's rows: the same lexemes and tokens,
    computed once (by the sync or `vanthu gen`), so the build is only the new engine's writing. What
    `IndexedDocument` and the watermark say of those rows stays true of the copy; the sync goes on from there."""
    engine = engine_for(connection)
    source = database_engine(connection)
    if not isinstance(source, PostgresEngine) or source.name == engine.name:
        raise ValueError("a copy needs PostgreSQL's index as the source and another engine as the target")
    engine.bulk_begin()  # Tantivy's rebuild replaces the whole index at its one commit
    total = 0
    for rows in source.stored():  # a failure leaves the old index: the rebuild's writer never commits
        engine.store(rows)
        total += len(rows)
        if progress and total % 100_000 < len(rows):
            print(f"copied {total}", flush=True)  # noqa: T201
    engine.bulk_end()
    return total


def reindex(*, batch: int = 2000, progress: bool = False) -> int:
    """Rebuild the index from the documents (after a change of engine or of the lexeme rules)."""
    engine = engine_for(connection)
    engine.clear()
    IndexedDocument.objects.all().delete()
    engine.bulk_begin()
    total = 0
    last = 0
    while True:
        rows = list(Document.objects.filter(pk__gt=last).order_by("pk").values(*FIELDS)[:batch])
        if not rows:
            break
        index_rows(rows, vocabulary=total < 200_000)
        total += len(rows)
        last = int(str(rows[-1]["id"]))
        if progress:
            print(f"indexed {total}", flush=True)  # noqa: T201
    engine.bulk_end()
    Watermark.objects.update_or_create(name="documents", defaults={"updated_at": timezone.now()})
    UnitSeen.objects.all().delete()
    follow_access()  # the units as the tokens were just made from
    return total
