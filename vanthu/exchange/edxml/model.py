"""The edXML (QCVN 102:2016) message as typed, immutable values: what build.py writes and parse.py reads.

Nothing here touches the database. Element names in comments are the spec's; fields are snake_case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NS_QCVN = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
NS_EDOC = "http://www.e-doc.vn/Schema/"  # the older, pre-QCVN namespace (Bkav and others)
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"
# Namespaces whose edXML elements the parser accepts ("" = no namespace at all).
EDXML_NAMESPACES = (NS_QCVN, NS_EDOC, "")

DATE_FORMAT = "%Y/%m/%d"  # yyyy/MM/dd
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"  # yyyy/MM/dd HH:mm:ss


class StatusCode(StrEnum):
    """Processing status codes of the Status message (Decision 28/2018; QCVN 102 Status)."""

    ARRIVED = "01"
    REFUSED = "02"
    REGISTERED = "03"
    ASSIGNED = "04"
    IN_PROGRESS = "05"
    DONE = "06"
    RECALL_REQUESTED = "13"
    CHANGE_ACCEPTED = "15"
    CHANGE_REFUSED = "16"

    @property
    def label(self) -> Promise:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[StatusCode, Promise] = {
    StatusCode.ARRIVED: _("Đã đến"),
    StatusCode.REFUSED: _("Từ chối tiếp nhận"),
    StatusCode.REGISTERED: _("Đã tiếp nhận"),
    StatusCode.ASSIGNED: _("Phân công"),
    StatusCode.IN_PROGRESS: _("Đang xử lý"),
    StatusCode.DONE: _("Hoàn thành"),
    StatusCode.RECALL_REQUESTED: _("Yêu cầu thu hồi"),
    StatusCode.CHANGE_ACCEPTED: _("Đồng ý thu hồi, cập nhật"),
    StatusCode.CHANGE_REFUSED: _("Từ chối thu hồi, cập nhật"),
}


class BusinessDocType(IntEnum):
    """TraceHeaderList/Bussiness/BussinessDocType."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3

    @property
    def label(self) -> Promise:
        return BUSINESS_LABELS[self]


BUSINESS_LABELS: dict[BusinessDocType, Promise] = {
    BusinessDocType.NEW: _("Văn bản mới"),
    BusinessDocType.REVOKE: _("Thu hồi"),
    BusinessDocType.UPDATE: _("Cập nhật"),
    BusinessDocType.REPLACE: _("Thay thế"),
}


class SteeringType(IntEnum):
    NONE = 0  # not a direction
    DIRECTION = 1  # chỉ đạo
    REPORT = 2  # báo cáo chỉ đạo


@dataclass(frozen=True)
class Organization:
    """From, To, and the sender of a status: OrganId … Website."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    address: str = ""  # OrganAdd
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


_DOCUMENT_ID = re.compile(r"^(?P<organ>[^,\s]+),(?P<date>\d{4}/\d{2}/\d{2}),(?P<number>[^/,]+)/(?P<notation>[^,]+)$")


@dataclass(frozen=True)
class DocumentId:
    """`OrganId,yyyy/MM/dd,Number/Notation`, e.g. 000.00.00.G22,2015/09/30,7816/VPCP-TTĐT."""

    organ_id: str
    date: dt.date
    number: str
    notation: str

    def __str__(self) -> str:
        return f"{self.organ_id},{self.date.strftime(DATE_FORMAT)},{self.number}/{self.notation}"

    @classmethod
    def parse(cls, text: str) -> DocumentId | None:
        """The structured id, or None when `text` is not of that form (other systems send UUIDs too)."""
        match = _DOCUMENT_ID.match(text.strip())
        if match is None:
            return None
        try:
            date = dt.datetime.strptime(match["date"], DATE_FORMAT).date()
        except ValueError:
            return None
        return cls(organ_id=match["organ"], date=date, number=match["number"], notation=match["notation"])


@dataclass(frozen=True)
class Code:
    number: str  # CodeNumber, ≤ 11
    notation: str  # CodeNotation, ≤ 30

    def __str__(self) -> str:
        return f"{self.number}/{self.notation}" if self.notation else self.number


@dataclass(frozen=True)
class PromulgationInfo:
    place: str
    date: dt.date | None


@dataclass(frozen=True)
class DocumentType:
    type: int  # 1 administrative, 2 legal-normative (the codes hubs accept on sending)
    type_name: str  # "Công văn", "Quyết định" …
    type_detail: int | None = None


@dataclass(frozen=True)
class SignerInfo:
    competence: str = ""  # "TL. BỘ TRƯỞNG", "KT. TƯ LỆNH"
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class OtherInfo:
    priority: int = 0  # vanthu's core.choices.Urgency values are these codes (0 Thường … 4 Hỏa tốc hẹn giờ)
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: tuple[str, ...] = ()
    # vanthu's extension (OtherInfo/SecurityLevel, written only when above 0): the secrecy mark, 0–3 as
    # core.choices.Secrecy. Other systems ignore it; a peer receives a mark only up to its configured level.
    security_level: int = 0


@dataclass(frozen=True)
class ResponseFor:
    """The document a message answers (a reply document, or the document of a status)."""

    organ_id: str
    code: str  # "7816/VPCP-TTĐT"
    promulgation_date: dt.date | None
    document_id: str


@dataclass(frozen=True)
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str
    timestamp: dt.datetime | None  # naive, the sender's local time (Vietnam), as edXML writes it


@dataclass(frozen=True)
class ReceiverChange:
    """BussinessDocumentInfo/ReceiverList/Receiver of an update: ReceiverType 0/1 (add / remove)."""

    organ_id: str
    receiver_type: int


@dataclass(frozen=True)
class ReplacementInfo:
    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business:
    """TraceHeaderList/Bussiness: new, revoke, update or replace, with the reason."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    reason: str = ""
    document_id: str = ""
    paper: bool = False  # a paper copy follows
    staff: StaffInfo | None = None
    document_info_changed: bool | None = None  # update: BussinessDocumentInfo/DocumentInfo
    receivers_changed: bool | None = None  # update: BussinessDocumentInfo/DocumentReceiver
    receivers: tuple[ReceiverChange, ...] = ()
    replacements: tuple[ReplacementInfo, ...] = ()
    spelling: str = "Bussiness"  # as received: the spec's "Bussiness" or "Business"


@dataclass(frozen=True)
class MessageHeader:
    from_: Organization
    to: tuple[Organization, ...]
    document_id: str  # str(DocumentId(...)) on sending; whatever the other system sent on receipt
    code: Code
    promulgation: PromulgationInfo
    document_type: DocumentType
    subject: str
    content: str = ""
    signer: SignerInfo = field(default_factory=SignerInfo)
    due_date: dt.date | None = None
    other: OtherInfo = field(default_factory=OtherInfo)
    steering_type: int | None = None
    to_places: tuple[str, ...] = ()
    response_for: tuple[ResponseFor, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """One manifest Reference with its AttachmentEncoded content (already base64-decoded)."""

    content_id: str  # "cid:…"
    name: str
    content_type: str
    data: bytes = field(repr=False)
    description: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def kind(self) -> str:
        """What the bytes are, whatever the declared type: pdf, docx, xlsx, zip, doc (OLE), xml or other."""
        return sniff(self.data)


def sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        head = data[:4096]
        if b"word/" in head:
            return "docx"
        if b"xl/" in head:
            return "xlsx"
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.lstrip()[:5] == b"<?xml":
        return "xml"
    return "other"


@dataclass(frozen=True)
class Envelope:
    """A document message: MessageHeader, TraceHeaderList (with its business block) and attachments."""

    header: MessageHeader
    trace: tuple[TraceHeader, ...] = ()
    business: Business | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class StatusMessage:
    """A processing status (01 … 06, 13, 15, 16) about a document the sender received or sent."""

    from_: Organization
    response_for: ResponseFor
    code: StatusCode
    description: str
    timestamp: dt.datetime  # naive, the sender's local time (Vietnam), as edXML writes it
    staff: StaffInfo | None = None
    to: tuple[Organization, ...] = ()  # optional: hubs route statuses by ResponseFor/OrganId
    # vanthu's extension (MessageHeader/DocumentHash): the SHA-256 of the issued PDF the status is about, so
    # the signed status is a receipt for exactly that file (B3); other systems leave it out.
    document_sha256: str = ""


@dataclass(frozen=True)
class Parsed:
    """What parse() read: a document envelope or a status message, with what was noticed on the way."""

    envelope: Envelope | None
    status: StatusMessage | None
    namespace: str  # the edXML namespace the message used ("" = none)
    signature_present: bool
    warnings: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "status" if self.status is not None else "document"
