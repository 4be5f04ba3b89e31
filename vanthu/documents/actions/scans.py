"""Digitised paper documents (Circular 01/2019; checklist point 17): the check of a scan when it is received,
a scan taken from the network scanner's folder into the clerk's arrivals, and the unit's organisation
signature on the scan (top right, red seal image at actual size, signing time)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, scans
from vanthu.documents.actions.common import deny, validate_on_commit
from vanthu.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    ReceivedVia,
    Scan,
    ScanSource,
    Status,
)
from vanthu.documents.uploads import PDF, CheckedFile
from vanthu.org import second_factor
from vanthu.org.models import Person, Unit

PLACEHOLDER_TYPE = "Công văn"


def _report_of(data: bytes) -> scans.ScanReport:
    return scans.check(data)


@action("documents.scan.checked")
def note_scan(*, document: Document, acting: Person, file: CheckedFile) -> Scan | None:
    """After a clerk receives a PDF: when it is a scan, keep its figures and warnings (none: not a scan)."""
    if not access.is_clerk_for(acting, document):
        raise deny(document)
    report = _report_of(file.data)
    if not report.scanned:
        return None
    scan, _created = Scan.objects.update_or_create(
        document=document, defaults={"unit": document.unit, "source": ScanSource.UPLOAD, "file_name": file.name[:200],
                                     "sha256": document.current_file.sha256 if document.current_file else "",
                                     "figures": report.figures(), "warnings": report.warnings})
    log.record(actor=acting, verb="documents.scan.checked", target=document, unit=document.unit,
               data={**report.figures(), "warnings": report.warnings})
    return scan


@action("documents.scan.received")
def receive_scan(*, unit: Unit, file: CheckedFile, acting: SystemActor) -> Document:
    """A scan found in the unit's scanner folder becomes an arrival waiting for the clerk (status 'Chờ vào
    sổ', received on paper): the clerk enters its metadata and registers it from the arrivals queue. The same
    file twice (by content) is one arrival."""
    if file.content_type != PDF:
        raise ActionRefused(_("Văn bản đến phải là tệp PDF."), code="file_type", field="file")
    stored = files.store_bytes(file.data, content_type=PDF)
    existing = Scan.objects.filter(unit=unit, sha256=stored.sha256).select_related("document").first()
    if existing is not None:
        return existing.document
    doc_type = DocumentType.objects.filter(name=PLACEHOLDER_TYPE).first() or DocumentType.objects.order_by("pk")[0]
    report = _report_of(file.data)
    document = Document.objects.create(
        direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit, doc_type=doc_type,
        arrival_at=timezone.now(), received_via=ReceivedVia.PAPER, current_file=stored, page_amount=file.pages,
        organ_name=_("(chưa ghi — bản quét)"), subject=_("Bản quét %(name)s") % {"name": file.name[:150]},
    )
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name=file.name[:200], file=stored)
    Scan.objects.create(document=document, unit=unit, source=ScanSource.FOLDER, file_name=file.name[:200],
                        sha256=stored.sha256, figures=report.figures(), warnings=report.warnings)
    log.record(actor=acting, verb="documents.scan.received", target=document, unit=unit,
               data={"file": file.name[:200], "sha256": stored.sha256, **report.figures(),
                     "warnings": report.warnings})
    return document


def can_seal_scan(person: Person, document: Document) -> bool:
    """The unit's clerks sign a paper arrival's scan, once."""
    return (document.is_incoming and document.received_via == ReceivedVia.PAPER
            and access.is_clerk_for(person, document) and document.current_file_id is not None
            and document.status not in (Status.RETURNED, Status.CANCELLED)
            and not Scan.objects.filter(document=document, sealed_at__isnull=False).exists())


def _sealer_and_code(*, document: Document, acting: Person, otp: str | None = None, **_kwargs: object) -> None:
    """Before the seal's transaction: the rights first, then the clerk's second factor (decision 0020)."""
    if not can_seal_scan(acting, Document.objects.get(pk=document.pk)):
        raise ActionRefused(_("Chỉ văn thư của đơn vị ký số một lần lên bản số hóa văn bản giấy đến."),
                            code="forbidden", status=403)
    second_factor.require_code(acting=acting, otp=otp, document=document)


@action("documents.scan.sealed", before=_sealer_and_code)
def seal_scan(*, document: Document, acting: Person, secret: str | None, otp: str | None = None) -> Document:
    """The unit's organisation signature on the scan of a paper document (Circular 01/2019 Điều 6.2.c):
    top right of page 1, the red seal image at actual size, the signing time. The scan as received stays in the
    store (its check and hash in the audit log); the signed scan becomes the document's file."""
    from vanthu.signing import service as signing

    document = Document.objects.select_for_update().get(pk=document.pk)
    if not can_seal_scan(acting, document):
        raise ActionRefused(_("Chỉ văn thư của đơn vị ký số một lần lên bản số hóa văn bản giấy đến."),
                            code="forbidden", status=403)
    assert document.current_file is not None
    source = document.current_file.read_bytes()
    signed = signing.seal_digitised(pdf=source, unit=document.unit, secret=secret)
    stored = files.store_bytes(signed, content_type=PDF)
    now = timezone.now()
    scan = Scan.objects.filter(document=document).first()
    if scan is None:
        report = _report_of(source)
        scan = Scan.objects.create(document=document, unit=document.unit, source=ScanSource.UPLOAD,
                                   file_name=f"{document.pk}.pdf", sha256=document.current_file.sha256,
                                   figures=report.figures(), warnings=report.warnings)
    scan.sealed_file, scan.sealed_at = stored, now
    scan.save(update_fields=["sealed_file", "sealed_at"])
    previous = document.current_file.sha256
    document.current_file = stored
    document.version += 1
    document.save(update_fields=["current_file", "version", "updated_at"])
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, file=stored, added_by=acting,
                                name=_("Bản số hóa đã ký số cơ quan.pdf"))
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.scan.sealed", target=document, unit=document.unit,
               data={"scan_sha256": previous, "sha256": stored.sha256})
    return document
