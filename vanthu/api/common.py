"""Helpers every router uses: the caller, documents through the access function, uploads, idempotency."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import Status

from vanthu.api import idempotency
from vanthu.api.auth import person_of
from vanthu.api.queries import document_detail
from vanthu.api.schemas import DocumentDetail
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


def reject_if_too_large(request: HttpRequest) -> None:
    """The upload handler stopped reading a file over MAX_UPLOAD_MB: refuse the whole request (413)."""
    if getattr(request, "vanthu_upload_too_large", False):
        raise uploads.too_large()


def checked_upload(
    upload: UploadedFile, *, field: str, allowed: tuple[str, ...] = (uploads.PDF,)
) -> uploads.CheckedFile:
    """Read and check one uploaded file (type by content, extension, size, PDF health)."""
    name = (upload.name or "tep").rsplit("/", 1)[-1][:200]
    try:
        data = uploads.read_upload(upload, name=name, size=upload.size)
        return uploads.check(data, name=name, allowed=allowed)
    except ActionRefused as exc:
        exc.field = field
        raise


def checked_uploads(
    request: HttpRequest, main: UploadedFile, attachments: Sequence[UploadedFile] | None, *,
    main_allowed: tuple[str, ...], attachment_allowed: tuple[str, ...],
) -> tuple[uploads.CheckedFile, list[uploads.CheckedFile]]:
    reject_if_too_large(request)
    file = checked_upload(main, field="file", allowed=main_allowed)
    extra = [checked_upload(a, field="attachments", allowed=attachment_allowed) for a in attachments or []]
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
