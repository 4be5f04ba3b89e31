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

from django.db import connection, transaction
from django.utils import timezone

from vanthu.documents.models import Document
from vanthu.search import text
from vanthu.search.engines import engine_for
from vanthu.search.models import ExtractedText, IndexedDocument, Term, Watermark

OVERLAP = dt.timedelta(seconds=10)  # a transaction that committed late still has its row seen
BATCH = 500
FIELDS = (
    "id", "updated_at", "subject", "code_number", "code_notation", "organ_name", "signer_name",
    "signer_position", "description", "to_places", "current_file__sha256",
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


def index_rows(rows: Sequence[dict[str, object]], *, vocabulary: bool = True) -> int:
    """Store the lexemes of `rows` (values of FIELDS) in the engine, and record what was indexed."""
    if not rows:
        return 0
    ids = [int(str(r["id"])) for r in rows]
    bodies = dict(ExtractedText.objects.filter(document_id__in=ids).values_list("document_id", "text"))
    engine = engine_for(connection)
    batch = []
    words: set[str] = set()
    for row in rows:
        head, lex = lexemes_for(row, bodies.get(int(str(row["id"])), ""))
        batch.append((int(str(row["id"])), lex))
        if vocabulary:
            words.update(head)
    words = {w for w in words if len(w) >= 4 and "_" not in w and w.isalpha() and w == text.fold(w)}
    with transaction.atomic():
        engine.store(batch)
        IndexedDocument.objects.bulk_create(
            [
                IndexedDocument(
                    document_id=int(str(r["id"])),
                    source_updated_at=r["updated_at"],  # type: ignore[misc]
                    text_sha256=str(r["current_file__sha256"] or ""),
                )
                for r in rows
            ],
            update_conflicts=True,
            unique_fields=["document"],
            update_fields=["source_updated_at", "text_sha256"],
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


def sync_all() -> int:
    total = 0
    while (done := sync()) > 0:
        total += done
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
    return total
