"""What leaves: an outbox message (documents) as a signed edXML envelope or status, signed with the key of
the unit that sends it (the issuing unit for a document and its cancellation, the receiving unit for its
statuses). Reads the documents' rows; writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Prefetch
from django.utils import timezone

from vanthu.documents.formatting import notation_file_name
from vanthu.documents.models import Document, DocumentFile, MessageKind, MessageStatus, OutboxMessage
from vanthu.exchange import edxml, sealing
from vanthu.exchange.edxml.model import DocumentId
from vanthu.org.models import Unit

ARRIVAL_NAMESPACE = uuid.UUID("6b1f0c52-8d7e-4d0e-9d3a-3f2c7c0e8a13")


def arrival_key(*, from_organ: str, document_id: str, to_organ: str) -> uuid.UUID:
    """The key of a document's arrival at one receiver: the same envelope (or the same document sent again,
    whatever its bytes) arrives once. Both sides compute it from what the envelope says."""
    return uuid.uuid5(ARRIVAL_NAMESPACE, f"{from_organ}|{document_id}|{to_organ}")


def document_id_of(document: Document) -> str:
    assert document.issued_date is not None
    return str(DocumentId(organ_id=document.organ_id or (document.unit.code or ""), date=document.issued_date,
                          number=document.code_number, notation=document.code_notation))


def organization(unit: Unit) -> edxml.Organization:
    parent = unit.parent.name if unit.parent_id is not None and unit.parent is not None else ""
    return edxml.Organization(organ_id=unit.code or "", organ_name=unit.name[:200],
                              organization_in_charge=parent[:200])


def vn_now() -> dt.datetime:
    return timezone.localtime(timezone.now()).replace(tzinfo=None, microsecond=0)


ATTACHMENTS = "attachment_files"  # where `attachments_prefetch` puts a document's attachment rows


def attachments_prefetch(path: str = "document") -> Prefetch:
    """What `envelope_of` reads of each document's attachments, for the documents of many messages at once
    (`sending._companions`: one query for a batch instead of one a document)."""
    rows = DocumentFile.objects.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file").order_by("ordinal")
    return Prefetch(f"{path}__files", queryset=rows, to_attr=ATTACHMENTS)


def envelope_of(document: Document, *, to: edxml.Organization) -> edxml.Envelope:
    unit = document.unit
    assert document.issued_date is not None
    assert document.current_file is not None
    files = [(notation_file_name(document.notation), document.current_file)]
    attachments_read: list[DocumentFile] | None = getattr(document, ATTACHMENTS, None)
    if attachments_read is None:
        attachments_read = list(document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file")
                                .order_by("ordinal"))
    files += [(item.name, item.file) for item in attachments_read]
    attachments = tuple(
        edxml.Attachment(content_id=f"cid:{index}", name=name, content_type=stored.content_type or "application/pdf",
                         data=stored.read_bytes())
        for index, (name, stored) in enumerate(files, start=1)
    )
    header = edxml.MessageHeader(
        from_=organization(unit), to=(to,), document_id=document_id_of(document),
        code=edxml.Code(number=document.code_number, notation=document.code_notation),
        promulgation=edxml.PromulgationInfo(place=document.place_name or unit.place_name or unit.name[:50],
                                            date=document.issued_date),
        document_type=edxml.DocumentType(type=1, type_name=document.doc_type.name),
        subject=document.subject, signer=edxml.SignerInfo(competence=document.signer_competence,
                                                          position=document.signer_position,
                                                          full_name=document.signer_name),
        due_date=document.due_date,
        other=edxml.OtherInfo(priority=document.urgency, page_amount=document.page_amount,
                              security_level=document.secrecy, sphere_of_promulgation=document.circulation_note,
                              typer_notation=document.drafter_initials, promulgation_amount=document.issued_amount),
    )
    trace = (edxml.TraceHeader(organ_id=unit.code or "", timestamp=vn_now()),)
    return edxml.Envelope(header=header, trace=trace, business=_business(document), attachments=attachments)


def _business(document: Document) -> edxml.Business:
    """An update (bổ sung) or correction (đính chính) of an issued document travels as BussinessDocType 2 with
    the id of the document it changes (Decree 30 Điều 18.3; QCVN 102 TraceHeaderList/Bussiness)."""
    amended = document.amends
    if amended is None or amended.issued_date is None:
        return edxml.Business()
    return edxml.Business(doc_type=edxml.BusinessDocType.UPDATE, reason=str(document.get_amend_kind_display()),
                          document_id=document_id_of(amended), document_info_changed=True)


def status_of(message: OutboxMessage, *, to: edxml.Organization) -> edxml.StatusMessage:
    document = message.document
    assert message.status
    sender = organization(message.unit)
    return edxml.StatusMessage(
        from_=sender,
        response_for=edxml.ResponseFor(organ_id=document.organ_id or (document.unit.code or ""),
                                       code=document.notation, promulgation_date=document.issued_date,
                                       document_id=document_id_of(document)),
        code=edxml.StatusCode(MessageStatus(message.status).edxml_code),
        description=(message.reason or str(MessageStatus(message.status).label))[:500],
        timestamp=vn_now(), to=(to,), document_sha256=document.current_file_id or "",
    )


def sign_as(unit: Unit, data: bytes) -> bytes:
    seal = sealing.seal_for(unit)
    certificate, chain = seal.signed_with()
    return edxml.sign(data, key=seal.sign, certificate=certificate, chain=chain)


def signed_document(message: OutboxMessage, *, to: edxml.Organization) -> bytes:
    """A document message's signed envelope: the bytes `signed_bytes` gives, signed as a tree without writing
    it out and parsing it back (`edxml.sign_document`; EnvelopeInvalid, SigningRefused)."""
    assert message.kind == MessageKind.DOCUMENT
    seal = sealing.seal_for(message.unit)
    certificate, chain = seal.signed_with()
    return edxml.sign_document(envelope_of(message.document, to=to), key=seal.sign, certificate=certificate,
                               chain=chain)


def signed_bytes(message: OutboxMessage, *, to: edxml.Organization) -> bytes:
    """The signed edXML of `message` for the receiver `to` (EnvelopeInvalid, SigningRefused). A status is
    signed as a tree (`edxml.sign_status`: the bytes `sign(build_status(...))` gives)."""
    if message.kind == MessageKind.DOCUMENT:
        return sign_as(message.unit, edxml.build_document(envelope_of(message.document, to=to)))
    tree = edxml.status_tree(status_of(message, to=to))  # refused (EnvelopeInvalid) before the seal opens
    seal = sealing.seal_for(message.unit)
    certificate, chain = seal.signed_with()
    return edxml.sign_status_tree(tree, key=seal.sign, certificate=certificate, chain=chain)
