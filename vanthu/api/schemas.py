"""Input and output schemas of the JSON API, shared by the routers.

Outputs are built explicitly from model rows (`X.of(row)`), so what the API promises is written here and
not derived from model internals. Input string lengths are the model's (Phụ lục VI of Decree 30).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from django.db import models
from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from vanthu.api.strict import StrictInput
from vanthu.core.links import Minter
from vanthu.core.models import StoredFile
from vanthu.documents.models import Document, DocumentType, Register
from vanthu.org.models import Person, Unit


def doc_len(name: str) -> int:
    """The max_length of a Document field (the Phụ lục VI length)."""
    field = Document._meta.get_field(name)
    assert isinstance(field, models.CharField)
    assert field.max_length is not None
    return field.max_length


def _text(max_length: int, *, required: bool = False) -> Any:
    return Field(max_length=max_length, min_length=1 if required else 0)


# Input strings with the model's lengths (surrounding spaces are stripped first, see In).
OrganName = Annotated[str, _text(doc_len("organ_name"), required=True)]
Subject = Annotated[str, _text(doc_len("subject"), required=True)]
CodeNumber = Annotated[str, _text(doc_len("code_number"))]
CodeNotation = Annotated[str, _text(doc_len("code_notation"))]
OrganId = Annotated[str, _text(doc_len("organ_id"))]
SignerName = Annotated[str, _text(doc_len("signer_name"))]
SignerPosition = Annotated[str, _text(doc_len("signer_position"))]
Description = Annotated[str, _text(doc_len("description"))]
ToPlaces = Annotated[str, _text(doc_len("to_places"))]
Note = Annotated[str, _text(500)]
Reason = Annotated[str, _text(500, required=True)]
Comment = Annotated[str, _text(1000)]
RequiredComment = Annotated[str, _text(1000, required=True)]
LongText = Annotated[str, _text(2000)]
RequiredLongText = Annotated[str, _text(2000, required=True)]


class In(StrictInput, Schema):
    """Base of every JSON input schema: surrounding spaces are stripped (whitespace-only text is empty),
    unknown fields refused, types strict (see strict.py)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class FormIn(In):
    """Base of a multipart form's fields: values arrive as text, an empty nullable field is null."""

    lax_text: ClassVar[bool] = True
    empty_is_null: ClassVar[bool] = True


class QueryIn(StrictInput, Schema):
    """Base of a query string's parameters: values arrive as text; integers within range, no NUL."""

    lax_text: ClassVar[bool] = True
    empty_is_null: ClassVar[bool] = True


# --- references ------------------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str
    short_name: str
    abbreviation: str

    @classmethod
    def of(cls, unit: Unit) -> UnitRef:
        return cls(id=unit.pk, name=unit.name, short_name=unit.short_name, abbreviation=unit.abbreviation)


class PersonRef(Schema):
    id: int
    full_name: str
    rank: str = Field(description="Cấp bậc (tên hiển thị)")
    position: str
    unit_id: int

    @classmethod
    def of(cls, person: Person) -> PersonRef:
        return cls(id=person.pk, full_name=person.full_name, rank=person.get_rank_display() if person.rank else "",
                   position=person.position, unit_id=person.unit_id)


class DocTypeOut(Schema):
    id: int
    name: str
    abbreviation: str

    @classmethod
    def of(cls, doc_type: DocumentType) -> DocTypeOut:
        return cls(id=doc_type.pk, name=doc_type.name, abbreviation=doc_type.abbreviation)


class RegisterRef(Schema):
    id: int
    name: str
    kind: str
    series: str
    year: int
    unit_id: int
    last_number: int

    @classmethod
    def of(cls, register: Register) -> RegisterRef:
        return cls(id=register.pk, name=register.name, kind=register.kind, series=register.series,
                   year=register.year, unit_id=register.unit_id, last_number=register.last_number)


class FileOut(Schema):
    kind: str = Field(description="main | attachment | version_source | version_pdf")
    name: str
    sha256: str
    size: int
    content_type: str
    url: str = Field(description="Đường tải có kiểm tra quyền qua vanthu (luôn dùng được)")
    download_url: str | None = Field(None, description=(
        "Liên kết tải ngắn hạn (VANTHU_FILES_LINK_SECONDS, mặc định 60 giây) do nginx tự kiểm tra và gửi tệp, "
        "chỉ dùng được với đúng tiêu đề Authorization đã gọi; hết hạn hoặc sai thì chuyển sang `url`. null khi "
        "triển khai không bật liên kết ký hoặc văn bản có độ mật (decision 0035)"))


class DocumentSummary(Schema):
    id: int
    direction: Literal["in", "out"]
    status: str
    status_label: str
    unit: UnitRef
    doc_type: DocTypeOut
    number: int | None = Field(description="Số đến (văn bản đến) hoặc số văn bản đi trong sổ")
    notation: str = Field(description="Số, ký hiệu, ví dụ 12/KH-TM")
    subject: str
    organ_name: str
    urgency: int
    urgency_label: str
    secrecy: int
    secrecy_label: str
    due_date: dt.date | None
    issued_date: dt.date | None
    arrival_at: dt.datetime | None
    created_at: dt.datetime
    version: int

    @classmethod
    def fields_of(cls, doc: Document) -> dict[str, Any]:
        return {
            "id": doc.pk, "direction": doc.direction, "status": doc.status, "status_label": doc.get_status_display(),
            "unit": UnitRef.of(doc.unit), "doc_type": DocTypeOut.of(doc.doc_type), "number": doc.number,
            "notation": doc.notation, "subject": doc.subject, "organ_name": doc.organ_name, "urgency": doc.urgency,
            "urgency_label": doc.get_urgency_display(), "secrecy": doc.secrecy,
            "secrecy_label": doc.get_secrecy_display(), "due_date": doc.due_date, "issued_date": doc.issued_date,
            "arrival_at": doc.arrival_at, "created_at": doc.created_at, "version": doc.version,
        }

    @classmethod
    def of(cls, doc: Document) -> DocumentSummary:
        return cls(**cls.fields_of(doc))


def file_out(*, document_id: int, kind: str, name: str, stored: StoredFile, links: Minter | None = None) -> FileOut:
    url = reverse("api:document_file", kwargs={"document_id": document_id, "sha256": stored.sha256})
    download_url = links.url(stored.sha256, name, stored.content_type) if links is not None else None
    return FileOut(kind=kind, name=name, sha256=stored.sha256, size=stored.size, content_type=stored.content_type,
                   url=url, download_url=download_url)


class OkOut(Schema):
    ok: bool = True


# --- the full document ------------------------------------------------------------------------------------


class VersionOut(Schema):
    number: int
    source_name: str
    source_sha256: str
    pdf_sha256: str | None = Field(description="null while a DOCX is being converted, or when it could not be")
    conversion: str = Field("", description="'pending' (a job converts the DOCX), 'failed', or '' (PDF ready)")
    conversion_error: str = ""
    note: str
    author: PersonRef
    created_at: dt.datetime


class RecipientOut(Schema):
    unit: UnitRef | None
    external_name: str
    purpose: str
    state: str
    state_label: str
    sent_at: dt.datetime | None
    delivered_id: int | None = Field(description="Văn bản đến tương ứng ở đơn vị nhận, chỉ khi người gọi được xem "
                                                 "văn bản đó")
    reason: str = Field("", description="Lý do nơi nhận trả lại (theo trạng thái nơi nhận báo về)")
    delivery_id: int | None = Field(None, description="Thư chuyển văn bản tới nơi nhận (để gửi lại khi lỗi)")
    delivery_state: str = Field("", description="waiting | delivered | failed; rỗng khi không chuyển qua hệ thống")
    delivery_state_label: str = ""
    delivery_failure: str = Field("", description="Lý do không chuyển được")


class ReviewStepOut(Schema):
    id: int
    round: int
    ordinal: int
    kind: str
    kind_label: str
    reviewer: PersonRef
    state: str
    state_label: str
    comment: str
    decided_at: dt.datetime | None


class AssignmentOut(Schema):
    id: int
    document_id: int | None
    instruction_id: int | None
    parent_id: int | None
    role: str
    role_label: str
    person: PersonRef | None
    unit: UnitRef | None
    deadline: dt.date | None
    urgency: int
    state: str
    state_label: str
    note: str
    result: str
    reply_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    done_at: dt.datetime | None


class InstructionOut(Schema):
    id: int
    author: PersonRef
    text: str
    deadline: dt.date | None
    created_at: dt.datetime


class SignatureOut(Schema):
    signer: str = ""
    kind: str = Field("", description="personal | organisation | timestamp | unknown")
    valid: bool = False
    intact: bool = False
    trusted: bool = False
    revoked: bool = False
    level: str = Field("", description="B-B, B-T, B-LT, B-LTA")
    signing_time: str | None = None
    timestamp: str | None = None
    modified_after: str = ""
    problems: list[str] = []


class ValidationOut(Schema):
    sha256: str
    valid: bool
    readable: bool
    problem: str
    validated_at: dt.datetime
    signatures: list[SignatureOut]


class DocumentDetail(DocumentSummary):
    # Phụ lục VI metadata beyond the summary
    code_number: str
    code_notation: str
    organ_id: str
    description: str
    language: str
    page_amount: int | None
    signer_competence: str
    signer_position: str
    signer_name: str
    urgent_until: dt.datetime | None
    issued_amount: int | None
    to_places: str
    # incoming
    received_via: str
    source_id: int | None = Field(description="Văn bản gốc ở nơi ban hành, chỉ khi người gọi được xem văn bản đó")
    return_reason: str
    # outgoing
    drafting_unit: UnitRef | None
    register_info: RegisterRef | None = Field(description="Sổ đăng ký (sổ đến hoặc sổ đi) chứa văn bản")
    signer: PersonRef | None
    signer_authority_id: int | None
    approved_sha256: str
    signed_at: dt.datetime | None
    issued_at: dt.datetime | None
    replaces_id: int | None = Field(description="Văn bản được thay thế, chỉ khi người gọi được xem văn bản đó")
    recalled_at: dt.datetime | None
    recall_reason: str
    # related
    current_file: FileOut | None
    files: list[FileOut]
    versions: list[VersionOut]
    recipients: list[RecipientOut]
    review_steps: list[ReviewStepOut]
    instructions: list[InstructionOut]
    assignments: list[AssignmentOut]
    validation: ValidationOut | None
    allowed: list[str] = Field(description="Thao tác người gọi được làm lúc này (register, present, direct, …)")
