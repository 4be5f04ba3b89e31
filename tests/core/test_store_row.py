"""Issue 7, seventh pass: the `StoredFile` row of new bytes is written by one statement (INSERT … ON CONFLICT DO
NOTHING) instead of a look-up then an insert; bytes stored before keep their row as it is."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanthu.core import files
from vanthu.core.models import StoredFile


def test_new_bytes_take_one_statement_and_their_row_is_the_one_returned(db):
    with CaptureQueriesContext(connection) as queries:
        stored = files.store_bytes(b"%PDF-1.7 moi", content_type="application/pdf")
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].upper().startswith("INSERT")
    row = StoredFile.objects.get(pk=stored.sha256)
    assert (row.size, row.content_type, row.created_at) == (stored.size, "application/pdf", stored.created_at)
    assert not stored._state.adding


def test_bytes_stored_before_keep_their_row(db):
    first = files.store_bytes(b"cung noi dung", content_type="application/pdf")
    again = files.store_bytes(b"cung noi dung", content_type="application/octet-stream")
    assert (again.sha256, again.content_type, again.created_at) == (first.sha256, "application/pdf", first.created_at)
    assert StoredFile.objects.filter(pk=first.sha256).count() == 1
