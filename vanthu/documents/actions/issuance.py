"""Outgoing documents: personal signature (local or remote), issuance with number, seal and delivery, recall."""



from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, numbering
from vanthu.documents.actions.common import bump, check_version, deny, lock, validate_on_commit
from vanthu.documents.actions.drafting import check_authority
from vanthu.documents.formatting import date_line, number_line
from vanthu.documents.models import (
    Direction,
    Document,
    DocumentFile,
    ReceivedVia,
    Recipient,
    RegisterKind,
    Status,
)
from vanthu.documents.uploads import PDF
from vanthu.org.models import Person
from vanthu.signing import service as signing

# --- outgoing: signature and issuance --------------------------------------------------------------------


def signature_block(document: Document) -> signing.SignatureBlock:
    authority = document.signer_authority
    signer = document.signer
    assert signer is not None
    if authority is None:
        return signing.SignatureBlock(competence=signer.position.upper(), title="", name_line=signer.rank_and_name)
    return signing.SignatureBlock(
        competence=authority.competence_line,
        title=authority.title.upper() if authority.prefix else "",
        name_line=signer.rank_and_name,
    )


@action("documents.outgoing.signed")
def sign_outgoing(*, document: Document, acting: Person, secret: str | None) -> Document:
    """The signer approves by signing: a personal PAdES signature over exactly the approved PDF."""
    document = lock(document)
    _check_signable(document, acting)
    assert document.current_file is not None
    signed = signing.sign_personal(
        pdf=document.current_file.read_bytes(), person=acting, block=signature_block(document), secret=secret,
        reason=_("Phê duyệt và ký ban hành"),
    )
    stored = _mark_signed(document, signed)
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.signed", target=document, unit=document.unit,
               data={"sha256": stored.sha256, "approved_sha256": document.approved_sha256})
    return document


def _check_signable(document: Document, acting: Person) -> None:
    if not access.can_sign(acting, document):
        raise deny(document)
    if document.current_file is None or document.current_file.sha256 != document.approved_sha256:
        raise ActionRefused(_("Tệp văn bản đã thay đổi sau khi được duyệt; hãy trình duyệt lại."),
                            code="not_approved_version", target=document)
    if document.signer_authority is not None:
        check_authority(document.signer_authority, document)


def _mark_signed(document: Document, signed: bytes) -> files.StoredFile:
    stored = files.store_bytes(signed, content_type=PDF)
    document.current_file = stored
    document.status = Status.SIGNED
    document.signed_at = timezone.now()
    document.remote_request = None
    bump(document, "current_file", "status", "signed_at", "remote_request")
    return stored


@action("documents.outgoing.remote_requested")
def request_remote_signature(*, document: Document, acting: Person) -> Document:
    """For a signer whose key is at a remote signing service: prepare the signature over the approved PDF and
    record the digest the service must sign (the person confirms on their device). The document stays
    'Chờ ký' until `complete_remote_signature`."""
    document = lock(document)
    _check_signable(document, acting)
    assert document.current_file is not None
    request = signing.begin_remote_personal(
        pdf=document.current_file.read_bytes(), person=acting, block=signature_block(document), acting=acting,
        reason=_("Phê duyệt và ký ban hành"),
    )
    document.remote_request = request
    bump(document, "remote_request")
    log.record(actor=acting, verb="documents.outgoing.remote_requested", target=document, unit=document.unit,
               data={"request": str(request.pk), "digest": bytes(request.digest).hex()})
    return document


@action("documents.outgoing.signed")
def complete_remote_signature(*, document: Document, acting: Person, signature: bytes) -> Document:
    """The remote signing service's answer: the signature value over the recorded digest. Checked against the
    signer's certificate, then embedded: the same result as `sign_outgoing`."""
    document = lock(document)
    _check_signable(document, acting)
    if document.remote_request is None:
        raise ActionRefused(_("Chưa có yêu cầu ký số từ xa cho văn bản này."), code="remote_missing",
                            target=document)
    signed = signing.finish_remote(request=document.remote_request, signature=signature, acting=acting)
    stored = _mark_signed(document, signed)
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.signed", target=document, unit=document.unit,
               data={"sha256": stored.sha256, "approved_sha256": document.approved_sha256, "remote": True})
    return document


def _deliver(document: Document, *, acting: Person) -> list[Document]:
    """Each unit of the tree among the recipients gets its own incoming document, waiting to be registered."""
    delivered: list[Document] = []
    now = timezone.now()
    stored_main = document.current_file
    assert stored_main is not None
    for recipient in document.recipients.select_related("unit").filter(unit__isnull=False):
        unit = recipient.unit
        assert unit is not None
        copy = Document(
            direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit, doc_type=document.doc_type,
            code_number=document.code_number, code_notation=document.code_notation,
            issued_date=document.issued_date, organ_id=document.organ_id, organ_name=document.organ_name,
            subject=document.subject, language=document.language, page_amount=document.page_amount,
            signer_competence=document.signer_competence, signer_position=document.signer_position,
            signer_name=document.signer_name, urgency=document.urgency, urgent_until=document.urgent_until,
            secrecy=document.secrecy, due_date=document.due_date, to_places=document.to_places,
            arrival_at=now, received_via=ReceivedVia.INTERNAL, source=document,
            current_file=document.current_file, created_by=acting,
        )
        copy.save(force_insert=True)
        for item in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT):
            DocumentFile.objects.create(document=copy, kind=item.kind, name=item.name, file=item.file,
                                        ordinal=item.ordinal, added_by=acting)
        DocumentFile.objects.create(document=copy, kind=DocumentFile.Kind.MAIN,
                                    name=f"{document.notation.replace('/', '_')}.pdf", file=stored_main,
                                    added_by=acting)
        recipient.delivered = copy
        recipient.state = Recipient.State.RECEIVED
        recipient.sent_at = now
        recipient.save(update_fields=["delivered", "state", "sent_at"])
        log.record(actor=acting, verb="documents.incoming.arrived", target=copy, unit=unit,
                   data={"source": document.pk, "from": document.unit_id})
        delivered.append(copy)
    document.recipients.filter(unit__isnull=True).update(state=Recipient.State.SENT, sent_at=now)
    return delivered


def _has_valid_personal_signature(stored: files.StoredFile) -> bool:
    """The full check (with the analysis of what changed after signing) stored when the file was signed, or
    made now; the seal itself re-checks trust and revocation of the personal signature at sealing time."""
    result = signing.stored_validation(stored) or signing.validate(stored.read_bytes())
    return result.readable and any(s.valid and s.kind == "personal" for s in result.signatures)


def _cancel_deliveries(document: Document, *, acting: Person, reason: str) -> None:
    for recipient in document.recipients.select_related("delivered").exclude(delivered=None):
        copy = recipient.delivered
        assert copy is not None
        if copy.status not in (Status.CANCELLED, Status.RETURNED):
            copy.status = Status.CANCELLED
            copy.version += 1
            copy.save(update_fields=["status", "version", "updated_at"])
            log.record(actor=acting, verb="documents.incoming.cancelled", target=copy, unit=copy.unit,
                       data={"source": document.pk, "reason": reason})
        recipient.state = Recipient.State.RECALLED
        recipient.save(update_fields=["state"])


@action("documents.outgoing.issued")
def issue_outgoing(
    *, document: Document, acting: Person, secret: str | None, expected_version: int | None = None
) -> Document:
    """Decree 30 Điều 14: number and date, register, organisation signature, issue to the recipients.

    Refuses a document without a valid personal signature: no document is issued unsigned.
    """
    document = lock(document)
    if not access.can_issue(acting, document):
        raise deny(document)
    check_version(document, expected_version)
    if not document.recipients.exists():
        raise ActionRefused(_("Văn bản chưa có nơi nhận."), code="no_recipients", field="recipients",
                            target=document)
    assert document.current_file is not None
    signed_pdf = document.current_file.read_bytes()
    if not _has_valid_personal_signature(document.current_file):
        raise ActionRefused(_("Văn bản chưa có chữ ký số hợp lệ của người có thẩm quyền; không thể phát hành."),
                            code="unsigned", target=document)
    today = timezone.localdate()
    register = numbering.register_for(
        unit=document.unit, kind=RegisterKind.OUTGOING,
        series=numbering.outgoing_series(unit=document.unit, doc_type=document.doc_type, secrecy=document.secrecy),
        year=today.year,
    )
    number = numbering.take_next(register)
    document.register = register
    document.number = number
    document.code_number = numbering.format_number(number)
    document.code_notation = numbering.notation(doc_type=document.doc_type, issuer=document.unit,
                                                drafting_unit=document.drafting_unit)
    document.issued_date = today
    sealed = signing.seal_issued(
        pdf=signed_pdf, unit=document.unit, number_text=number_line(document.notation),
        date_text=date_line(document.unit.place_name, today), secret=secret,
    )
    stored = files.store_bytes(sealed, content_type=PDF)
    document.current_file = stored
    now = timezone.now()
    for attachment in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file"):
        lines = [document.unit.name, number_line(document.notation)]  # the stamp adds the signing time
        sealed_attachment = signing.seal_text_only(
            pdf=attachment.file.read_bytes(), unit=document.unit, lines=lines, secret=secret
        )
        attachment.file = files.store_bytes(sealed_attachment, content_type=PDF)
        attachment.save(update_fields=["file"])
    DocumentFile.objects.filter(document=document, kind=DocumentFile.Kind.MAIN).delete()
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN,
                                name=f"{document.notation.replace('/', '_')}.pdf", file=stored, added_by=acting)
    document.status = Status.ISSUED
    document.issued_at = now
    document.issued_by = acting
    document.version += 1
    document.save()
    delivered = _deliver(document, acting=acting)
    if document.replaces_id is not None:
        old = Document.objects.select_for_update().get(pk=document.replaces_id)
        old.status = Status.REPLACED
        old.version += 1
        old.save(update_fields=["status", "version", "updated_at"])
        _cancel_deliveries(old, acting=acting, reason=_("Thay thế bởi %(n)s") % {"n": document.notation})
        log.record(actor=acting, verb="documents.outgoing.replaced", target=old, unit=old.unit,
                   data={"by": document.pk})
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.issued", target=document, unit=document.unit,
               data={"number": number, "register": register.pk, "notation": document.notation,
                     "sha256": stored.sha256, "delivered": [d.pk for d in delivered]})
    return document


@action("documents.outgoing.recalled")
def recall_outgoing(*, document: Document, acting: Person, reason: str) -> Document:
    """Recall (thu hồi): freeze the issued document and cancel every copy received inside the system."""
    document = lock(document)
    if not access.can_recall(acting, document):
        raise deny(document)
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Hãy ghi lý do thu hồi."), code="reason_required", field="reason")
    document.status = Status.RECALLED
    document.recalled_at = timezone.now()
    document.recall_reason = reason[:500]
    bump(document, "status", "recalled_at", "recall_reason")
    _cancel_deliveries(document, acting=acting, reason=reason)
    log.record(actor=acting, verb="documents.outgoing.recalled", target=document, unit=document.unit,
               data={"reason": reason[:500]})
    return document
