"""Faults of the store met by people: object storage unreachable during an upload (a clear message, no
record) and during a download (an error page, not a 500); a damaged file refused with a clear message."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest

from tests.conftest import checked
from tests.files.conftest import alter, remove
from vanthu.core.models import StoredFile
from vanthu.core.store_backends import StoreUnavailable
from vanthu.documents import actions
from vanthu.documents.models import Document


def unique_pdf(pdf: bytes) -> bytes:
    return pdf + f"\n%{uuid.uuid4()}\n".encode()


def register(cast, doc_types, pdf: bytes) -> Document:
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                subject="Về việc kiểm tra kho lưu trữ", code_number="12", code_notation="CV-BQP",
                                issued_date=dt.date(2026, 3, 1))
    return actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(pdf))


def file_url(doc: Document) -> str:
    return f"/documents/{doc.pk}/file/{doc.current_file.sha256}/"


def unreachable(settings) -> None:
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"  # discard port: nothing answers
    settings.FILES_URL = f"s3://nowhere-{uuid.uuid4().hex[:8]}/vanthu"


def test_upload_with_the_store_unreachable_leaves_no_record(cast, doc_types, incoming_pdf, settings, s3_bucket):
    unreachable(settings)
    pdf = unique_pdf(incoming_pdf)
    before = Document.objects.count()
    with pytest.raises(StoreUnavailable) as refused:
        register(cast, doc_types, pdf)
    assert "Kho lưu trữ tệp đang không truy cập được" in refused.value.message
    assert Document.objects.count() == before
    assert not StoredFile.objects.filter(sha256=hashlib.sha256(pdf).hexdigest()).exists()


def test_download_with_the_store_unreachable_is_a_clear_page(cast, doc_types, incoming_pdf, client, settings,
                                                             s3_store):
    doc = register(cast, doc_types, unique_pdf(incoming_pdf))
    unreachable(settings)
    client.force_login(cast.lan.user)
    answer = client.get(file_url(doc))
    assert answer.status_code == 503
    assert "Kho lưu trữ tệp tạm thời không truy cập được" in answer.content.decode()


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_file_is_refused_with_a_clear_message(cast, doc_types, incoming_pdf, client, store, damage):
    doc = register(cast, doc_types, unique_pdf(incoming_pdf))
    sha = doc.current_file.sha256
    client.force_login(cast.lan.user)
    assert client.get(file_url(doc)).status_code == 200
    if damage == "altered":
        alter(sha, b"%PDF-1.4 da bi sua")
    else:
        remove(sha)
    answer = client.get(file_url(doc))
    assert answer.status_code == 409
    assert "Tệp bị thiếu hoặc đã bị thay đổi" in answer.content.decode()


def test_verify_names_the_document_of_a_damaged_file(cast, doc_types, incoming_pdf, store, capsys):
    from django.core.management import call_command

    doc = register(cast, doc_types, unique_pdf(incoming_pdf))
    alter(doc.current_file.sha256, b"%PDF-1.4 da bi sua")
    with pytest.raises(SystemExit) as exit_:
        call_command("files", "verify")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"BAD {doc.current_file.sha256} content differs" in out
    assert f"documents.document {doc.pk}" in out


def test_the_registration_page_with_the_store_unreachable_says_so_and_records_nothing(
        client, cast, doc_types, incoming_pdf, settings, s3_bucket):
    from tests.pages.test_incoming_pages import form, pdf_upload

    unreachable(settings)
    before = Document.objects.count()
    client.force_login(cast.hoa.user)
    answer = client.post("/documents/incoming/new/", form(doc_types, cast, pdf_upload(unique_pdf(incoming_pdf))))
    assert answer.status_code in {200, 503}  # the form again with the message, or the error page
    assert "Kho lưu trữ tệp đang không truy cập được" in answer.content.decode()
    assert Document.objects.count() == before


def test_healthz_reaches_the_bucket(client, settings, s3_store):
    assert client.get("/healthz").json()["files"] == {"ok": True, "kind": "s3"}
    unreachable(settings)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["files"] == {"ok": False, "kind": "s3"}
    assert "127.0.0.1" not in answer.content.decode()
