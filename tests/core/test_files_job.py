"""The weekly `files verify` job: intact files pass; a changed or missing file fails the job with the count,
so the jobs page shows it, and the check is in the audit log either way."""

from __future__ import annotations

import uuid

import pytest

from vanthu.audit.models import AuditEvent
from vanthu.core import files
from vanthu.core.jobs import StoredFilesDamaged, verify_stored_files


def test_weekly_check_passes_then_fails_with_the_damage(db):
    # Contents of this test only: the store on disk is shared by the tests of a session.
    stored = files.store_bytes(f"%PDF-1.4 {uuid.uuid4()}".encode(), content_type="application/pdf")
    files.store_bytes(f"%PDF-1.4 {uuid.uuid4()}".encode(), content_type="application/pdf")
    assert verify_stored_files.call() == {"checked": 2, "bad": 0}
    path = files.path_for(stored.sha256)
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 da bi sua")
    with pytest.raises(StoredFilesDamaged, match="1 of 2 stored files are missing or changed"):
        verify_stored_files.call()
    events = list(AuditEvent.objects.filter(verb="core.files.verified").order_by("seq"))
    assert [(e.data["checked"], e.data["bad"]) for e in events] == [(2, 0), (2, 1)]
    assert events[1].data["files"] == [stored.sha256]
