"""Incoming documents: register what arrives (paper or electronic), return, correct, cancel a wrong entry."""


import datetime as dt
import hashlib
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


# The document's fields the clerk's reading (`IncomingData`) sets, `page_amount` when given.
INCOMING_FIELDS = (
    "doc_type", "organ_name", "subject", "code_number", "code_notation", "issued_date", "organ_id", "signer_name",
    "signer_position", "urgency", "urgent_until", "secrecy", "due_date", "description", "to_places",
)


def _apply_incoming(document: Document, data: IncomingData) -> list[str]:
    """Set what the clerk read off the document; the names of the fields set."""
    for name in INCOMING_FIELDS:
        setattr(document, name, getattr(data, name))
    if data.page_amount is None:
        return list(INCOMING_FIELDS)
    document.page_amount = data.page_amount
    return [*INCOMING_FIELDS, "page_amount"]


def _check_incoming(data: IncomingData, *, acting: Person) -> None:
    if data.issued_date is not None and data.issued_date > timezone.localdate():
        raise ActionRefused(_("Ngày ban hành không được sau ngày hôm nay."), code="issued_date_future",
                            field="issued_date")
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    check_due_date(data.due_date)
    check_urgency(data)


def _take_incoming_number(document: Document, *, arrival: dt.datetime) -> None:
    year = timezone.localtime(arrival).year
    document.register, document.number = numbering.take_next_of(
        unit_id=document.unit_id, kind=RegisterKind.INCOMING, series=numbering.incoming_series_of(document), year=year,
    )


class PossibleDuplicate(ActionRefused):
    """The document seems to be in the register already (same notation, issuing body and date, or the same
    file): `earlier` are those entries. The clerk looks and decides; registering anyway is audited."""

    def __init__(self, earlier: list[Document]) -> None:
        super().__init__(
            _("Văn bản này có thể đã được vào sổ: trùng số, ký hiệu, cơ quan ban hành và ngày, hoặc trùng tệp."),
            code="possible_duplicate", field="file", status=409, target=earlier[0],
        )
        self.earlier = earlier


def duplicates_of(*, unit: Unit, data: IncomingData, sha256: str, limit: int = 5) -> list[Document]:
    """Entries of `unit`'s incoming register (not cancelled) with the same notation, issuing body and date, or
    the same main file (SHA-256). Two indexed lookups (`doc_duplicate`, the file's foreign key)."""
    base = Document.objects.filter(unit=unit, direction=Direction.INCOMING, number__isnull=False).exclude(
        status__in=(Status.VOIDED, Status.RETURNED)
    )
    found: dict[int, Document] = {}
    if (data.code_number or data.code_notation) and data.issued_date is not None:
        same = base.filter(code_notation=data.code_notation.strip(), code_number=data.code_number.strip(),
                           issued_date=data.issued_date, organ_name__iexact=data.organ_name.strip())
        for doc in same.order_by("-pk")[:limit]:
            found[doc.pk] = doc
    for doc in base.filter(current_file_id=sha256).order_by("-pk")[:limit]:
        found.setdefault(doc.pk, doc)
    return sorted(found.values(), key=lambda d: -d.pk)[:limit]


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
    check_duplicates: bool = False,
) -> Document:
    """Receive a document brought to the clerk (scanned paper or an electronic PDF) and enter it in the
    unit's incoming register with the next số đến.

    `check_duplicates`: refuse with `PossibleDuplicate` when the register seems to hold it already (the page
    asks first, then the clerk may register anyway); an entry made beside earlier ones records them in its
    audit event ("duplicate_of")."""
    if unit.pk not in scope_of(acting).clerk_unit_ids:
        raise deny()
    check_token(client_token)
    _check_incoming(data, acting=acting)
    if file.content_type != PDF:
        raise ActionRefused(_("Văn bản đến phải là tệp PDF."), code="file_type", field="file")
    arrival = arrival_at or timezone.now()
    if arrival > timezone.now() + dt.timedelta(minutes=5):
        raise ActionRefused(_("Ngày đến không được ở trong tương lai."), code="arrival_future", field="arrival_at")
    earlier = duplicates_of(unit=unit, data=data, sha256=hashlib.sha256(file.data).hexdigest())
    if earlier and check_duplicates:
        raise PossibleDuplicate(earlier)
    stored = store(file)
    document = Document(
        direction=Direction.INCOMING, status=Status.REGISTERED, unit=unit, arrival_at=arrival,
        received_via=data.received_via, current_file=stored, created_by=acting, page_amount=file.pages,
        client_token=client_token,
    )
    _apply_incoming(document, data)
    validate_fields(document, exclude=["register", "number"])
    _take_incoming_number(document, arrival=arrival)
    save_new(document)
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name=file.name[:200], file=stored,
                                added_by=acting)
    attach(document, attachments, acting=acting)
    if file.signatures:
        validate_on_commit(stored)
    audit_data: dict[str, object] = {"number": document.number, "register": document.register_id,
                                     "via": data.received_via, "sha256": stored.sha256}
    if earlier:
        audit_data["duplicate_of"] = [d.pk for d in earlier]
    log.record(actor=acting, verb="documents.incoming.registered", target=document, unit=unit, data=audit_data)
    return document


@action("documents.incoming.accepted")
def register_received(
    *, document: Document, acting: Person, data: IncomingData | None = None, expected_version: int | None = None
) -> Document:
    """Enter an electronically received document (status 'Chờ vào sổ') in the register: status 03."""
    # the row alone: below, the unit is named by its id (register, status message, audit chain)
    document = lock_for(document, acting, access.Need.REGISTER, related=())
    check_version(document, expected_version)
    changed: list[str] = []
    if data is not None:
        _check_incoming(data, acting=acting)
        changed = _apply_incoming(document, data)
        validate_fields(document, exclude=["register", "number"])
    _take_incoming_number(document, arrival=document.arrival_at or timezone.now())
    document.status = Status.REGISTERED
    document.version += 1
    document.save(update_fields=[*changed, "register", "number", "status", "version", "updated_at"])
    delivery.report_handling(document, MessageStatus.REGISTERED)
    log.record(actor=acting, verb="documents.incoming.accepted", target=document, unit=document.unit_id,
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


VOIDABLE = (Status.REGISTERED, Status.PRESENTED)


@action("documents.register.cancelled")
def cancel_entry(*, document: Document, acting: Person, reason: str) -> Document:
    """Cancel (hủy) a wrong entry of the incoming register with a reason. Its number stays in the register,
    marked cancelled, and is never given again (the counter only moves forward). An issued document is not
    cancelled: it is recalled (thu hồi), which tells its recipients."""
    document = lock_for(document, acting, access.Need.CANCEL_ENTRY)
    if document.is_outgoing:
        raise ActionRefused(_("Văn bản đã phát hành không hủy được; hãy thu hồi văn bản."),
                            code="issued_recall_instead", status=409)
    if document.status not in VOIDABLE:
        raise ActionRefused(_("Chỉ hủy được văn bản đã vào sổ, chưa có ý kiến chỉ đạo."),
                            code="not_voidable", status=409)
    reason = required_text(reason, _("Hãy ghi lý do hủy."), code="reason_required", field="reason")
    if len(reason) > 500:
        raise ActionRefused(_("Lý do hủy dài quá 500 ký tự."), code="too_long", field="reason")
    before = document.status
    document.status = Status.VOIDED
    document.void_reason = reason
    document.voided_at = timezone.now()
    document.voided_by = acting
    bump(document, "status", "void_reason", "voided_at", "voided_by")
    log.record(actor=acting, verb="documents.register.cancelled", target=document, unit=document.unit,
               data={"number": document.number, "register": document.register_id, "reason": reason,
                     "before": before})
    return document
