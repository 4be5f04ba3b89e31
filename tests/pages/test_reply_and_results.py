"""Issue 12, item 7: "Soạn văn bản trả lời" from an incoming document opens a draft linked to it both ways
(both pages show the link); completing a task takes the result's files (core file store) and the reply."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from vanthu.audit.models import AuditEvent
from vanthu.core.models import StoredFile
from vanthu.documents.models import Document, Status
from vanthu.workflow.models import Assignment, AssignmentState, TaskFile


def reply_form(cast, doc_types, data: bytes, answers: Document, **overrides):
    values = {
        "client_token": str(uuid.uuid4()), "drafting_unit": str(cast.division.pk),
        "issuing_unit": str(cast.division.pk), "doc_type": str(doc_types["Công văn"].pk),
        "subject": "V/v báo cáo kết quả diễn tập", "urgency": "0", "secrecy": "0", "due_date": "",
        "recipient_names": "Bộ Tư lệnh Quân khu 10", "issued_amount": "", "description": "", "note": "",
        "answers": str(answers.pk), "file": SimpleUploadedFile("tra-loi.pdf", data, content_type="application/pdf"),
    }
    values.update(overrides)
    return values


def test_reply_opens_a_draft_linked_both_ways(client, cast, doc_types, directed, draft_pdf):
    client.force_login(cast.dung.user)
    page = client.get(f"/documents/{directed.pk}/").content.decode()
    assert f'href="/drafts/new/?answers={directed.pk}"' in page
    form = client.get(f"/drafts/new/?answers={directed.pk}").content.decode()
    assert "Soạn văn bản trả lời" in form
    assert "V/v trả lời văn bản số 125/BQP-TM của Bộ Quốc phòng" in form
    assert f'name="answers" value="{directed.pk}"' in form
    answer = client.post("/drafts/new/", reply_form(cast, doc_types, draft_pdf, directed))
    reply = Document.objects.get(answers=directed)
    assert answer.status_code == 302
    assert reply.status == Status.DRAFT
    assert reply.drafting_unit == cast.division
    reply_page = client.get(f"/documents/{reply.pk}/").content.decode()
    assert "Trả lời văn bản" in reply_page
    assert f'href="/documents/{directed.pk}/"' in reply_page
    incoming_page = client.get(f"/documents/{directed.pk}/").content.decode()
    assert "Văn bản trả lời" in incoming_page
    assert f'href="/documents/{reply.pk}/"' in incoming_page
    assert "Soạn văn bản trả lời" in incoming_page  # the incoming document's history says so too
    assert AuditEvent.objects.filter(verb="documents.incoming.reply_drafted", target_id=str(directed.pk)).exists()


def test_outsider_cannot_reply_and_an_unregistered_document_has_no_reply(client, cast, doc_types, directed,
                                                                        draft_pdf):
    client.force_login(cast.tam.user)
    assert client.get(f"/drafts/new/?answers={directed.pk}").status_code == 404
    assert client.post("/drafts/new/", reply_form(cast, doc_types, draft_pdf, directed)).status_code == 404
    assert not Document.objects.filter(answers=directed).exists()


def test_completing_a_task_with_the_reply_and_result_files(client, cast, doc_types, directed, draft_pdf):
    client.force_login(cast.dung.user)
    client.post("/drafts/new/", reply_form(cast, doc_types, draft_pdf, directed))
    reply = Document.objects.get(answers=directed)
    task = Assignment.objects.get(document=directed, unit=cast.division)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "V/v báo cáo kết quả diễn tập" in page  # offered as the reply
    done = client.post(f"/tasks/{task.pk}/", {
        "op": "complete", "result": "Đã tổ chức diễn tập, có báo cáo kèm theo.", "reply": str(reply.pk),
        "result_files": [SimpleUploadedFile("bao-cao.pdf", draft_pdf, content_type="application/pdf")]})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.state in (AssignmentState.DONE, AssignmentState.AWAITING)
    assert task.reply == reply
    row = TaskFile.objects.get(task=task)
    assert row.name == "bao-cao.pdf"
    assert StoredFile.objects.filter(pk=row.file_id).exists()
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    link = f"/tasks/{task.pk}/results/{row.pk}/"
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == draft_pdf
    client.force_login(cast.tam.user)
    assert client.get(link).status_code == 404


def test_a_bad_result_file_is_refused_and_nothing_changes(client, cast, directed):
    client.force_login(cast.dung.user)
    task = Assignment.objects.get(document=directed, unit=cast.division)
    page = client.post(f"/tasks/{task.pk}/", {
        "op": "complete", "result": "Xong.",
        "result_files": [SimpleUploadedFile("bao-cao.pdf", b"not a pdf", content_type="application/pdf")]})
    assert page.status_code == 200
    assert "không phải là tệp" in page.content.decode()
    task.refresh_from_db()
    assert task.state not in (AssignmentState.DONE, AssignmentState.AWAITING)
    assert not TaskFile.objects.exists()
