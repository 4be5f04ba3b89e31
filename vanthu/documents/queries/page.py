"""The document page: a document with everything its page shows, in a fixed number of queries whatever the
archive holds, and the files that belong to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from vanthu.documents import trails
from vanthu.documents.access import visible_q
from vanthu.documents.components import Component
from vanthu.documents.components import components as components_of
from vanthu.documents.formatting import notation_file_name
from vanthu.documents.models import (
    Document,
    DocumentCopy,
    DocumentFile,
    DraftVersion,
    MessageKind,
    OutboxMessage,
    Recipient,
    RecipientStatus,
    ReviewStep,
)
from vanthu.documents.outbox import failure_text
from vanthu.documents.queries.history import HistoryEntry, history_for
from vanthu.org.models import Person
from vanthu.org.queries import Scope, scope_of
from vanthu.signing.service import ValidationResult, stored_validation


@dataclass(frozen=True)
class RecipientRow:
    """A recipient on the sender's page: where the document went, how its delivery went (the outbox message:
    waiting, delivered, failed with the reason) and what the recipient reported back (registered, returned)."""

    recipient: Recipient
    message: OutboxMessage | None
    failure: str  # translated reason of a failed delivery
    trail: list[RecipientStatus] = field(default_factory=list)  # the statuses received, oldest first

    @property
    def failed(self) -> bool:
        return self.message is not None and self.message.state == OutboxMessage.State.FAILED

    @property
    def awaits_paper(self) -> bool:
        """Nothing delivered it electronically: the clerk sends paper and records it (issue 12)."""
        return self.recipient.awaits_paper(self.message)


@dataclass
class DocumentPage:
    document: Document
    files: list[DocumentFile]
    main_file: DocumentFile | None
    main_name: str
    versions: list[DraftVersion]
    steps: list[ReviewStep]
    recipients: list[Recipient]
    recipient_rows: list[RecipientRow]
    visible_ids: set[int]  # linked documents this person may open
    source: Document | None
    deliveries: list[Document]
    replaces: Document | None
    replaced_by: list[Document]
    answers: Document | None  # the incoming document this draft answers
    replies: list[Document]  # the drafts and documents answering this one
    history: list[HistoryEntry]
    validation: ValidationResult | None  # the stored signature check of the current file (signing panel)
    copies: list[DocumentCopy]  # electronic copies (SAO Y, SAO LỤC, TRÍCH SAO) made of it
    exchange: trails.Exchange | None = None  # an incoming document that came through a transport
    amends: Document | None = None  # the issued document this one updates or corrects
    amended_by: list[Document] = field(default_factory=list)  # its updates and corrections
    components: list[Component] = field(default_factory=list)  # Điều 8, for an outgoing document


def document_page(person: Person, document: Document) -> DocumentPage:
    """Everything the document page shows, in a fixed number of queries (document already fetched)."""
    scope = scope_of(person)
    files = list(document.files.select_related("file").order_by("kind", "ordinal", "pk"))
    versions: list[DraftVersion] = []
    steps: list[ReviewStep] = []
    recipients: list[Recipient] = []
    if document.is_outgoing:
        versions = list(document.versions.select_related("author").order_by("-number"))
        steps = list(document.review_steps.select_related("reviewer").order_by("round", "ordinal"))
        recipients = list(document.recipients.select_related("unit", "delivered").order_by("pk"))
    messages: dict[int | None, OutboxMessage] = {}
    if recipients:
        messages = {m.recipient_id: m for m in OutboxMessage.objects.filter(document=document,
                                                                           kind=MessageKind.DOCUMENT)}
    trail = trails.trails_for(r.pk for r in recipients) if recipients else {}
    rows = [RecipientRow(recipient=r, message=messages.get(r.pk), trail=trail.get(r.pk, []),
                         failure=failure_text(messages[r.pk]) if r.pk in messages else "") for r in recipients]
    linked = _linked(document)
    amending = _amending_ids(document)
    visible_ids = _visible_among(scope, [d.pk for d in linked] + [r.delivered_id for r in recipients if r.delivered_id])
    linked = [d for d in linked if d.pk in visible_ids]  # a page names only the linked documents its reader may see
    main_file = next((f for f in files if f.kind == DocumentFile.Kind.MAIN and f.file_id == document.current_file_id),
                     None)
    main_name = main_file.name if main_file else _main_name(document, versions)
    return DocumentPage(
        document=document,
        files=files,
        main_file=main_file,
        main_name=main_name,
        versions=versions,
        steps=steps,
        recipients=recipients,
        recipient_rows=rows,
        visible_ids=visible_ids,
        source=next((d for d in linked if d.pk == document.source_id), None),
        deliveries=[d for d in linked if d.source_id == document.pk],
        replaces=next((d for d in linked if d.pk == document.replaces_id), None),
        replaced_by=[d for d in linked if d.replaces_id == document.pk],
        answers=next((d for d in linked if d.pk == document.answers_id), None),
        replies=[d for d in linked if d.answers_id == document.pk],
        history=history_for(document),
        validation=_stored_validation(document),
        copies=list(document.copies.select_related("unit", "made_by").order_by("made_at")),
        exchange=trails.exchange_of(document),
        amends=next((d for d in linked if d.pk == _amended_id(document, linked)), None),
        amended_by=[d for d in linked if d.amends_id == document.pk or (
            d.source_id in amending and d.unit_id == document.unit_id)],
        components=components_of(document, attachments=sum(1 for f in files if f.kind == DocumentFile.Kind.ATTACHMENT))
        if document.is_outgoing else [],
    )


def _stored_validation(document: Document) -> ValidationResult | None:
    """The signature check stored with the current file (made on arrival, signature and issuance)."""
    file = document.current_file
    if file is None:
        return None
    return stored_validation(file)


def _main_name(document: Document, versions: list[DraftVersion]) -> str:
    current = next((v for v in versions if v.pdf_id == document.current_file_id), None)
    if current is not None:
        stem = current.source_name.rsplit(".", 1)[0]
        return f"{stem}.pdf"
    return notation_file_name(document.notation)


def _linked(document: Document) -> list[Document]:
    q = Q(source_id=document.pk) | Q(replaces_id=document.pk) | Q(answers_id=document.pk) | Q(amends_id=document.pk)
    if document.answers_id:
        q |= Q(pk=document.answers_id)
    if document.source_id:
        q |= Q(pk=document.source_id)
        source = Document.objects.filter(pk=document.source_id).values("amends_id").first()
        if source and source["amends_id"]:  # a received update or correction: this unit's copy of what it amends
            q |= Q(source_id=source["amends_id"], unit_id=document.unit_id)
        amending = _amending_ids(document)
        if amending:  # a received document: this unit's copies of its updates and corrections
            q |= Q(source_id__in=amending, unit_id=document.unit_id)
    if document.replaces_id:
        q |= Q(pk=document.replaces_id)
    if document.amends_id:
        q |= Q(pk=document.amends_id)
    return list(Document.objects.filter(q).select_related("unit", "doc_type").order_by("pk")[:200])


def _amending_ids(document: Document) -> set[int]:
    """For a received copy: the sender's documents that update or correct its source."""
    if not document.source_id:
        return set()
    return set(Document.objects.filter(amends_id=document.source_id).values_list("pk", flat=True))


def _amended_id(document: Document, linked: list[Document]) -> int | None:
    """What this document amends: its own link, or for a received update, this unit's copy of the amended one."""
    if document.amends_id:
        return document.amends_id
    source = next((d for d in linked if d.pk == document.source_id), None)
    if source is not None and source.amends_id:
        return next((d.pk for d in linked if d.source_id == source.amends_id and d.unit_id == document.unit_id),
                    None)
    if document.source_id:
        amended = Document.objects.filter(pk=document.source_id).values_list("amends_id", flat=True).first()
        if amended:
            return next((d.pk for d in linked if d.source_id == amended and d.unit_id == document.unit_id), None)
    return None


def _visible_among(scope: Scope, ids: Iterable[int | None]) -> set[int]:
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    return set(Document.objects.filter(visible_q(scope), pk__in=wanted).values_list("pk", flat=True))


def file_of(document: Document, sha256: str) -> tuple[str, str]:
    """(name, content type) of a file belonging to the document (as columns, issue 17); Http404 for any other."""
    row = next(iter(document.files.filter(file_id=sha256).values_list("kind", "name", "file__content_type")[:1]), None)
    if row is not None:
        kind, name, content_type = row
        if kind == DocumentFile.Kind.MAIN and document.is_outgoing and document.notation:  # after its notation
            return notation_file_name(document.notation), content_type
        return name, content_type
    version = (
        DraftVersion.objects.filter(document=document)
        .filter(Q(pdf_id=sha256) | Q(source_id=sha256))
        .select_related("pdf", "source")
        .order_by("-number")
        .first()
    )
    if version is not None:
        if version.source_id == sha256 or version.pdf is None:
            return version.source_name, version.source.content_type
        return f"{version.source_name.rsplit('.', 1)[0]}.pdf", version.pdf.content_type
    if document.current_file_id == sha256 and document.current_file is not None:
        return notation_file_name(document.notation), document.current_file.content_type
    copy = document.copies.filter(file_id=sha256).select_related("document").first()
    if copy is not None:
        return copy.file_name, "application/pdf"
    raise Http404
