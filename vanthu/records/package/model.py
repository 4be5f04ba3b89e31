"""What the package writer is given: plain values and callables that open a file (no ORM object)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

OpenFile = Callable[[], IO[bytes]]


@dataclass(frozen=True)
class Signer:
    """The person shown in SignerInfo (Position 100, FullName 50)."""

    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class DocumentMetadata:
    """A document's metadata with the field names of Circular 02/2019 (Phụ lục VI of Decree 30); incoming
    documents add ArrivalDate, ArrivalNumber, ToPlaces and TraceHeaderList."""

    doc_ordinal: int
    type_name: str
    code_number: str = ""
    code_notation: str = ""
    issued_date: dt.date | None = None
    organ_id: str = ""
    organ_name: str = ""
    subject: str = ""
    language: str = "Tiếng Việt"
    page_amount: int | None = None
    description: str = ""
    signer: Signer = field(default_factory=Signer)
    to: tuple[tuple[str, str], ...] = ()  # (OrganId, OrganName) of each recipient
    priority: int = 0
    issued_amount: int | None = None
    due_date: dt.date | None = None
    direction: str = "out"  # out | in | int | other
    arrival_date: dt.date | None = None
    arrival_number: int | None = None
    to_places: str = ""
    trace_header_list: str = ""
    secrecy: str = ""  # the secrecy mark as printed (empty: not secret); kept inside, never dropped


@dataclass(frozen=True)
class RecordMetadata:
    """A record's metadata (Circular 02/2019: FileCode {OrganId, FileCatalog, FileNotation}, Title, Maintenance,
    Rights, Creator, Language, StartDate, EndDate, DocTotal, PageTotal, Description)."""

    organ_id: str
    file_catalog: int  # the year of the catalogue
    file_notation: str
    title: str
    maintenance: str  # the retention period: "10 năm", "Vĩnh viễn"
    rights: str = ""
    creator: str = ""
    language: str = "Tiếng Việt"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    doc_total: int = 0
    page_total: int = 0
    description: str = ""

    @property
    def code(self) -> str:
        """số và ký hiệu hồ sơ as printed: OrganId.FileCatalog.FileNotation."""
        return ".".join(p for p in (self.organ_id, str(self.file_catalog), self.file_notation) if p)


@dataclass(frozen=True)
class FileSource:
    """One file of a document as issued: `open` gives its bytes (read once, in order)."""

    name: str
    open: OpenFile
    kind: str = "main"  # main | attachment | other


@dataclass(frozen=True)
class DocumentSource:
    metadata: DocumentMetadata
    files: tuple[FileSource, ...]


@dataclass(frozen=True)
class HistoryEvent:
    at: dt.datetime
    actor: str
    verb: str
    target: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecordSource:
    """The whole record as the writer takes it: documents are an iterable, consumed once (a large record is
    never held in memory)."""

    metadata: RecordMetadata
    documents: Iterable[DocumentSource]
    history: list[HistoryEvent] = field(default_factory=list)
    unit_name: str = ""
