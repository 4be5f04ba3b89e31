"""Hostile files at the door (issue 13 item 6, decision 0024): typed by content, zip bombs refused before
LibreOffice, PDFs with JavaScript, launch actions or embedded files refused, incremental updates after the
last signature flagged by the validation; encrypted and corrupt PDFs keep their errors."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from django.test import override_settings
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tests.api.conftest import ApiClient, encrypted, error_of, incoming_form, new_token
from tests.api.test_drafting_api import create_draft
from vanthu.api.intake_fuzz import docx
from vanthu.core.errors import ActionRefused
from vanthu.core.models import StoredFile
from vanthu.documents import hostile, uploads
from vanthu.documents.models import Document, DocumentFile

BOTH = (uploads.PDF, uploads.DOCX)


def refused(data: bytes, name: str, allowed: tuple[str, ...] = BOTH) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        uploads.check(data, name=name, allowed=allowed)
    assert caught.value.message  # a translated sentence, naming the file
    assert name in caught.value.message or caught.value.code == "file_extension"
    return caught.value


def api(person) -> ApiClient:
    return ApiClient(new_token(person))


def add_javascript(writer) -> None:
    """A document-level script (the catalogue's /Names /JavaScript name tree)."""
    action = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")}))
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject({
        NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})})


def rewritten(pdf: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zipped(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


# --- typed by content -------------------------------------------------------------------------------------


def test_a_program_renamed_pdf_is_refused_as_not_a_pdf():
    assert refused(b"MZ\x90\x00" + bytes(2000), "cong-van.pdf").code == "file_type"


def test_a_program_with_a_pdf_header_inside_its_first_kilobyte_is_not_taken_for_a_pdf(incoming_pdf):
    polyglot = b"MZ\x90\x00" + bytes(200) + incoming_pdf
    assert refused(polyglot, "cong-van.pdf").code == "file_type"


def test_a_docx_named_pdf_and_a_pdf_named_docx_are_refused_by_their_content(incoming_pdf):
    assert refused(docx(), "cong-van.pdf").code == "file_extension"
    assert refused(incoming_pdf, "du-thao.docx").code == "file_extension"


def test_a_pdf_declared_as_an_image_is_refused_whatever_the_browser_said(cast, doc_types, incoming_pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(cast.lan)
    body = incoming_form(cast, doc_types) | {"file": SimpleUploadedFile("anh.jpg", incoming_pdf, "image/jpeg")}
    response = client.client.post("/api/v1/incoming", body, headers=client.headers())
    assert response.status_code == 400
    assert error_of(response)["code"] == "file_extension"
    assert not Document.objects.exists()


def test_a_docx_is_refused_where_only_pdf_is_taken():
    assert refused(docx(), "cong-van.docx", allowed=(uploads.PDF,)).code == "file_type"


# --- zip bombs --------------------------------------------------------------------------------------------


def test_a_part_that_expands_a_thousand_times_is_refused_with_the_figures():
    bomb = docx(extra={"word/media/a.bin": bytes(64 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024
    error = refused(bomb, "du-thao.docx")
    assert error.code == "zip_bomb"
    assert "word/media/a.bin" in error.message
    assert "64 MB" in error.message
    assert "200 lần" in error.message


def test_parts_together_over_the_expansion_limit_are_refused(monkeypatch):
    monkeypatch.setattr(hostile, "DOCX_MAX_EXPANDED", 2 * hostile.MB)
    noise = random.Random(13)
    text = "".join(noise.choice("abcdefghij") for _ in range(600_000)).encode()
    error = refused(docx(extra={f"word/media/{i}.txt": text for i in range(4)}), "du-thao.docx")
    assert error.code == "zip_bomb"
    assert "2 MB" in error.message


def test_a_listing_that_understates_a_part_is_caught_while_decompressing(monkeypatch):
    monkeypatch.setattr(hostile, "DOCX_MAX_EXPANDED", 1 * hostile.MB)
    data = bytearray(docx(extra={"word/media/a.bin": bytes(3 * hostile.MB)}))
    # the central directory says the part is 10 bytes; the stream says 3 MB
    at = data.rfind(b"PK\x01\x02")
    data[at + 24:at + 28] = (10).to_bytes(4, "little")
    error = refused(bytes(data), "du-thao.docx")
    assert error.code in ("zip_bomb", "docx_corrupt")


def test_a_docx_of_thousands_of_parts_is_refused_before_its_listing_is_read():
    error = refused(docx(extra={f"word/media/{i}.xml": b"" for i in range(2500)}), "du-thao.docx")
    assert error.code == "zip_bomb"
    assert "2503 phần" in error.message
    assert "2000" in error.message


def test_an_archive_in_an_archive_in_the_document_is_refused_but_one_embedded_sheet_is_not():
    sheet = zipped({"xl/workbook.xml": b"<workbook/>"})
    uploads.check(docx(extra={"word/embeddings/bang.xlsx": sheet}), name="du-thao.docx", allowed=BOTH)
    nested = zipped({"xl/embeddings/inner.zip": zipped({"a.txt": b"a"})})
    error = refused(docx(extra={"word/embeddings/bang.xlsx": nested}), "du-thao.docx")
    assert error.code == "zip_bomb"
    assert "lồng" in error.message


def test_a_zip_bomb_draft_is_refused_by_the_api_and_never_stored_or_converted(cast, doc_types):
    from django_tasks_db.models import DBTaskResult

    before = (Document.objects.count(), StoredFile.objects.count(), DBTaskResult.objects.count())
    bomb = docx(extra={"word/media/a.bin": bytes(96 * 1024 * 1024)})
    response = create_draft(api(cast.quang), cast, doc_types, bomb, name="du-thao.docx")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "zip_bomb"
    assert "96 MB" in error["message"]
    assert (Document.objects.count(), StoredFile.objects.count(), DBTaskResult.objects.count()) == before


@override_settings(LIBREOFFICE="/bin/true")
def test_the_converter_refuses_a_bomb_already_stored_before_starting_libreoffice():
    from vanthu.documents.convert import ConversionFailed, docx_to_pdf

    with pytest.raises(ConversionFailed) as failed:
        docx_to_pdf(docx(extra={"word/media/a.bin": bytes(64 * 1024 * 1024)}), name="du-thao.docx")
    assert "nén" in failed.value.message


# --- PDFs with active content or embedded files ------------------------------------------------------------


def test_document_level_javascript_is_refused(incoming_pdf):
    pdf = rewritten(incoming_pdf, add_javascript)
    assert refused(pdf, "cong-van.pdf").code == "pdf_active_content"


def test_an_open_action_running_javascript_is_refused_but_one_opening_page_one_is_not(incoming_pdf):
    def javascript(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})

    def go_to(writer):
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([
            writer.pages[0].indirect_reference, NameObject("/Fit")])

    assert refused(rewritten(incoming_pdf, javascript), "cong-van.pdf").code == "pdf_active_content"
    checked = uploads.check(rewritten(incoming_pdf, go_to), name="cong-van.pdf", allowed=BOTH)
    assert checked.pages == 1


def test_a_page_additional_action_launching_a_program_is_refused(incoming_pdf):
    def launch(writer):
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})})

    error = refused(rewritten(incoming_pdf, launch), "cong-van.pdf")
    assert error.code == "pdf_active_content"
    assert "JavaScript" in error.message


def test_embedded_files_and_file_attachment_annotations_are_refused(incoming_pdf):
    def attachment_annotation(writer):
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)])})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    embedded = rewritten(incoming_pdf, lambda w: w.add_attachment("phu-luc.exe", b"MZ\x90\x00"))
    assert refused(embedded, "cong-van.pdf").code == "pdf_embedded_files"
    annotated = rewritten(incoming_pdf, attachment_annotation)
    assert refused(annotated, "cong-van.pdf").code == "pdf_embedded_files"


def test_a_pdf_with_javascript_is_refused_by_the_incoming_api_and_leaves_nothing(cast, doc_types, incoming_pdf):
    pdf = rewritten(incoming_pdf, add_javascript)
    response = api(cast.lan).upload("/incoming", incoming_form(cast, doc_types), {"file": ("cong-van.pdf", pdf)})
    assert response.status_code == 400
    assert error_of(response)["code"] == "pdf_active_content"
    assert (Document.objects.count(), DocumentFile.objects.count(), StoredFile.objects.count()) == (0, 0, 0)


def test_encrypted_and_corrupt_pdfs_keep_their_errors(incoming_pdf):
    assert refused(encrypted(incoming_pdf), "cong-van.pdf").code == "pdf_encrypted"
    assert refused(incoming_pdf[: len(incoming_pdf) // 3], "cong-van.pdf").code == "pdf_corrupt"


def test_an_xref_pointing_at_a_stream_that_is_not_one_is_unreadable_for_the_validation(incoming_pdf):
    """Found by `vanthu fuzz intake`: pyHanko asserts on it; the validation (vanthu verify, the exchange
    receipt) says the file is unreadable, and the upload refuses it as corrupt."""
    from vanthu.api import intake_fuzz
    from vanthu.signing import validation

    damaged = intake_fuzz.xref_damage(intake_fuzz.inject_embedded_file(incoming_pdf, 11782), 349605919)
    result = validation.validate_pdf(damaged, trust_roots=[], allow_fetching=False)
    assert not result.readable
    assert result.problem
    assert refused(damaged, "cong-van.pdf").code == "pdf_corrupt"


# --- incremental updates after the last signature ----------------------------------------------------------


def test_an_update_after_the_last_signature_is_flagged_by_the_validation():
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from vanthu.demo.pdfs import sample_draft
    from vanthu.signing import bench, validation

    chain = bench.make_pki("rsa")
    signed = bench.vanthu_issue(sample_draft(), chain, "B-B")
    assert validation.validate_pdf(signed, trust_roots=[chain.root]).valid
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (Sua noi dung) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    result = validation.validate_pdf(out.getvalue(), trust_roots=[chain.root])
    assert result.readable
    assert not result.valid
    assert {s.modified_after for s in result.signatures} == {"other"}
    assert all(s.problems for s in result.signatures)
