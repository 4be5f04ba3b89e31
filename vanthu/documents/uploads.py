"""Checks on uploaded files before anything is stored: type by content, extension, size, PDF health.

Each failure raises ActionRefused with a Vietnamese message naming the file and what is wrong.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused
from vanthu.documents import hostile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: (".pdf",), DOCX: (".docx",)}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes
    pages: int | None = None
    signatures: int = 0


def sniff(data: bytes) -> str | None:
    # A PDF starts with its header (blank lines before it at most): a program or an archive with "%PDF-" somewhere
    # in its first kilobyte (a polyglot) is not taken for one (decision 0024).
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return PDF
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def _kind_name(content_type: str | None) -> str:
    return {PDF: "PDF", DOCX: "DOCX"}.get(content_type or "", _("không xác định"))


def read_upload(upload: IO[bytes], *, name: str, size: int | None = None) -> bytes:
    limit = settings.MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise_too_large(name)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise_too_large(name)
    return data


def too_large(name: str | None = None) -> ActionRefused:
    """The refusal of a file over VANTHU_MAX_UPLOAD_MB (413), naming the file when its name is known."""
    if name is None:
        message = _("Tệp vượt quá dung lượng cho phép (%(mb)s MB). Hãy giảm dung lượng (ví dụ quét ở 200 dpi) "
                    "rồi tải lên lại.") % {"mb": settings.MAX_UPLOAD_MB}
    else:
        message = _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(mb)s MB).") % {
            "name": name, "mb": settings.MAX_UPLOAD_MB}
    return ActionRefused(message, code="file_too_large", field="file", status=413)


def raise_too_large(name: str) -> None:
    raise too_large(name)


def check(data: bytes, *, name: str, allowed: tuple[str, ...] = (PDF,)) -> CheckedFile:
    """Check an upload's bytes: allowed type by content, matching extension, and a healthy PDF."""
    if not data:
        raise ActionRefused(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="file_empty", field="file")
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise_too_large(name)
    if DOCX in allowed and data[:4] == hostile.ZIP_MAGIC:
        hostile.check_archive(data, name=name)  # before anything lists its parts or LibreOffice sees it
    kind = sniff(data)
    allowed_names = ", ".join(_kind_name(a) for a in allowed)
    if kind not in allowed:
        raise ActionRefused(
            _("Tệp “%(name)s” không phải là tệp %(allowed)s hợp lệ.") % {"name": name, "allowed": allowed_names},
            code="file_type", field="file",
        )
    lower = name.lower()
    if not lower.endswith(EXTENSIONS[kind]):
        raise ActionRefused(
            _("Tên tệp “%(name)s” không khớp với nội dung (nội dung là %(kind)s).")
            % {"name": name, "kind": _kind_name(kind)},
            code="file_extension", field="file",
        )
    if kind == PDF:
        pages, signatures = inspect_pdf(data, name=name)
        return CheckedFile(name=name, content_type=PDF, data=data, pages=pages, signatures=signatures)
    return CheckedFile(name=name, content_type=kind, data=data)


def inspect_pdf(data: bytes, *, name: str) -> tuple[int, int]:
    """Page count and number of signature fields with a value; refuses corrupt and encrypted PDFs."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise ActionRefused(
                _("Tệp “%(name)s” được mã hóa bằng mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.") % {"name": name},
                code="pdf_encrypted", field="file",
            )
        pages = int(reader.root["/Pages"]["/Count"])
        _check_parses(reader, name=name)
        hostile.check_pdf(reader, name=name)
        signatures = len(reader.embedded_signatures)
    except ActionRefused:
        raise
    except Exception as exc:
        raise ActionRefused(
            _("Tệp “%(name)s” bị hỏng hoặc không đọc được như một tệp PDF.") % {"name": name},
            code="pdf_corrupt", field="file",
        ) from exc
    if pages < 1:
        raise ActionRefused(_("Tệp “%(name)s” không có trang nào.") % {"name": name}, code="pdf_empty", field="file")
    return pages, signatures


def _check_parses(reader: Any, *, name: str) -> None:
    """Refuse a PDF with an object the signature validation's parser cannot read (decision 0036): it would be
    signed and sealed, and only the check after issuance would call the issued file unreadable."""
    from vanthu.signing import pdfparse

    try:
        unparsed = pdfparse.first_unparsed(reader, limit=hostile.PDF_MAX_OBJECTS)
    except pdfparse.TooManyObjects:
        raise hostile.too_complex(name) from None
    if unparsed is not None:
        raise ActionRefused(
            _("Tệp PDF bị hỏng: “%(name)s” có đối tượng %(object)s không đọc được (%(reason)s). Hãy xuất lại tệp ra "
              "PDF rồi tải lên.") % {"name": name, "object": unparsed.ref, "reason": unparsed.reason},
            code="pdf_corrupt", field="file")
