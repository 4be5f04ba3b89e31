"""DOCX drafts are converted to PDF by a job after commit: the draft page says "Đang chuyển đổi…" and polls
until the PDF is attached; a failure is shown with its reason; running the job twice attaches one PDF."""

from __future__ import annotations

import logging
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.documents.docx_builder import decree30_docx
from tests.pages.test_drafting_pages import NEW, draft_form
from vanthu.audit.models import AuditEvent
from vanthu.documents.jobs import convert_draft_version
from vanthu.documents.models import Conversion, Document, DraftVersion

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx(name: str = "ke-hoach.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, decree30_docx(), content_type=DOCX_TYPE)


@pytest.fixture
def quang(client, cast):
    client.force_login(cast.quang.user)
    return client


def test_docx_draft_shows_converting_then_updates_itself_with_the_pdf(quang, cast, doc_types,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as jobs:  # the request returns before the conversion
        created = quang.post(NEW, draft_form(cast, doc_types, docx()))
    assert created.status_code == 302
    document = Document.objects.get()
    assert document.current_file is None
    version = document.versions.get()
    assert (version.conversion, version.pdf) == (Conversion.PENDING, None)

    page = quang.get(f"/documents/{document.pk}/").content.decode()
    assert "Đang chuyển đổi…" in page
    assert f'hx-get="/documents/{document.pk}/conversion/"' in page
    assert 'hx-trigger="every 2s"' in page
    assert f'action="/documents/{document.pk}/submit/"' not in page  # nothing to submit yet
    poll = quang.get(f"/documents/{document.pk}/conversion/", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert "Đang chuyển đổi…" in poll.content.decode()

    for job in jobs:  # the worker's turn: LibreOffice converts, the action attaches the PDF
        job()
    poll = quang.get(f"/documents/{document.pk}/conversion/", headers={"HX-Request": "true"})
    assert poll.status_code == 204
    assert poll["HX-Refresh"] == "true"
    document.refresh_from_db()
    version.refresh_from_db()
    assert document.current_file == version.pdf
    assert document.current_file.content_type == "application/pdf"
    assert document.page_amount
    page = quang.get(f"/documents/{document.pk}/").content.decode()
    assert "Đang chuyển đổi…" not in page
    assert f"/documents/{document.pk}/file/{version.pdf_id}/" in page


def test_the_conversion_job_run_twice_attaches_one_pdf(quang, cast, doc_types, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quang.post(NEW, draft_form(cast, doc_types, docx()))
    version = DraftVersion.objects.get()
    first = version.pdf_id
    assert convert_draft_version.call(version.pk) == "done already"
    version.refresh_from_db()
    assert version.pdf_id == first
    assert AuditEvent.objects.filter(verb="documents.draft.converted").count() == 1


def test_a_conversion_that_fails_is_shown_with_its_reason(quang, cast, doc_types, settings, tmp_path,
                                                          django_capture_on_commit_callbacks):
    broken = tmp_path / "soffice"
    broken.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    settings.LIBREOFFICE = str(broken)
    with django_capture_on_commit_callbacks(execute=True):
        quang.post(NEW, draft_form(cast, doc_types, docx("hong.docx")))
    document = Document.objects.get()
    version = document.versions.get()
    assert version.conversion == Conversion.FAILED
    assert "source file could not be loaded" in version.conversion_error
    page = quang.get(f"/documents/{document.pk}/").content.decode()
    assert "Không chuyển được tệp “hong.docx” sang PDF:" in page
    assert "source file could not be loaded" in page
    assert "Hãy tải lên phiên bản khác (PDF hoặc DOCX)." in page
    assert AuditEvent.objects.filter(verb="documents.draft.conversion_failed", target_id=str(document.pk)).exists()


def test_the_conversion_job_of_a_deleted_draft_ends_quietly(caplog, db):
    with caplog.at_level(logging.INFO, logger="vanthu.jobs"):
        assert convert_draft_version.call(424242) == "gone"
    assert "draft version 424242 no longer exists; nothing to do" in caplog.text


def test_signature_validation_runs_in_a_job_after_commit_not_in_the_request(db, incoming_pdf,
                                                                           django_capture_on_commit_callbacks):
    from vanthu.core import files
    from vanthu.documents.actions.common import validate_on_commit
    from vanthu.signing.models import FileValidation

    stored = files.store_bytes(incoming_pdf, content_type="application/pdf")
    with django_capture_on_commit_callbacks() as jobs:
        validate_on_commit(stored)
    assert not FileValidation.objects.exists()  # nothing checked inside the transaction
    assert len(jobs) == 1
    jobs[0]()
    jobs[0]()  # twice: still one stored verdict
    assert FileValidation.objects.filter(file=stored).count() == 1
