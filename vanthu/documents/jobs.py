"""Documents' work after the click: converting a DOCX draft to PDF, checking a signed file's signatures.

Each job takes ids, re-reads, and calls an action (or the signing service's one write, `record_validation`);
an object deleted since ends the job quietly with a log line; running a job twice does what running it once does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from vanthu.jobs import gone, job, running_worker

if TYPE_CHECKING:
    from vanthu.signing.service import Registered


@job(attempts=3, backoff=30, label=_("Chuyển dự thảo DOCX sang PDF"))
def convert_draft_version(version_id: int) -> str:
    """LibreOffice converts the DOCX of a draft version; `finish_conversion` attaches the PDF, or the reason it
    could not be converted (a bad DOCX is not retried: the author uploads another). The trail names the worker
    that converted it (`vanthu worker --worker-id`)."""
    from vanthu.documents import convert
    from vanthu.documents.actions import finish_conversion
    from vanthu.documents.models import Conversion, DraftVersion

    version = DraftVersion.objects.select_related("source", "author", "document").filter(pk=version_id).first()
    if version is None:
        gone("convert_draft_version", "draft version", version_id)
        return "gone"
    if version.conversion != Conversion.PENDING:
        return "done already"
    try:
        pdf = convert.docx_to_pdf(version.source.read_bytes(), name=version.source_name)
    except convert.ConversionFailed as exc:
        finish_conversion(version=version, acting=version.author, pdf=None, failure=exc.message,
                          worker=running_worker())
        return "failed"
    finish_conversion(version=version, acting=version.author, pdf=pdf, worker=running_worker())
    return "converted"


@job(attempts=5, backoff=60, label=_("Kiểm tra chữ ký số của tệp"))
def validate_stored_file(sha256: str) -> str:
    """Check the signatures of an uploaded or received signed file and store the verdict with it (a TSA, OCSP
    or CRL that does not answer makes the attempt fail and retry later). The main file of an issued document
    ("the check after issuance") is also checked against the document's registered number and date."""
    from vanthu.core.models import StoredFile
    from vanthu.signing import service as signing

    stored = StoredFile.objects.filter(pk=sha256).first()
    if stored is None:
        gone("validate_stored_file", "stored file", sha256)
        return "gone"
    signing.record_validation(stored, registered=registered_of(sha256))
    return "validated"


def registered_of(sha256: str) -> Registered | None:
    """The registered number and date of the issued outgoing document whose main file is `sha256`, for the check
    after issuance (decision 0036: its number and date fields must hold them); None when the file is not one."""
    from vanthu.documents.formatting import number_line
    from vanthu.documents.models import Direction, Document, DocumentFile, Status
    from vanthu.signing.service import Registered

    # issued (or recalled, replaced since): a document holding its number while its seal is retried is not yet
    document = (Document.objects.filter(direction=Direction.OUTGOING, number__isnull=False, issued_date__isnull=False,
                                        status__in=(Status.ISSUED, Status.RECALLED, Status.REPLACED),
                                        files__kind=DocumentFile.Kind.MAIN, files__file_id=sha256)
                .only("code_number", "code_notation", "issued_date").order_by("pk").first())
    if document is None or not document.notation:
        return None
    return Registered(number_text=number_line(document.notation), issued=document.issued_date)


@job(attempts=5, backoff=30, label=_("Chuyển văn bản cho nơi nhận"))
def deliver(message_id: int) -> None:
    """Hand one outbox message to its transport (see `documents.outbox` and `documents.delivering`)."""
    from vanthu.documents import delivering

    delivering.deliver_message(message_id)


@job(every="hour", attempts=1, label=_("Chuyển lại thư chờ chuyển đã mất việc chuyển"))
def deliver_stranded() -> int:
    """Once an hour: a delivery job again for each waiting message whose job was lost (`delivering.stranded`), so
    that no document or status waits for ever. Running the job of a message twice is running it once."""
    from vanthu.documents import delivering

    found = delivering.stranded()
    for message_id in found:
        deliver.enqueue(message_id)
    if found:
        delivering.logger.warning("outbox: %s waiting messages had lost their delivery job; enqueued again",
                                  len(found))
    return len(found)


@job(attempts=6, backoff=30, label=_("Bổ sung chữ ký số dài hạn (dấu thời gian, dữ liệu kiểm tra chứng thư)"))
def enrich_issued(document_id: int) -> str:
    """Bring the signatures of an issued document's files (the main file and each attachment) to the configured
    PAdES level: the TSA, OCSP and CRL services are asked here, outside any transaction or lock. A service that
    does not answer makes the attempt fail (counted on the document: after the last attempt it shows
    "lỗi" and the deliveries go with the file as sealed) and retry later. Running it twice is running it once:
    a file at the level is left as it is, and a done record is not touched."""
    from vanthu.documents.actions import long_term
    from vanthu.documents.models import DocumentFile, LongTermSignature, LongTermState
    from vanthu.signing import service as signing

    record = LongTermSignature.objects.select_related("document__current_file").filter(
        document_id=document_id).first()
    if record is None:
        gone("enrich_issued", "long-term signature of document", document_id)
        return "gone"
    if record.state == LongTermState.DONE:
        return "done already"
    document = record.document
    assert document.current_file is not None
    try:
        main = signing.enrich(document.current_file.read_bytes(), target=record.target)
        attachments = {
            item.pk: signing.enrich(item.file.read_bytes(), target=record.target)
            for item in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file")
        }
    except Exception as exc:
        reason = exc.message if isinstance(exc, signing.SigningRefused) else f"{type(exc).__name__}: {exc}"
        long_term.record_failure(document=document, acting=long_term.ENRICHER, reason=reason)
        raise
    levels = [main.level, *(a.level for a in attachments.values())]
    long_term.record_enriched(
        document=document, acting=long_term.ENRICHER, main=main.pdf,
        attachments={pk: a.pdf for pk, a in attachments.items() if a.changed},
        level=min(levels, key=signing.LEVELS.index), renew_by=main.archive_expires,
    )
    return main.level


@job(attempts=3, backoff=300, label=_("Gia hạn dấu thời gian lưu trữ (B-LTA)"))
def renew_archive_timestamp(document_id: int) -> str:
    """A new archive time-stamp over a B-LTA document (with the validation data of the previous one) before the
    last time-stamp's TSA certificate expires. Idempotent: a document not due is left alone."""
    from django.utils import timezone

    from vanthu.documents.actions import long_term
    from vanthu.documents.models import LongTermSignature, LongTermState
    from vanthu.signing import service as signing

    record = LongTermSignature.objects.select_related("document__current_file").filter(
        document_id=document_id).first()
    if record is None:
        gone("renew_archive_timestamp", "long-term signature of document", document_id)
        return "gone"
    if record.state != LongTermState.DONE or record.renew_by is None or record.renew_by > timezone.now():
        return "not due"
    document = record.document
    assert document.current_file is not None
    renewed = signing.renew_archive(document.current_file.read_bytes())
    long_term.record_enriched(document=document, acting=long_term.ENRICHER, main=renewed.pdf, attachments={},
                              level=renewed.level, renew_by=renewed.archive_expires, renewal=True)
    return "renewed"


@job(every="week", attempts=1, label=_("Gia hạn dấu thời gian lưu trữ hằng tuần"))
def renew_archive_timestamps() -> int:
    """Once a week: schedule `renew_archive_timestamp` for every B-LTA document whose archive time-stamp's TSA
    certificate ends within `long_term.RENEW_AHEAD`."""
    from django.utils import timezone

    from vanthu.documents.models import LongTermSignature, LongTermState

    due = list(LongTermSignature.objects.filter(state=LongTermState.DONE, renew_by__lte=timezone.now())
               .values_list("document_id", flat=True))
    for document_id in due:
        renew_archive_timestamp.enqueue(document_id)
    return len(due)


@job(attempts=3, backoff=30, label=_("Tạo bản xem trước trang ký (số, ngày, chữ ký, dấu)"))
def render_preview(preview_id: int) -> str:
    """Render the pages of a PDF where the number, date, signature and seal go (poppler's pdftoppm) and record
    where vanthu would put them; an unreadable PDF is recorded as failed (the page says so), not retried."""
    from vanthu.documents import preview
    from vanthu.documents.actions.placement import record_preview
    from vanthu.documents.models import PagePreview, PreviewState

    row = PagePreview.objects.select_related("file").filter(pk=preview_id).first()
    if row is None:
        gone("render_preview", "page preview", preview_id)
        return "gone"
    if row.state == PreviewState.READY:
        return "done already"
    layout, images, error = preview.render(row.file.read_bytes(), name_line=row.name_line)
    record_preview(preview=row, layout=layout, images=images, error=error)
    return "failed" if error else "rendered"


@job(every="hour", attempts=1, label=_("Nhận bản quét từ thư mục máy quét"))
def pick_up_scans() -> str:
    """Take the PDFs of the network scanner's folder into the units' arrivals (checklist point 17): each
    <VANTHU_SCAN_DIR>/<unit abbreviation>/*.pdf is checked, received by the action `receive_scan` (one arrival
    per file content, so a file seen twice is one arrival) and moved to done/; a file that is not a healthy PDF
    is moved to rejected/ with a .txt saying why, and the refusal is in the audit log."""
    from vanthu.documents import scan_folder

    return scan_folder.pick_up()


@job(attempts=3, backoff=30, label=_("Ký số trên SIM: chờ người ký xác nhận trên điện thoại"))
def sim_sign(document_id: int) -> str:
    """SIM-PKI (checklist point 19): ask the signer's phone through the MSSP and wait for the confirmation; the
    SIM's signature completes the document's remote-signing request as any remote signature
    (`complete_remote_signature`, on the signer's behalf: the person confirmed on their phone). A cancelled or
    expired request ends with its reason on the request; the signing page shows it."""
    from vanthu.core.actors import SystemActor
    from vanthu.documents.actions import complete_remote_signature
    from vanthu.documents.models import Document
    from vanthu.signing import service as signing

    document = Document.objects.select_related("remote_request", "signer").filter(pk=document_id).first()
    if document is None:
        gone("sim_sign", "document", document_id)
        return "gone"
    if document.remote_request_id is None or document.signer is None:
        return "done already"
    signature = signing.sim_signature(document.remote_request_id, acting=SystemActor("SIM-PKI signing"),
                                      message=f"vanthu: {document.subject[:120]}")
    if signature is None:
        return "ended"
    complete_remote_signature(document=document, acting=document.signer, signature=signature)
    return "signed"



def links_on() -> bool:
    """The condition of `record_link_reads`: with signed links off no beat enqueues it (no row every 10 s)."""
    from django.conf import settings

    return bool(getattr(settings, "FILES_LINKS", False))


@job(every="beat", attempts=1, label=_("Ghi nhật ký các lượt tải tệp qua liên kết (nginx)"), when=links_on)
def record_link_reads() -> dict[str, object]:
    """Every beat of the workers' schedule (10 s by default): the downloads nginx served from signed links since
    the last run become read audit events (`actions.link_reads`), so the security officer's page shows them
    within seconds. Not enqueued while the links are off (`when=links_on`); nothing done when they were turned
    off since, or the log is not on this worker's machine."""
    from vanthu.documents.actions.link_reads import LINK_LOG, record_configured

    if not links_on():
        return {"recorded": 0, "links": False}
    return record_configured(acting=LINK_LOG).as_dict()
