"""Documents' work after the click: converting a DOCX draft to PDF, checking a signed file's signatures.

Each job takes ids, re-reads, and calls an action (or the signing service's one write, `record_validation`);
an object deleted since ends the job quietly with a log line; running a job twice does what running it once does.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vanthu.jobs import gone, job


@job(attempts=3, backoff=30, label=_("Chuyển dự thảo DOCX sang PDF"))
def convert_draft_version(version_id: int) -> str:
    """LibreOffice converts the DOCX of a draft version; `finish_conversion` attaches the PDF, or the reason it
    could not be converted (a bad DOCX is not retried: the author uploads another)."""
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
        finish_conversion(version=version, acting=version.author, pdf=None, failure=exc.message)
        return "failed"
    finish_conversion(version=version, acting=version.author, pdf=pdf)
    return "converted"


@job(attempts=5, backoff=60, label=_("Kiểm tra chữ ký số của tệp"))
def validate_stored_file(sha256: str) -> str:
    """Check the signatures of an uploaded or received signed file and store the verdict with it (a TSA, OCSP
    or CRL that does not answer makes the attempt fail and retry later)."""
    from vanthu.core.models import StoredFile
    from vanthu.signing import service as signing

    stored = StoredFile.objects.filter(pk=sha256).first()
    if stored is None:
        gone("validate_stored_file", "stored file", sha256)
        return "gone"
    signing.record_validation(stored)
    return "validated"


@job(attempts=5, backoff=30, label=_("Chuyển văn bản cho nơi nhận"))
def deliver(message_id: int) -> None:
    """Hand one outbox message to its transport (see `documents.outbox` and `documents.delivering`)."""
    from vanthu.documents import delivering

    delivering.deliver_message(message_id)
