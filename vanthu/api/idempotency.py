"""Idempotency-Key as the IETF httpapi draft and payment APIs define it (decision 0019).

A key is bound to the person, the operation (`POST /drafts`) and a hash of the request (its form fields and the
SHA-256 of each file, by field and name — not the multipart bytes, whose boundary changes on every retry; or the
JSON body). The same key, operation and request within IDEMPOTENCY_TTL replays the first answer (200,
`Idempotent-Replayed: true`); the same key with another operation or another request is refused with 422
`idempotency_key_reused` and an audit event, never replayed. The key's row is claimed before the action runs,
under a unique constraint, so two concurrent retries share one `client_token` and the action's own unique
constraint on it lets one record be created. A refused action releases a key it claimed, so the client may fix
the request and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.api.auth import person_of
from vanthu.api.models import IDEMPOTENCY_TTL, IdempotencyKey
from vanthu.audit import log
from vanthu.core.errors import ActionRefused

HEADER = "Idempotency-Key"
KEY_MAX = 200


@dataclass
class Claim:
    row: IdempotencyKey
    fresh: bool  # this request made the row (and releases it if the action refuses)

    def release(self) -> None:
        if self.fresh:
            IdempotencyKey.objects.filter(pk=self.row.pk, document_id__isnull=True).delete()

    def done(self, document_id: int) -> None:
        IdempotencyKey.objects.filter(pk=self.row.pk).update(document_id=document_id)


def request_hash(request: HttpRequest) -> str:
    """SHA-256 of what the request asks: form fields and files (by content), or the JSON body."""
    digest = hashlib.sha256()
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = sorted((k, sorted(v)) for k, v in request.POST.lists())
        files = []
        for name, uploads in request.FILES.lists():
            for upload in uploads:
                content = hashlib.sha256()
                upload.seek(0)
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                files.append((name, upload.name or "", content.hexdigest()))
        digest.update(json.dumps({"fields": fields, "files": sorted(files)}, ensure_ascii=False).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _refuse(request: HttpRequest, message: str, *, code: str, status: int) -> ActionRefused:
    person = person_of(request)
    log.record_refusal(actor=person, verb="api.idempotency.refused", target=None, reason=message, code=code)
    return ActionRefused(message, code=code, field=HEADER, status=status)


def parse_key(request: HttpRequest) -> str | None:
    """The one Idempotency-Key header, or None. Two headers arrive joined by a comma: refused (400)."""
    raw = request.headers.get(HEADER)
    if raw is None or not raw.strip():
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # the draft's sf-string form: "…"
        key = key[1:-1]
    if "," in key:
        raise _refuse(request, _("Chỉ gửi một tiêu đề Idempotency-Key, và khóa không chứa dấu phẩy."),
                      code="idempotency_key_invalid", status=400)
    if not key or len(key) > KEY_MAX or not key.isprintable() or not key.isascii():
        raise _refuse(request, _("Idempotency-Key phải gồm 1 đến %(n)s ký tự ASCII in được.") % {"n": KEY_MAX},
                      code="idempotency_key_invalid", status=400)
    return key


def claim(request: HttpRequest, operation: str) -> Claim | None:
    """Claim the request's key for `operation`; None when the request carries no key."""
    key = parse_key(request)
    if key is None:
        return None
    person = person_of(request)
    fingerprint = request_hash(request)
    now = timezone.now()
    IdempotencyKey.objects.filter(person=person, key=key, expires_at__lte=now).delete()  # expired: forgotten
    fresh = True
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(person=person, key=key, operation=operation,
                                                request_hash=fingerprint, expires_at=now + IDEMPOTENCY_TTL)
    except IntegrityError:
        row = IdempotencyKey.objects.get(person=person, key=key)
        fresh = False
    if row.operation != operation or row.request_hash != fingerprint:
        raise _refuse(
            request,
            _("Idempotency-Key này đã được dùng cho một yêu cầu khác (%(operation)s, lúc %(at)s); hãy dùng khóa mới.")
            % {"operation": row.operation, "at": timezone.localtime(row.created_at).strftime("%d/%m/%Y %H:%M")},
            code="idempotency_key_reused", status=422,
        )
    return Claim(row=row, fresh=fresh)
