"""Reads behind the API: a keyset page of documents, and a document's full detail.

Lists are keyset-paginated (newest first, `before` = the last id or number of the previous page) and never
COUNT big sets; each read issues a fixed number of queries whatever the page size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from vanthu.api.schemas import (
    AssignmentOut,
    DocumentDetail,
    DocumentSummary,
    FileOut,
    InstructionOut,
    PersonRef,
    RecipientOut,
    RegisterRef,
    ReviewStepOut,
    SignatureOut,
    UnitRef,
    ValidationOut,
    VersionOut,
    file_out,
)
from vanthu.audit import log
from vanthu.audit.models import AuditEvent
from vanthu.core.links import Minter
from vanthu.documents import access
from vanthu.documents.formatting import notation_file_name
from vanthu.documents.models import Document, DocumentFile, DraftVersion, MessageKind, OutboxMessage
from vanthu.documents.outbox import failure_text
from vanthu.org.models import Person
from vanthu.signing.models import FileValidation
from vanthu.workflow.models import Assignment

SUMMARY_RELATED = ("unit", "doc_type")
HISTORY_LIMIT = 500


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime | None]:
    """The year's first instant and the next year's (None after 9999, the last year a date can hold)."""
    tz = timezone.get_current_timezone()
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz) if year < dt.MAXYEAR else None
    return dt.datetime(year, 1, 1, tzinfo=tz), end


def documents_page(
    person: Person,
    *,
    direction: str | None = None,
    unit_id: int | None = None,
    year: int | None = None,
    status: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> tuple[list[Document], int | None]:
    """What `person` may see, newest first; returns the page and the cursor of the next one (or None)."""
    qs = access.documents_visible_to(person)
    if direction:
        qs = qs.filter(direction=direction)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if year is not None:
        start, end = _year_range(year)
        qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lt=end)
    if status:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.select_related(*SUMMARY_RELATED).order_by("-pk")[: limit + 1])
    next_cursor = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], next_cursor


# --- one document ----------------------------------------------------------------------------------------


# The API's names for the needs of the access registry (documents.access.Need): the same predicates as the pages.
ALLOWED: list[tuple[str, access.Need]] = [
    ("register", access.Need.REGISTER),
    ("return", access.Need.RETURN),
    ("present", access.Need.PRESENT),
    ("direct", access.Need.DIRECT),
    ("add_version", access.Need.EDIT_DRAFT),
    ("submit", access.Need.SUBMIT),
    ("review", access.Need.REVIEW),
    ("return_for_revision", access.Need.RETURN_FOR_REVISION),
    ("sign", access.Need.SIGN),
    ("issue", access.Need.ISSUE),
    ("recall", access.Need.RECALL),
    ("replace", access.Need.REPLACE),
    ("copy", access.Need.COPY),
    ("retry_delivery", access.Need.RETRY_DELIVERY),
]


def allowed_actions(person: Person, document: Document) -> list[str]:
    return [name for name, need in ALLOWED if access.allows(person, document, need)]


def document_files(document: Document, *, links: Minter | None = None) -> list[FileOut]:
    """Every file of the document that can be fetched: main, attachments, and each draft version; with `links`,
    each with its signed link (decision 0035)."""
    out: list[FileOut] = []
    for item in DocumentFile.objects.filter(document=document).select_related("file"):
        out.append(file_out(document_id=document.pk, kind=item.kind, name=item.name, stored=item.file, links=links))
    for version in DraftVersion.objects.filter(document=document).select_related("source", "pdf"):
        out.append(file_out(document_id=document.pk, kind="version_source", name=version.source_name,
                            stored=version.source, links=links))
        if version.pdf is not None and version.pdf_id != version.source_id:
            pdf_name = version.source_name.rsplit(".", 1)[0] + ".pdf"
            out.append(file_out(document_id=document.pk, kind="version_pdf", name=pdf_name, stored=version.pdf,
                                links=links))
    return out


def assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk, document_id=a.document_id, instruction_id=a.instruction_id, parent_id=a.parent_id, role=a.role,
        role_label=a.get_role_display(), person=PersonRef.of(a.person) if a.person else None,
        unit=UnitRef.of(a.unit) if a.unit else None, deadline=a.deadline, urgency=a.urgency, state=a.state,
        state_label=a.state_label, note=a.note, result=a.result, reply_id=a.reply_id,
        created_at=a.created_at, started_at=a.started_at, done_at=a.done_at,
    )


def _validation(document: Document) -> ValidationOut | None:
    if document.current_file_id is None:
        return None
    row = FileValidation.objects.filter(file_id=document.current_file_id).first()
    if row is None:
        return None
    report: Any = row.report if isinstance(row.report, dict) else {}
    signatures = []
    for item in report.get("signatures", []) or []:
        if isinstance(item, dict):
            fields = {k: v for k, v in item.items() if k in SignatureOut.model_fields and v is not None}
            signatures.append(SignatureOut.model_validate(fields))
    return ValidationOut(sha256=row.file_id, valid=row.valid, readable=row.readable, problem=row.problem,
                         validated_at=row.validated_at, signatures=signatures)


def document_detail(document: Document, person: Person, *, links: Minter | None = None) -> DocumentDetail:
    doc = document
    files = document_files(doc, links=links)
    current = None
    if doc.current_file is not None:
        current = next((f for f in files if f.sha256 == doc.current_file_id and f.kind == "main"), None)
        current = current or file_out(document_id=doc.pk, kind="main", stored=doc.current_file,
                                      name=notation_file_name(doc.notation, fallback=str(doc.pk)), links=links)
    versions = [
        VersionOut(number=v.number, source_name=v.source_name, source_sha256=v.source_id, pdf_sha256=v.pdf_id,
                   conversion=v.conversion, conversion_error=v.conversion_error, note=v.note,
                   author=PersonRef.of(v.author), created_at=v.created_at)
        for v in doc.versions.select_related("author").order_by("number")
    ]
    recipient_rows = list(doc.recipients.select_related("unit").order_by("pk"))
    messages = {m.recipient_id: m for m in OutboxMessage.objects.filter(document=doc, kind=MessageKind.DOCUMENT)}
    linked = [doc.source_id, doc.replaces_id, *(r.delivered_id for r in recipient_rows)]
    wanted = {pk for pk in linked if pk is not None}
    visible = set(access.documents_visible_to(person).filter(pk__in=wanted).values_list("pk", flat=True)) if wanted \
        else set()

    def shown(pk: int | None) -> int | None:
        """Ids of linked documents only when the caller may see them (a sender never learns the receiver's)."""
        return pk if pk in visible else None

    recipients = []
    for r in recipient_rows:
        message = messages.get(r.pk)
        recipients.append(RecipientOut(
            unit=UnitRef.of(r.unit) if r.unit else None, external_name=r.external_name, purpose=r.purpose,
            state=r.state, state_label=r.get_state_display(), sent_at=r.sent_at, delivered_id=shown(r.delivered_id),
            reason=r.reason, delivery_id=message.pk if message else None,
            delivery_state=message.state if message else "",
            delivery_state_label=message.get_state_display() if message else "",
            delivery_failure=failure_text(message) if message else "",
        ))
    steps = [
        ReviewStepOut(id=s.pk, round=s.round, ordinal=s.ordinal, kind=s.kind, kind_label=s.get_kind_display(),
                      reviewer=PersonRef.of(s.reviewer), state=s.state, state_label=s.get_state_display(),
                      comment=s.comment, decided_at=s.decided_at)
        for s in doc.review_steps.select_related("reviewer").order_by("round", "ordinal")
    ]
    instructions = [
        InstructionOut(id=i.pk, author=PersonRef.of(i.author), text=i.text, deadline=i.deadline,
                       created_at=i.created_at)
        for i in doc.instructions.select_related("author").order_by("created_at", "pk")
    ]
    assignments = [
        assignment_out(a)
        for a in Assignment.objects.filter(document=doc).select_related("person", "unit").order_by("created_at", "pk")
    ]
    return DocumentDetail(
        **DocumentSummary.fields_of(doc),
        code_number=doc.code_number, code_notation=doc.code_notation, organ_id=doc.organ_id,
        description=doc.description, language=doc.language, page_amount=doc.page_amount,
        signer_competence=doc.signer_competence, signer_position=doc.signer_position, signer_name=doc.signer_name,
        urgent_until=doc.urgent_until, issued_amount=doc.issued_amount, to_places=doc.to_places,
        received_via=doc.received_via, source_id=shown(doc.source_id), return_reason=doc.return_reason,
        drafting_unit=UnitRef.of(doc.drafting_unit) if doc.drafting_unit else None,
        register_info=RegisterRef.of(doc.register) if doc.register else None,
        signer=PersonRef.of(doc.signer) if doc.signer else None, signer_authority_id=doc.signer_authority_id,
        approved_sha256=doc.approved_sha256, signed_at=doc.signed_at, issued_at=doc.issued_at,
        replaces_id=shown(doc.replaces_id), recalled_at=doc.recalled_at, recall_reason=doc.recall_reason,
        current_file=current, files=files, versions=versions, recipients=recipients, review_steps=steps,
        instructions=instructions, assignments=assignments, validation=_validation(doc),
        allowed=allowed_actions(person, doc),
    )


def history(document: Document) -> list[AuditEvent]:
    """The document's audit events, oldest first (refused attempts left out, as on the document page)."""
    return list(log.events_for(document).exclude(verb__endswith=".refused")[:HISTORY_LIMIT])

