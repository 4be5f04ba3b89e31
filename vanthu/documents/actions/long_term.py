"""Long-term signatures of issued documents (decision 0012): issuance seals at `signing.request_level()` inside
the clerk's request; when the deployment's level is higher, `begin` (in the issuing transaction) records what is
owed and schedules `documents.jobs.enrich_issued`, which asks the TSA and the OCSP/CRL services outside any
transaction or lock and hands the enriched files to `record_enriched`. Deliveries of the document wait until
the enrichment is done or has failed (`holds_delivery`), so recipients receive the long-term file.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents.actions.common import lock, validate_on_commit
from vanthu.documents.models import Document, DocumentFile, LongTermSignature, LongTermState, OutboxMessage, Status
from vanthu.documents.uploads import PDF
from vanthu.jobs import enqueue_on_commit
from vanthu.signing import service as signing

JOB = "vanthu.documents.jobs.enrich_issued"
ATTEMPTS = 6  # the job's attempts (documents.jobs.enrich_issued): after the last one the state is "failed"
ENRICHER = SystemActor("job: long-term signatures")
RENEW_AHEAD = dt.timedelta(days=60)  # a new archive time-stamp this long before the last TSA certificate ends


def begin(document: Document, *, sealed: files.StoredFile) -> LongTermSignature | None:
    """In the issuing transaction: when the configured level is above what was sealed in the request, record
    it as owed and schedule the job after the commit. None when nothing is owed."""
    if not signing.needs_enrichment():
        return None
    record, _created = LongTermSignature.objects.update_or_create(
        document=document,
        defaults={"target": signing.configured_level(), "level": signing.request_level(),
                  "state": LongTermState.PENDING, "sealed_file": sealed, "error": "", "attempts": 0,
                  "reached_at": None, "renew_by": None},
    )
    enqueue_on_commit(JOB, document.pk)
    return record


def holds_delivery(document_id: int) -> bool:
    """A document's delivery waits while its long-term signature is being added."""
    return LongTermSignature.objects.filter(document_id=document_id, state=LongTermState.PENDING).exists()


def holding(document: str = "document_id") -> Exists:
    """`holds_delivery` as an expression of a query's rows (`document`: the field naming the document), to read
    it with the rows themselves instead of one query a row (`exchange.sending._companions`)."""
    return Exists(LongTermSignature.objects.filter(document_id=OuterRef(document), state=LongTermState.PENDING))


def _release_deliveries(document: Document) -> None:
    for pk in OutboxMessage.objects.filter(document=document, kind="document",
                                           state=OutboxMessage.State.WAITING).values_list("pk", flat=True):
        enqueue_on_commit("vanthu.documents.jobs.deliver", pk)


def _check_acting(acting: object, document: Document) -> None:
    if not isinstance(acting, SystemActor):  # the job's, or an operator's at the console; never a page's
        raise ActionRefused(_("Chỉ hệ thống mới bổ sung chữ ký dài hạn."), code="forbidden", target=document)


@action("documents.long_term.added")
def record_enriched(*, document: Document, acting: SystemActor, main: bytes, attachments: dict[int, bytes],
                    level: str, renew_by: dt.datetime | None, renewal: bool = False) -> LongTermSignature:
    """Store the enriched files as new versions of the issued files (the sealed ones stay stored), make them
    the document's files, record the level reached, and let the deliveries go."""
    document = lock(document)
    _check_acting(acting, document)
    record = LongTermSignature.objects.select_for_update().get(document=document)
    if record.state == LongTermState.DONE and not renewal:
        return record  # a second run of the job: done already
    if document.status not in (Status.ISSUED, Status.RECALLED, Status.REPLACED):
        raise ActionRefused(_("Văn bản chưa được ban hành."), code="not_issued", target=document)
    stored = files.store_bytes(main, content_type=PDF)
    DocumentFile.objects.filter(document=document, kind=DocumentFile.Kind.MAIN).update(file=stored)
    for item in document.files.filter(pk__in=list(attachments)):
        item.file = files.store_bytes(attachments[item.pk], content_type=PDF)
        item.save(update_fields=["file"])
    document.current_file = stored
    document.version += 1
    document.save(update_fields=["current_file", "version", "updated_at"])
    record.level = level
    record.state = LongTermState.DONE
    record.error = ""
    record.reached_at = timezone.now()
    record.renew_by = renew_by - RENEW_AHEAD if renew_by is not None else None
    record.save()
    validate_on_commit(stored)
    _release_deliveries(document)
    log.record(actor=acting, verb="documents.long_term.added", target=document, unit=document.unit,
               data={"level": level, "renewal": renewal, "sha256": stored.sha256,
                     "sealed_sha256": record.sealed_file_id})
    return record


@action("documents.long_term.attempt_failed")
def record_failure(*, document: Document, acting: SystemActor, reason: str) -> LongTermSignature:
    """One attempt failed (the TSA or an OCSP/CRL service did not answer): counted; after the job's last
    attempt the state is "failed" with the reason, and the deliveries go with the file as sealed."""
    document = lock(document)
    _check_acting(acting, document)
    record = LongTermSignature.objects.select_for_update().get(document=document)
    if record.state == LongTermState.DONE:
        return record
    record.attempts += 1
    record.error = reason[:500]
    if record.attempts >= ATTEMPTS:
        record.state = LongTermState.FAILED
        _release_deliveries(document)
    record.save(update_fields=["attempts", "error", "state", "updated_at"])
    log.record(actor=acting, verb="documents.long_term.attempt_failed", target=document, unit=document.unit,
               data={"attempt": record.attempts, "reason": reason[:500], "failed": record.state == "failed"})
    return record


__all__ = ["ATTEMPTS", "ENRICHER", "JOB", "begin", "holds_delivery", "record_enriched", "record_failure"]
