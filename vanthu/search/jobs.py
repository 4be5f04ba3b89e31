"""Search's jobs: the words of a file (text layer, then OCR) and the hourly catch-up of the index."""

from __future__ import annotations

from vanthu.jobs import gone, job


@job(attempts=3, backoff=60)
def extract_text(document_id: int) -> str:
    """Store the words of the document's current file beside it, then re-index the document. Idempotent:
    a file already read (same SHA-256) is not read again."""
    from vanthu.core.blobs import local_copy  # here, not at the top: cheap process start
    from vanthu.documents.models import Document
    from vanthu.search import extraction, indexing
    from vanthu.search.models import ExtractedText, TextMethod

    row = Document.objects.filter(pk=document_id).values("current_file__sha256").first()
    if row is None:
        gone("search.extract_text", "document", document_id)
        return "gone"
    sha = row["current_file__sha256"] or ""
    existing = ExtractedText.objects.filter(document_id=document_id).first()
    if existing is not None and existing.file_sha256 == sha and existing.method != TextMethod.NONE:
        return "current"
    words, method = "", TextMethod.NONE
    if sha:
        with local_copy(sha, suffix=".pdf") as path:  # a temporary copy when the files are on object storage
            words = extraction.text_layer(path)
            method = TextMethod.PDF
            if extraction.looks_scanned(path, words):
                if extraction.ocr_available():
                    words, method = extraction.ocr(path), TextMethod.OCR
                else:
                    words, method = "", TextMethod.NONE
    ExtractedText.objects.update_or_create(
        document_id=document_id, defaults={"file_sha256": sha, "method": method, "text": words}
    )
    indexing.index_documents([document_id])
    return str(method)


@job(attempts=2, backoff=60, every="hour")
def catch_up() -> int:
    """Index whatever the `vanthu search sync --loop` process has not (a deployment without it), and drop the
    index rows of deleted documents."""
    from vanthu.search import indexing

    indexing.forget_deleted()
    return indexing.sync_all()
