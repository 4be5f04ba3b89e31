"""What the envelopes of one received batch read, read once for the batch (receiving.py, decision 0029): our
issued documents the statuses answer, the document messages they answer, the document types, the files stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from vanthu.core.files import put_many, rows_for, store_bytes
from vanthu.core.models import StoredFile
from vanthu.documents.models import Direction, Document, DocumentType, MessageKind, OutboxMessage
from vanthu.exchange import edxml
from vanthu.exchange.edxml.model import DocumentId
from vanthu.exchange.models import ReceivedEnvelope
from vanthu.exchange.receiving_types import Refused, _Checked


def _our_document(structured: DocumentId | None) -> Document | None:
    if structured is None:
        return None
    return (Document.objects.filter(direction=Direction.OUTGOING, unit__code=structured.organ_id,
                                    code_number=structured.number, code_notation=structured.notation,
                                    issued_date=structured.date).select_related("unit").first())


@dataclass(frozen=True)
class _Issued:
    """An issued document of this deployment, as a status about it needs it: its id and its file's SHA-256."""

    pk: int
    current_file_id: str | None


def _issued(structured: DocumentId | None, issued: dict[DocumentId, _Issued | None]) -> _Issued | None:
    """The document `_our_document` finds, read narrow and once per batch (a 01 and a 03 of one document
    travel together; `_Reads.prefetch` reads those of a whole batch at once)."""
    if structured is None:
        return None
    if structured not in issued:
        row = (Document.objects.filter(direction=Direction.OUTGOING, unit__code=structured.organ_id,
                                       code_number=structured.number, code_notation=structured.notation,
                                       issued_date=structured.date)
               .values_list("pk", "current_file_id").first())  # the same row `.first()` gave
        issued[structured] = _Issued(pk=row[0], current_file_id=row[1]) if row is not None else None
    return issued[structured]


@dataclass
class _Reads:
    """What the envelopes of one batch read, read once for the batch: our issued documents the statuses answer,
    the document messages they answer, the document types the documents name."""

    issued: dict[DocumentId, _Issued | None] = field(default_factory=dict)
    answers: dict[tuple[int, str, str], uuid.UUID] = field(default_factory=dict)  # (document, address, transport)
    answered: set[tuple[int, str]] = field(default_factory=set)  # (document, transport) whose messages are read
    doc_types: dict[str, DocumentType] = field(default_factory=dict)
    recorded: dict[str, ReceivedEnvelope] = field(default_factory=dict)  # the evidence rows by SHA-256, as read
    # the batch's files (the envelopes' bytes as evidence, the documents' attachments) stored together, by the
    # identity of the bytes object the pipeline holds (`_held` keeps each alive while its id is a key)
    stored: dict[int, StoredFile] = field(default_factory=dict)
    _held: list[bytes] = field(default_factory=list)
    put: list[tuple[bytes, StoredFile]] | None = None  # the files put before the transaction, rows to be written

    def put_all(self, checked: list[tuple[bytes, _Checked | Refused]]) -> None:
        """Write to the file store, before the batch's transaction (no lock held: decision 0050), what `_conclude`
        stores for these envelopes: each envelope's bytes but an oversize one's, and a checked document's
        attachments. Their rows are written in the transaction (`store_all`)."""
        items: list[tuple[bytes, str]] = []
        for data, outcome in checked:
            if isinstance(outcome, Refused):
                if outcome.code != "oversize":
                    items.append((data, "application/xml"))
                continue
            items.append((data, "application/xml"))
            envelope = outcome.parsed.envelope
            if envelope is not None and outcome.pdfs:
                main = outcome.pdfs[0]
                items += [(a.data, "application/pdf" if a is main
                           else a.content_type[:100] or "application/octet-stream") for a in envelope.attachments]
        self.put = [(data, row) for (data, _type), row in zip(items, put_many(items), strict=True)]

    def store_all(self, checked: list[tuple[bytes, _Checked | Refused]]) -> None:
        """The rows of the files `put_all` wrote (written now if it was not called): two statements for the batch."""
        if self.put is None:
            self.put_all(checked)
        put = self.put or []
        for (data, _row), stored in zip(put, rows_for([row for _data, row in put]), strict=True):
            self.stored.setdefault(id(data), stored)
            self._held.append(data)

    def store(self, data: bytes, *, content_type: str) -> StoredFile:
        """The file of these bytes: stored with the batch, else now."""
        found = self.stored.get(id(data))
        return found if found is not None else store_bytes(data, content_type=content_type)

    def prefetch(self, outcomes: list[_Checked | Refused], *, transport: str) -> None:
        """Our documents the batch's statuses answer and their document messages over `transport`: two queries
        for the batch where each status made two. The same rows the one-by-one reads give (the first by id)."""
        wanted: set[DocumentId] = set()
        for outcome in outcomes:
            status = outcome.parsed.status if isinstance(outcome, _Checked) else None
            if status is None or status.code == edxml.StatusCode.RECALL_REQUESTED:
                continue
            structured = DocumentId.parse(status.response_for.document_id)
            if structured is not None and structured not in self.issued:
                wanted.add(structured)
        if not wanted:
            return
        for structured in wanted:
            self.issued[structured] = None
        # each part of the ids in a list (the rows of every wanted id, and maybe a few more, matched below):
        # one short statement to build where one OR of four conditions an id was
        rows = (Document.objects.filter(direction=Direction.OUTGOING,
                                        unit__code__in={s.organ_id for s in wanted},
                                        code_number__in={s.number for s in wanted},
                                        code_notation__in={s.notation for s in wanted},
                                        issued_date__in={s.date for s in wanted}).order_by("pk")
                .values_list("pk", "current_file_id", "unit__code", "code_number", "code_notation", "issued_date"))
        for pk, file_id, organ_id, number, notation, date in rows:
            if organ_id is None or date is None:
                continue  # matched none of the wanted ids
            structured = DocumentId(organ_id=organ_id, date=date, number=number, notation=notation)
            if structured in wanted and self.issued[structured] is None:
                self.issued[structured] = _Issued(pk=pk, current_file_id=file_id)
        found = [i.pk for i in self.issued.values() if i is not None and (i.pk, transport) not in self.answered]
        for document_id, address, key in (OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT,
                                                                         document_id__in=found, transport=transport)
                                          .order_by("pk").values_list("document_id", "address", "key")):
            self.answers.setdefault((document_id, address, transport), key)
        self.answered.update((pk, transport) for pk in found)

    def answer(self, document_id: int, *, address: str, transport: str) -> uuid.UUID | None:
        """The key of the document message of `document_id` to `address` over `transport` (the first by id)."""
        if (document_id, transport) in self.answered:
            return self.answers.get((document_id, address, transport))
        return (OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, document_id=document_id, address=address,
                                             transport=transport).values_list("key", flat=True).first())

    def doc_type(self, name: str) -> DocumentType:
        """The document type an envelope names, else Công văn, else the first; read once per name a batch."""
        if name not in self.doc_types:
            found = (DocumentType.objects.filter(name=name).first()
                     or DocumentType.objects.filter(name="Công văn").first()
                     or DocumentType.objects.order_by("pk").first())
            assert found is not None
            self.doc_types[name] = found
        return self.doc_types[name]
