"""Helpers every router uses: the caller, documents through the access function, uploads, idempotency."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import Status

from vanthu.api import idempotency
from vanthu.api.auth import person_of
from vanthu.api.queries import document_detail
from vanthu.api.schemas import DocumentDetail
from vanthu.audit import log
from vanthu.core.errors import ActionRefused
from vanthu.documents import uploads
from vanthu.documents.access import access_document, can_see
from vanthu.documents.actions import DuplicateSubmission
from vanthu.documents.models import Document, DocumentType
from vanthu.org.models import Person, SigningAuthority, Unit


def document_for(request: HttpRequest, pk: int) -> Document:
    """The document if the caller may see it; Http404 (answered as 404 not_found) otherwise."""
    return access_document(person_of(request), pk)


def detail_of(request: HttpRequest, document: Document) -> DocumentDetail:
    """The document as it is now (re-read after an action), in full."""
    person = person_of(request)
    return document_detail(access_document(person, document.pk), person)


def created(
    request: HttpRequest, response: HttpResponse, create: Callable[[uuid.UUID | None], Document], *, operation: str
) -> Status[DocumentDetail] | DocumentDetail:
    """201 with the document `create(client_token)` made. With an `Idempotency-Key` (see idempotency.py): a retry
    of the same request answers 200 with the document the first one made (header Idempotent-Replayed: true); the
    key with another operation or request is refused (422 idempotency_key_reused)."""
    held = idempotency.claim(request, operation)
    try:
        document = create(held.row.client_token if held else None)
    except DuplicateSubmission as dup:
        person = person_of(request)
        if not can_see(person, dup.existing):
            raise ActionRefused(_("Idempotency-Key này đã được dùng cho một yêu cầu khác."),
                                code="idempotency_key_reused", field="Idempotency-Key", status=422) from dup
        if held is not None:
            held.done(dup.existing.pk)
        response["Idempotent-Replayed"] = "true"
        return document_detail(dup.existing, person)
    except ActionRefused:
        if held is not None:
            held.release()
        raise
    if held is not None:
        held.done(document.pk)
    return Status(201, detail_of(request, document))


NAME_MAX = 200


def short_name(name: str | None, limit: int = NAME_MAX) -> str:
    """The file's base name, at most `limit` characters, its extension kept (so that the check of the extension
    against the content still works on a long name)."""
    base = (name or "tep").replace("\\", "/").rsplit("/", 1)[-1] or "tep"
    if len(base) <= limit:
        return base
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return base[:limit]
    return stem[: limit - len(extension) - 1] + "." + extension


def audit_upload_refusal(
    request: HttpRequest, exc: ActionRefused, *, field: str, name: str | None = None, size: int | None = None,
    data: bytes | None = None,
) -> None:
    """An audit event of a refused upload: who, which request, which file (name, size, SHA-256), why. The
    rejected bytes are not stored."""
    log.record(
        actor=person_of(request), verb="api.upload.refused",
        data={"operation": f"{request.method} {request.path}", "field": field, "name": name, "size": size,
              "sha256": hashlib.sha256(data).hexdigest() if data is not None else None, "code": exc.code,
              "reason": exc.message},
    )


def reject_if_too_large(request: HttpRequest, uploads_: Sequence[UploadedFile] = ()) -> None:
    """Refuse the whole request (413) when the upload handler stopped reading a file over MAX_UPLOAD_MB
    (file_too_large), or when the files together pass MAX_REQUEST_MB (request_too_large)."""
    if getattr(request, "vanthu_upload_too_large", False):
        refusal = uploads.too_large()
        audit_upload_refusal(request, refusal, field="file")
        raise refusal
    total = sum(u.size or 0 for u in uploads_)
    if total > settings.MAX_REQUEST_BYTES:
        refusal = ActionRefused(
            _("Các tệp của yêu cầu cộng lại %(total)s MB, vượt quá tổng dung lượng cho phép của một lần gửi "
              "(%(mb)s MB).") % {"total": round(total / 1024 / 1024, 1), "mb": settings.MAX_REQUEST_MB},
            code="request_too_large", status=413)
        audit_upload_refusal(request, refusal, field="attachments", size=total)
        raise refusal


def checked_upload(
    request: HttpRequest, upload: UploadedFile, *, field: str, allowed: tuple[str, ...] = (uploads.PDF,)
) -> uploads.CheckedFile:
    """Read and check one uploaded file (type by content, extension, size, PDF health); a refusal is audited."""
    name = short_name(upload.name)
    data: bytes | None = None
    try:
        data = uploads.read_upload(upload, name=name, size=upload.size)
        return uploads.check(data, name=name, allowed=allowed)
    except ActionRefused as exc:
        exc.field = field
        audit_upload_refusal(request, exc, field=field, name=name, size=upload.size, data=data)
        raise


def checked_uploads(
    request: HttpRequest, main: UploadedFile, attachments: Sequence[UploadedFile] | None, *,
    main_allowed: tuple[str, ...], attachment_allowed: tuple[str, ...],
) -> tuple[uploads.CheckedFile, list[uploads.CheckedFile]]:
    reject_if_too_large(request, [main, *(attachments or [])])
    file = checked_upload(request, main, field="file", allowed=main_allowed)
    extra = [checked_upload(request, a, field="attachments", allowed=attachment_allowed) for a in attachments or []]
    return file, extra


def _not_found(field: str, what: str) -> ActionRefused:
    return ActionRefused(_("Không tìm thấy %(what)s có mã này.") % {"what": what}, code="not_found", field=field)


def unit_by_id(pk: int, *, field: str) -> Unit:
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise _not_found(field, _("đơn vị"))
    return unit


def person_by_id(pk: int, *, field: str) -> Person:
    person = Person.objects.select_related("unit").filter(pk=pk, is_active=True).first()
    if person is None:
        raise _not_found(field, _("cán bộ"))
    return person


def doc_type_by_id(pk: int, *, field: str = "doc_type") -> DocumentType:
    doc_type = DocumentType.objects.filter(pk=pk, is_active=True).first()
    if doc_type is None:
        raise _not_found(field, _("loại văn bản"))
    return doc_type


def authority_by_id(pk: int, *, field: str = "signer_authority") -> SigningAuthority:
    authority = SigningAuthority.objects.select_related("person", "unit").filter(pk=pk).first()
    if authority is None:
        raise _not_found(field, _("thẩm quyền ký"))
    return authority
