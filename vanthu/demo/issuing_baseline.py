"""The issuance vanthu had before the outbox (decision 0007), kept for `vanthu bench issuing` only: one
transaction locks the document, takes the number, seals (the counter row stays locked through the seal),
and writes each recipient unit's incoming document and its audit events in the issuer's transaction.

Not an action and never called by the application: it exists so that the benchmark can run the previous
design side by side with the outbox on the same machine and data.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vanthu.audit import log
from vanthu.core import files
from vanthu.documents import numbering
from vanthu.documents.actions.common import lock, validate_on_commit
from vanthu.documents.formatting import date_line, number_line
from vanthu.documents.models import Direction, Document, DocumentFile, ReceivedVia, Recipient, RegisterKind, Status
from vanthu.documents.uploads import PDF
from vanthu.org.models import Person
from vanthu.signing import service as signing


def _deliver_in_transaction(document: Document, *, acting: Person) -> list[Document]:
    delivered: list[Document] = []
    now = timezone.now()
    assert document.current_file is not None
    for recipient in document.recipients.select_related("unit").filter(unit__isnull=False):
        unit = recipient.unit
        assert unit is not None
        copy = Document(
            direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit, doc_type=document.doc_type,
            code_number=document.code_number, code_notation=document.code_notation,
            issued_date=document.issued_date, organ_id=document.organ_id, organ_name=document.organ_name,
            subject=document.subject, page_amount=document.page_amount, signer_name=document.signer_name,
            urgency=document.urgency, secrecy=document.secrecy, arrival_at=now, received_via=ReceivedVia.INTERNAL,
            source=document, current_file=document.current_file, created_by=acting,
        )
        copy.save(force_insert=True)
        DocumentFile.objects.create(document=copy, kind=DocumentFile.Kind.MAIN, name="van-ban.pdf",
                                    file=document.current_file, added_by=acting)
        recipient.delivered = copy
        recipient.state = Recipient.State.RECEIVED
        recipient.sent_at = now
        recipient.save(update_fields=["delivered", "state", "sent_at"])
        log.record(actor=acting, verb="documents.incoming.arrived", target=copy, unit=unit,
                   data={"source": document.pk, "from": document.unit_id})
        delivered.append(copy)
    return delivered


def issue_in_one_transaction(*, document: Document, acting: Person, secret: str | None) -> Document:
    """Number, seal and deliver in one transaction, as before the outbox (bench only)."""
    with transaction.atomic():
        document = lock(document)
        assert document.current_file is not None
        today = timezone.localdate()
        register = numbering.register_for(
            unit=document.unit, kind=RegisterKind.OUTGOING, year=today.year,
            series=numbering.outgoing_series(unit=document.unit, doc_type=document.doc_type,
                                             secrecy=document.secrecy),
        )
        number = numbering.take_next(register)
        document.register = register
        document.number = number
        document.code_number = numbering.format_number(number)
        document.code_notation = numbering.notation(doc_type=document.doc_type, issuer=document.unit,
                                                    drafting_unit=document.drafting_unit)
        document.issued_date = today
        sealed = signing.seal_issued(pdf=document.current_file.read_bytes(), unit=document.unit,
                                     number_text=number_line(document.notation),
                                     date_text=date_line(document.unit.place_name, today), secret=secret)
        stored = files.store_bytes(sealed, content_type=PDF)
        DocumentFile.objects.filter(document=document, kind=DocumentFile.Kind.MAIN).delete()
        DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name="van-ban.pdf", file=stored,
                                    added_by=acting)
        document.current_file = stored
        document.status = Status.ISSUED
        document.issued_at = timezone.now()
        document.issued_by = acting
        document.version += 1
        document.save()
        delivered = _deliver_in_transaction(document, acting=acting)
        validate_on_commit(stored)
        log.record(actor=acting, verb="documents.outgoing.issued", target=document, unit=document.unit,
                   data={"number": number, "register": register.pk, "delivered": [d.pk for d in delivered]})
        return document
