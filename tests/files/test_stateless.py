"""Stateless app servers (issue 17, item 3): a file uploaded through a page lands in the shared file store, not
on the app server's disk, and is read back from there; the search job reads a stored file through a local
temporary copy when the store is object storage."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vanthu.core.store_backends import backend
from vanthu.workflow import directive_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment
from vanthu.workflow.task_actions import Handover


def test_a_progress_reports_file_goes_to_the_store(client, cast, store, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    directive = directive_actions.issue(acting=cast.hung, unit=cast.command, title="Báo cáo quý IV",
                                        units=[cast.division], deadline=timezone.localdate() + dt.timedelta(days=10),
                                        source_note="Giao ban")
    task = Assignment.objects.get(directive=directive, unit=cast.division)
    [minh_task] = tasks.delegate(task=task, acting=cast.dung, handovers=[Handover(cast.minh)])
    client.force_login(cast.minh.user)
    body = f"so lieu {store} {tmp_path.name}".encode()
    client.post(f"/tasks/{minh_task.pk}/", {"op": "progress", "text": "Số liệu.", "percent": 40,
                                            "file": SimpleUploadedFile("bao-cao.docx", body)})
    note = minh_task.notes.get()
    assert note.file.name.startswith("blob/")
    assert note.file.name.endswith("/bao-cao.docx")
    assert backend().exists(note.file.name.split("/")[1])
    assert not (tmp_path / "media").exists()  # nothing on this server's disk
    client.force_login(cast.dung.user)
    got = client.get(f"/tasks/{minh_task.pk}/notes/{note.pk}/file/")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == body
    assert 'filename="bao-cao.docx"' in got["Content-Disposition"]


def test_text_is_extracted_from_a_file_on_object_storage(cast, doc_types, incoming_pdf, s3_store):
    from tests.files.test_faults import register, unique_pdf
    from vanthu.search.jobs import extract_text
    from vanthu.search.models import ExtractedText, TextMethod

    doc = register(cast, doc_types, unique_pdf(incoming_pdf))
    extract_text.call(doc.pk)
    row = ExtractedText.objects.get(document=doc)
    assert row.method == TextMethod.PDF
    assert row.text.strip()
