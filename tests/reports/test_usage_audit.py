"""Reads leave a trace (checklist point 52; issue 13 item 3): opening, downloading and printing a document, every
search and export are audit events with who, what, when and from where; the document page shows its usage
history to the unit's clerks and leaders; a secret document's copy carries a visible mark with who and when,
written on a copy (the stored, signed original is never altered); the leaders' page of reads and its CSV."""

from __future__ import annotations

import io

from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from tests.reports.conftest import pdf_text
from vanthu.audit import log
from vanthu.audit.models import AuditEvent
from vanthu.core import files
from vanthu.documents import marking


def login(client, person):
    client.force_login(person.user)
    return client


def file_url(document):
    return reverse("document_file", args=[document.pk, document.current_file.sha256])


def test_checklist_point_52_opening_a_document_is_recorded_with_who_when_and_where(client, cast, staff_incoming):
    """Checklist point 52: every view of a document is in its usage history."""
    doc = staff_incoming.docs[0]
    page = login(client, cast.lan).get(reverse("document_detail", args=[doc.pk]), REMOTE_ADDR="10.1.2.3",
                                       HTTP_USER_AGENT="Trinh duyet thu")
    assert page.status_code == 200
    event = AuditEvent.objects.get(verb="documents.document.viewed", target_id=str(doc.pk))
    assert (event.actor_id, event.unit_id, event.data["ip"], event.data["agent"], event.data["via"]) == (
        cast.lan.pk, cast.staff.pk, "10.1.2.3", "Trinh duyet thu", "web")
    assert log.verify_chain(event.chain).ok  # a read is a link of the unit's hash chain like any write
    # the next view shows it in the usage history (the clerk may see it), not in the handling history
    html = client.get(reverse("document_detail", args=[doc.pk])).content.decode()
    usage = html.split('id="usage-history"')[1]
    assert "Lịch sử khai thác, sử dụng" in html
    assert "Mở xem văn bản" in usage
    assert "10.1.2.3" in usage
    assert "Mở xem văn bản" not in html.split('id="usage-history"')[0]


def test_checklist_point_52_usage_history_is_for_the_units_clerks_and_leaders_only(client, cast, staff_incoming):
    doc = staff_incoming.docs[1]  # directed to the Operations Department: its officer Quang sees it
    detail = reverse("document_detail", args=[doc.pk])
    assert 'id="usage-history"' in login(client, cast.son).get(detail).content.decode()
    page = login(client, cast.quang).get(reverse("document_detail", args=[doc.pk]))
    assert page.status_code == 200
    assert 'id="usage-history"' not in page.content.decode()


def test_checklist_point_52_an_outsider_gets_404_and_leaves_no_read(client, cast, staff_incoming):
    doc = staff_incoming.docs[0]
    login(client, cast.tam)
    assert client.get(reverse("document_detail", args=[doc.pk])).status_code == 404
    assert client.get(file_url(doc)).status_code == 404
    assert not AuditEvent.objects.filter(actor_id=cast.tam.pk, verb__in=("documents.document.viewed",
                                                                         "documents.file.downloaded")).exists()


def test_checklist_point_52_a_secret_documents_download_is_a_marked_copy_the_original_untouched(
        client, cast, staff_incoming, tmp_path):
    """Checklist point 52: printed or downloaded copies of a secret document carry who and when."""
    secret = staff_incoming.secret
    stored = files.open_file(secret.current_file.sha256).read()
    response = login(client, cast.lan).get(file_url(secret))
    assert response.status_code == 200
    served = response.content
    assert served != stored
    assert served.startswith(stored)  # an incremental update after the original's bytes
    text = " ".join(pdf_text(served, tmp_path).split())
    assert f"BẢN SAO — MẬT — tải xuống bởi {cast.lan.full_name} (" in text
    assert "(+07:00)" in text
    assert files.open_file(secret.current_file.sha256).read() == stored  # the store keeps the original
    event = AuditEvent.objects.get(verb="documents.file.downloaded", target_id=str(secret.pk))
    assert event.data["marked"] is True
    # an ordinary document is served as stored
    plain = staff_incoming.docs[0]
    assert b"".join(client.get(file_url(plain)).streaming_content) == files.open_file(
        plain.current_file.sha256).read()


def test_checklist_point_52_marking_a_signed_pdf_keeps_the_signed_revision_intact(cast, issued):
    """The mark is an incremental update: the signatures still verify over their byte ranges, and the copy is
    reported as modified after signing (it is a copy, not the original)."""
    signed = files.open_file(issued.docs[0].current_file.sha256).read()
    copy = marking.marked_copy(signed, text=marking.mark_text(secrecy="Mật", person_name="Trần Thị Lan",
                                                              unit_name="Bộ Tham mưu",
                                                              at=issued.docs[0].issued_at))
    reader = PdfFileReader(io.BytesIO(copy))
    assert reader.embedded_signatures
    for signature in reader.embedded_signatures:
        status = validate_pdf_signature(signature)
        assert status.intact  # the signed bytes are unchanged
        assert status.coverage.name != "ENTIRE_FILE"  # …but the file goes on after them: the mark


def test_checklist_point_52_search_and_export_are_recorded(client, cast, staff_incoming):
    login(client, cast.lan)
    assert client.get(reverse("search") + "?q=diễn+tập").status_code == 200
    searched = AuditEvent.objects.get(verb="search.query.run")
    assert (searched.actor_id, searched.data["q"], searched.unit_id) == (cast.lan.pk, "diễn tập", cast.staff.pk)
    assert client.get(reverse("search_export") + "?q=diễn+tập").status_code == 200
    exported = AuditEvent.objects.get(verb="search.results.exported")
    assert exported.data["format"] == "xlsx"


def test_checklist_point_52_leaders_filter_the_reads_and_download_csv(client, cast, staff_incoming):
    doc = staff_incoming.docs[0]
    login(client, cast.lan).get(reverse("document_detail", args=[doc.pk]), REMOTE_ADDR="10.9.9.9")
    login(client, cast.son)
    page = client.get(reverse("reads_page") + f"?unit={cast.staff.pk}&verb=documents.document.viewed")
    assert page.status_code == 200
    html = page.content.decode()
    assert cast.lan.full_name in html
    assert "10.9.9.9" in html
    csv = client.get(reverse("reads_page") + f"?unit={cast.staff.pk}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "10.9.9.9" in body
    assert cast.lan.full_name in body
    assert AuditEvent.objects.filter(verb="search.results.exported", actor_id=cast.son.pk).exists()
    # a person who leads nothing, and a leader asking for a unit outside his tree, get 404
    assert login(client, cast.quang).get(reverse("reads_page")).status_code == 404
    assert login(client, cast.dung).get(reverse("reads_page") + f"?unit={cast.staff.pk}").status_code == 404
