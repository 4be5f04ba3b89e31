"""Attachments of any type travel in base64 with their manifest; size and SHA-256 are computed on parse."""

from __future__ import annotations

import hashlib

import pytest

from tests.exchange.conftest import TODAY, document, docx_bytes, pdf_bytes, zip_bytes
from vanthu.exchange.edxml import Attachment, EnvelopeInvalid, build_document, parse, sign, verify


def _attachments() -> tuple[Attachment, ...]:
    return (
        Attachment(content_id="cid:1", name="12-KH-TM.pdf", content_type="application/pdf", data=pdf_bytes(),
                   description="Kế hoạch (bản ký số)"),
        Attachment(content_id="cid:2", name="Phụ lục - số liệu.zip", content_type="application/zip",
                   data=zip_bytes({"so-lieu.csv": "đơn vị;chỉ tiêu\nF301;120\n".encode()})),
        Attachment(content_id="cid:3", name="Dự thảo hướng dẫn.docx",
                   content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   data=docx_bytes()),
    )


def test_pdf_zip_and_docx_round_trip_with_size_and_sha256(staff_key):
    envelope = document(attachments=_attachments())
    signed = sign(build_document(envelope, today=TODAY), key=staff_key.key, certificate=staff_key.certificate)
    parsed = parse(signed, today=TODAY)
    assert parsed.envelope is not None
    received = parsed.envelope.attachments
    assert [(a.name, a.content_type, a.kind) for a in received] == [
        ("12-KH-TM.pdf", "application/pdf", "pdf"),
        ("Phụ lục - số liệu.zip", "application/zip", "zip"),
        ("Dự thảo hướng dẫn.docx", _attachments()[2].content_type, "docx"),
    ]
    for sent, got in zip(_attachments(), received, strict=True):
        assert got.data == sent.data
        assert got.size == len(sent.data)
        assert got.sha256 == hashlib.sha256(sent.data).hexdigest()
    assert verify(signed).valid


def test_declared_type_is_kept_and_the_bytes_are_sniffed():
    """The VXP SDK declares application/pdf and sends a ZIP holding the PDF: both facts are visible."""
    packed = Attachment(content_id="cid:1", name="van-ban.pdf", content_type="application/pdf",
                        data=zip_bytes({"van-ban.pdf": pdf_bytes()}))
    parsed = parse(build_document(document(attachments=(packed,)), today=TODAY), today=TODAY)
    assert parsed.envelope is not None
    assert parsed.envelope.attachments[0].content_type == "application/pdf"
    assert parsed.envelope.attachments[0].kind == "zip"


def test_attachment_name_longer_than_200_is_refused_on_build():
    long_name = Attachment(content_id="cid:1", name="a" * 197 + ".pdf", content_type="application/pdf",
                           data=pdf_bytes())
    with pytest.raises(EnvelopeInvalid) as refused:
        build_document(document(attachments=(long_name,)), today=TODAY)
    assert refused.value.field == "edXMLManifest/Reference[1]/AttachmentName"
    assert refused.value.code == "too_long"


def test_two_attachments_with_one_content_id_are_refused():
    one = Attachment(content_id="cid:1", name="a.pdf", content_type="application/pdf", data=pdf_bytes())
    with pytest.raises(EnvelopeInvalid) as refused:
        build_document(document(attachments=(one, one)), today=TODAY)
    assert refused.value.field == "edXMLManifest/Reference[2]/ContentId"


def test_content_without_manifest_entry_is_kept_with_a_warning():
    data = build_document(document(), today=TODAY)
    start = data.index(b"<edXML:Reference>")
    end = data.index(b"</edXML:Reference>") + len(b"</edXML:Reference>")
    parsed = parse(data[:start] + data[end:], today=TODAY)
    assert parsed.envelope is not None
    assert [a.name for a in parsed.envelope.attachments] == ["12-KH-TM.pdf"]
    assert parsed.envelope.attachments[0].data == pdf_bytes()
    assert any("edXMLManifest" in w for w in parsed.warnings)


def test_base64_with_line_breaks_is_read():
    data = build_document(document(), today=TODAY)
    start = data.index(b"<edXML:ContentTransferEncoded>") + len(b"<edXML:ContentTransferEncoded>")
    end = data.index(b"</edXML:ContentTransferEncoded>")
    wrapped = b"\n".join(data[start:end][i:i + 76] for i in range(0, end - start, 76))
    parsed = parse(data[:start] + wrapped + data[end:], today=TODAY)
    assert parsed.envelope is not None
    assert parsed.envelope.attachments[0].data == pdf_bytes()
