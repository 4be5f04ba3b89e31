"""Incoming documents: register what arrives (paper or electronic), return, correct."""


import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, numbering
from vanthu.documents.actions import delivery
from vanthu.documents.actions.common import (
    attach,
    bump,
    check_due_date,
    check_token,
    check_urgency,
    check_version,
    deny,
    lock_for,
    required_text,
    save_new,
    store,
    validate_fields,
    validate_on_commit,
)
from vanthu.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    MessageStatus,
    ReceivedVia,
    RegisterKind,
    Status,
)
from vanthu.documents.uploads import PDF, CheckedFile
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of

# --- incoming --------------------------------------------------------------------------------------------


@dataclass
class IncomingData:
    """What the clerk reads off an incoming document (Phụ lục VI incoming metadata)."""

    doc_type: DocumentType
    organ_name: str
    subject: str
    code_number: str = ""
    code_notation: str = ""
    issued_date: dt.date | None = None
    organ_id: str = ""
    signer_name: str = ""
    signer_position: str = ""
    urgency: int = Urgency.NORMAL
    urgent_until: dt.datetime | None = None  # the set time of "Hỏa tốc hẹn giờ"
    secrecy: int = Secrecy.NONE
    page_amount: int | None = None
    due_date: dt.date | None = None
    description: str = ""
    to_places: str = ""
    received_via: str = ReceivedVia.PAPER


def _apply_incoming(document: Document, data: IncomingData) -> None:
    for name in (
        "doc_type", "organ_name", "subject", "code_number", "code_notation", "issued_date", "organ_id",
        "signer_name", "signer_position", "urgency", "urgent_until", "secrecy", "due_date", "description",
        "to_places",
    ):
        setattr(document, name, getattr(data, name))
    if data.page_amount is not None:
        document.page_amount = data.page_amount


def _check_incoming(data: IncomingData, *, acting: Person) -> None:
    if data.issued_date is not None and data.issued_date > timezone.localdate():
        raise ActionRefused(_("Ngày ban hành không được sau ngày hôm nay."), code="issued_date_future",
                            field="issued_date")
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    check_due_date(data.due_date)
    check_urgency(data)


def _take_incoming_number(document: Document, *, unit: Unit, arrival: dt.datetime) -> None:
    year = timezone.localtime(arrival).year
    register = numbering.register_for(
        unit=unit, kind=RegisterKind.INCOMING,
        series=numbering.incoming_series(unit=unit, secrecy=document.secrecy), year=year,
    )
    document.register = register
    document.number = numbering.take_next(register)


@action("documents.incoming.registered")
def register_incoming(
    *,
    unit: Unit,
    acting: Person,
    data: IncomingData,
    file: CheckedFile,
    attachments: Sequence[CheckedFile] = (),
    arrival_at: dt.datetime | None = None,
    client_token: uuid.UUID | None = None,
) -> Document:
    """Receive a document brought to the clerk (scanned paper or an electronic PDF) and enter it in the
    unit's incoming register with the next số đến."""
    if unit.pk not in scope_of(acting).clerk_unit_ids:
        raise deny()
    check_token(client_token)
    _check_incoming(data, acting=acting)
    if file.content_type != PDF:
        raise ActionRefused(_("Văn bản đến phải là tệp PDF."), code="file_type", field="file")
    arrival = arrival_at or timezone.now()
    if arrival > timezone.now() + dt.timedelta(minutes=5):
        raise ActionRefused(_("Ngày đến không được ở trong tương lai."), code="arrival_future", field="arrival_at")
    stored = store(file)
    document = Document(
        direction=Direction.INCOMING, status=Status.REGISTERED, unit=unit, arrival_at=arrival,
        received_via=data.received_via, current_file=stored, created_by=acting, page_amount=file.pages,
        client_token=client_token,
    )
    _apply_incoming(document, data)
    validate_fields(document, exclude=["register", "number"])
    _take_incoming_number(document, unit=unit, arrival=arrival)
    save_new(document)
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name=file.name[:200], file=stored,
                                added_by=acting)
    attach(document, attachments, acting=acting)
    if file.signatures:
        validate_on_commit(stored)
    log.record(actor=acting, verb="documents.incoming.registered", target=document, unit=unit,
               data={"number": document.number, "register": document.register_id, "via": data.received_via,
                     "sha256": stored.sha256})
    return document


@action("documents.incoming.accepted")
def register_received(
    *, document: Document, acting: Person, data: IncomingData | None = None, expected_version: int | None = None
) -> Document:
    """Enter an electronically received document (status 'Chờ vào sổ') in the register: status 03."""
    document = lock_for(document, acting, access.Need.REGISTER)
    check_version(document, expected_version)
    if data is not None:
        _check_incoming(data, acting=acting)
        _apply_incoming(document, data)
        validate_fields(document, exclude=["register", "number"])
    _take_incoming_number(document, unit=document.unit, arrival=document.arrival_at or timezone.now())
    document.status = Status.REGISTERED
    document.version += 1
    document.save()
    delivery.report_handling(document, MessageStatus.REGISTERED)
    log.record(actor=acting, verb="documents.incoming.accepted", target=document, unit=document.unit,
               data={"number": document.number, "register": document.register_id})
    return document


@action("documents.incoming.returned")
def return_received(*, document: Document, acting: Person, reason: str) -> Document:
    """Refuse a mis-sent or faulty electronic document and return it to the sender with a reason (status 02)."""
    document = lock_for(document, acting, access.Need.RETURN)
    reason = required_text(reason, _("Hãy ghi lý do trả lại."), code="reason_required", field="reason")
    if len(reason) > 500:
        raise ActionRefused(_("Lý do trả lại dài quá 500 ký tự."), code="too_long", field="reason")
    document.status = Status.RETURNED
    document.return_reason = reason
    bump(document, "status", "return_reason")
    delivery.report_handling(document, MessageStatus.RETURNED, reason=reason)
    log.record(actor=acting, verb="documents.incoming.returned", target=document, unit=document.unit,
               data={"reason": reason, "source": document.source_id})
    return document


@action("documents.incoming.updated")
def update_incoming(
    *, document: Document, acting: Person, data: IncomingData, expected_version: int | None
) -> Document:
    """Correct the metadata the clerk entered. The số đến and arrival time never change."""
    document = lock_for(document, acting, access.Need.EDIT_INCOMING)
    check_version(document, expected_version)
    _check_incoming(data, acting=acting)
    if data.secrecy != document.secrecy and document.register is not None:
        wanted = numbering.incoming_series(unit=document.unit, secrecy=data.secrecy)
        if wanted != document.register.series:
            raise ActionRefused(
                _("Không thể đổi độ mật sang mức thuộc sổ khác sau khi đã vào sổ."), code="secrecy_register",
                field="secrecy",
            )
    before = {"subject": document.subject, "notation": document.notation, "urgency": document.urgency}
    _apply_incoming(document, data)
    validate_fields(document)
    document.version += 1
    document.save()
    log.record(actor=acting, verb="documents.incoming.updated", target=document, unit=document.unit,
               data={"before": before})
    return document
