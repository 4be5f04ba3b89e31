"""Hand-signed paper outgoing documents: numbered and registered from the same outgoing series as electronic
ones (Decree 30 Điều 15.1: "thống nhất giữa văn bản giấy và văn bản điện tử"), with the scan attached."""

import datetime as dt
import uuid
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import numbering
from vanthu.documents.actions.common import attach, check_token, deny, save_new, store, validate_fields
from vanthu.documents.actions.drafting import DraftData, check_authority
from vanthu.documents.models import Direction, Document, DocumentFile, RegisterKind, Status
from vanthu.documents.uploads import PDF, CheckedFile
from vanthu.org.models import Person, SigningAuthority, Unit
from vanthu.org.queries import scope_of


@action("documents.paper.registered")
def register_paper_outgoing(
    *,
    acting: Person,
    issuing_unit: Unit,
    drafting_unit: Unit | None,
    data: DraftData,
    signer_authority: SigningAuthority,
    signed_on: dt.date,
    scan: CheckedFile,
    attachments: Sequence[CheckedFile] = (),
    client_token: uuid.UUID | None = None,
) -> Document:
    """The clerk of the issuing unit numbers and registers a document signed by hand on paper: the next number
    of the unit's outgoing series for this year (the same counter as electronic documents), the date of today,
    the scanned copy as its file. A second submission of the same form is refused (nothing numbered twice)."""
    if issuing_unit.pk not in scope_of(acting).clerk_unit_ids:
        raise deny()
    check_token(client_token)
    if scan.content_type != PDF:
        raise ActionRefused(_("Bản quét văn bản giấy phải là tệp PDF."), code="file_type", field="file")
    today = timezone.localdate()
    if signed_on > today:
        raise ActionRefused(_("Ngày ký không được sau ngày hôm nay."), code="signed_future", field="signed_on")
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    signer = signer_authority.person
    stored = store(scan)
    document = Document(
        direction=Direction.OUTGOING, status=Status.ISSUED, on_paper=True, unit=issuing_unit,
        drafting_unit=drafting_unit or issuing_unit, organ_name=issuing_unit.name, organ_id=issuing_unit.code or "",
        place_name=issuing_unit.place_name, created_by=acting, client_token=client_token, current_file=stored,
        page_amount=scan.pages, signer=signer, signer_authority=signer_authority,
        signer_competence=signer_authority.competence_line,
        signer_position=signer_authority.title if signer_authority.prefix else "", signer_name=signer.full_name,
        signed_at=timezone.make_aware(dt.datetime.combine(signed_on, dt.time(12))), issued_at=timezone.now(),
        issued_by=acting,
    )
    for name in ("doc_type", "subject", "urgency", "secrecy", "description", "to_places", "issued_amount"):
        setattr(document, name, getattr(data, name))
    check_authority(signer_authority, document)
    validate_fields(document, exclude=["register", "number"])
    register = numbering.register_for(
        unit=issuing_unit, kind=RegisterKind.OUTGOING, year=today.year,
        series=numbering.outgoing_series(unit=issuing_unit, doc_type=data.doc_type, secrecy=data.secrecy,
                                         year=today.year),
    )
    document.register = register
    document.number = numbering.take_next(register)
    document.code_number = numbering.format_number(document.number)
    document.code_notation = numbering.notation(doc_type=data.doc_type, issuer=issuing_unit,
                                                drafting_unit=document.drafting_unit)
    document.issued_date = today
    save_new(document)
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN,
                                name=f"{document.notation.replace('/', '_')}_ban-quet.pdf", file=stored,
                                added_by=acting)
    attach(document, attachments, acting=acting)
    log.record(actor=acting, verb="documents.paper.registered", target=document, unit=issuing_unit,
               data={"number": document.number, "register": document.register_id, "notation": document.notation,
                     "sha256": stored.sha256, "signer": signer.pk})
    return document
