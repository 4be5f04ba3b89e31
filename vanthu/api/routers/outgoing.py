"""Outgoing documents: draft, new versions, review chain, signature, issuance, recall."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema, UploadedFile
from ninja.responses import Status

from vanthu.api import ratelimit
from vanthu.api.auth import person_of
from vanthu.api.common import (
    authority_by_id,
    checked_upload,
    checked_uploads,
    created,
    detail_of,
    doc_type_by_id,
    document_for,
    person_by_id,
    reject_if_too_large,
    unit_by_id,
)
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import (
    Comment,
    Description,
    DocumentDetail,
    FormIn,
    In,
    Note,
    Reason,
    RequiredComment,
    Subject,
    ToPlaces,
    VersionOut,
)
from vanthu.api.schemas import PersonRef as PersonOut
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, uploads
from vanthu.documents.access import Need, access_document
from vanthu.documents.models import Document, MessageKind, OutboxMessage, ReviewKind
from vanthu.org.models import Person

router = Router()

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
                                     422: ErrorOut}
DRAFT_FILES = (uploads.PDF, uploads.DOCX)
RecipientName = Annotated[str, Field(max_length=200)]
Secret = Annotated[str, Field(max_length=200)]
OtpCode = Annotated[str, Field(max_length=4000)]
OTP_HELP = ("Mã xác thực hai lớp của người gọi: 6 chữ số (TOTP) hoặc phản hồi WebAuthn của khóa bảo mật (JSON); "
            "bắt buộc khi ký số, đóng dấu số")


class DraftIn(FormIn):
    doc_type: int = Field(description="Mã loại văn bản (GET /document-types)")
    subject: Subject = Field(description="Trích yếu nội dung")
    drafting_unit: int | None = Field(None, description="Đơn vị soạn thảo (mặc định: đơn vị của người gọi)")
    issuing_unit: int | None = Field(None, description="Đơn vị ban hành (mặc định: đơn vị soạn thảo)")
    urgency: Urgency = Urgency.NORMAL
    urgent_until: dt.datetime | None = Field(None, description="Giờ hẹn, bắt buộc với Hỏa tốc hẹn giờ (4)")
    secrecy: Secrecy = Secrecy.NONE
    due_date: dt.date | None = None
    description: Description = ""
    to_places: ToPlaces = ""
    issued_amount: int | None = Field(None, ge=1, le=999)
    recipient_units: list[int] = Field(default_factory=list, max_length=500, description="Đơn vị nhận trong hệ thống")
    recipient_names: list[RecipientName] = Field(default_factory=list, max_length=100,
                                                 description="Cơ quan nhận ngoài hệ thống")
    note: Note = ""
    replaces: int | None = Field(None, description="Văn bản đã phát hành mà văn bản này thay thế")


def _replaced(person: Person, pk: int | None) -> Document | None:
    if pk is None:
        return None
    """The document to replace, if the caller may see it. Whether they may replace it is the action's
    question (Need.REPLACE, the same predicate the page asks): a refusal there is audited."""
    try:
        return access_document(person, pk, need=Need.READ)
    except Http404 as exc:
        raise ActionRefused(_("Không tìm thấy văn bản được thay thế có mã này."), code="not_found",
                            field="replaces") from exc


@router.post(
    "/drafts", response={201: DocumentDetail, 200: DocumentDetail, **ERRORS},
    summary="Tạo dự thảo văn bản đi (PDF hoặc DOCX, kèm phụ lục PDF, nơi nhận)",
    description="Multipart form: the metadata fields (repeat `recipient_units` / `recipient_names` for several), "
                "`file` (PDF or DOCX; DOCX is converted to the PDF that is reviewed and signed) and optional "
                "`attachments` (PDF). `Idempotency-Key` makes a retry safe.",
)
def create_draft(
    request: HttpRequest,
    response: HttpResponse,
    data: Form[DraftIn],
    file: File[UploadedFile],
    attachments: File[list[UploadedFile] | None] = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[DocumentDetail] | DocumentDetail:
    person = person_of(request)
    main, extra = checked_uploads(request, file, attachments, main_allowed=DRAFT_FILES,
                                  attachment_allowed=(uploads.PDF,))
    drafting = unit_by_id(data.drafting_unit, field="drafting_unit") if data.drafting_unit else person.unit
    issuing = unit_by_id(data.issuing_unit, field="issuing_unit") if data.issuing_unit else drafting
    draft = actions.DraftData(
        doc_type=doc_type_by_id(data.doc_type), subject=data.subject, urgency=data.urgency,
        urgent_until=data.urgent_until, secrecy=data.secrecy,
        due_date=data.due_date, description=data.description, to_places=data.to_places,
        issued_amount=data.issued_amount,
        recipient_units=[unit_by_id(pk, field="recipient_units") for pk in data.recipient_units],
        recipient_names=list(data.recipient_names),
    )
    replaces = _replaced(person, data.replaces)
    return created(request, response, lambda token: actions.create_draft(
        acting=person, drafting_unit=drafting, issuing_unit=issuing, data=draft, file=main, attachments=extra,
        note=data.note, replaces=replaces, client_token=token,
    ), operation="POST /drafts")


class VersionIn(FormIn):
    note: Note = ""
    expected_version: int | None = None


@router.post("/documents/{document_id}/versions", response={201: VersionOut, **ERRORS},
             summary="Thêm phiên bản mới của dự thảo (PDF hoặc DOCX)")
def add_version(
    request: HttpRequest, document_id: int, data: Form[VersionIn], file: File[UploadedFile]
) -> Status[VersionOut]:
    person = person_of(request)
    document = document_for(request, document_id)
    reject_if_too_large(request, [file])
    checked = checked_upload(request, file, field="file", allowed=DRAFT_FILES)
    version = actions.add_draft_version(document=document, acting=person, file=checked, note=data.note,
                                        expected_version=data.expected_version)
    return Status(201, VersionOut(number=version.number, source_name=version.source_name,
                                  source_sha256=version.source_id, pdf_sha256=version.pdf_id,
                                  conversion=version.conversion, note=version.note,
                                  author=PersonOut.of(person), created_at=version.created_at))


class ReviewerIn(In):
    kind: ReviewKind = Field(description="content: kiểm tra nội dung, format: kiểm tra thể thức, approve: phê duyệt")
    person: int


class SubmitIn(In):
    signer_authority: int = Field(description="Mã thẩm quyền ký (GET /signing-authorities?unit=)")
    reviewers: list[ReviewerIn] = Field(default_factory=list, max_length=20,
                                        description="Các bước cho ý kiến, theo thứ tự")
    expected_version: int | None = None


@router.post("/documents/{document_id}/submit", response={200: DocumentDetail, **ERRORS},
             summary="Trình duyệt dự thảo (qua các bước cho ý kiến) rồi trình ký")
def submit(request: HttpRequest, document_id: int, payload: SubmitIn) -> DocumentDetail:
    document = document_for(request, document_id)
    reviewers = [(r.kind.value, person_by_id(r.person, field="reviewers")) for r in payload.reviewers]
    actions.submit_for_review(
        document=document, acting=person_of(request), signer_authority=authority_by_id(payload.signer_authority),
        reviewers=reviewers, expected_version=payload.expected_version,
    )
    return detail_of(request, document)


class CheckList(In):
    """The check of content and format (Decree 30 Điều 12): each item passed (true) or not."""

    layout: bool = False
    components: bool = False
    recipients: bool = False
    secrecy: bool = False


class ReviewIn(In):
    approve: bool = Field(description="true: đồng ý; false: trả lại (phải ghi ý kiến)")
    comment: Comment = ""
    checklist: CheckList | None = Field(None, description="Bước kiểm tra thể thức: kết quả từng mục (layout, "
                                        "components, recipients, secrecy); đồng ý cần đủ cả bốn mục")


@router.post("/documents/{document_id}/review", response={200: DocumentDetail, **ERRORS},
             summary="Cho ý kiến ở bước trình duyệt đang chờ người gọi")
def review(request: HttpRequest, document_id: int, payload: ReviewIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.decide_review(document=document, acting=person_of(request), approve=payload.approve,
                          comment=payload.comment,
                          checklist=payload.checklist.model_dump() if payload.checklist is not None else None)
    return detail_of(request, document)


class RevisionIn(In):
    comment: RequiredComment = Field(description="Ý kiến của người ký")


@router.post("/documents/{document_id}/return-for-revision", response={200: DocumentDetail, **ERRORS},
             summary="Người ký trả lại dự thảo cho người soạn")
def return_for_revision(request: HttpRequest, document_id: int, payload: RevisionIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.return_for_revision(document=document, acting=person_of(request), comment=payload.comment)
    return detail_of(request, document)


class SignIn(In):
    secret: Secret | None = Field(None, description="Mã PIN của thiết bị ký hoặc mã PIN khóa ký (nếu cần)")
    otp: OtpCode | None = Field(None, description=OTP_HELP)


@router.post("/documents/{document_id}/sign", response={200: DocumentDetail, **ERRORS},
             summary="Ký số văn bản (chữ ký cá nhân của người có thẩm quyền)")
def sign(request: HttpRequest, document_id: int, payload: SignIn) -> DocumentDetail:
    ratelimit.signing(request, person_of(request).pk)
    document = document_for(request, document_id)
    actions.sign_outgoing(document=document, acting=person_of(request), secret=payload.secret or None,
                          otp=payload.otp)
    return detail_of(request, document)


class RemoteRequestOut(Schema):
    request_id: str
    digest_algorithm: str
    digest_base64: str = Field(description="Giá trị băm dịch vụ ký số từ xa phải ký (CSC signHash)")
    expires_at: dt.datetime


@router.post("/documents/{document_id}/remote-signature", response={200: RemoteRequestOut, **ERRORS},
             summary="Ký số từ xa, bước 1: chuẩn bị chữ ký và lấy giá trị băm cần ký")
def remote_signature_request(request: HttpRequest, document_id: int) -> RemoteRequestOut:
    ratelimit.signing(request, person_of(request).pk)
    document = document_for(request, document_id)
    document = actions.request_remote_signature(document=document, acting=person_of(request))
    remote = document.remote_request
    assert remote is not None
    return RemoteRequestOut(request_id=str(remote.pk), digest_algorithm=remote.digest_algorithm,
                            digest_base64=base64.b64encode(bytes(remote.digest)).decode(),
                            expires_at=remote.expires_at)


class RemoteCompleteIn(In):
    signature_base64: str = Field(max_length=4096, description="Giá trị chữ ký do dịch vụ ký số từ xa trả về")


@router.post("/documents/{document_id}/remote-signature/complete", response={200: DocumentDetail, **ERRORS},
             summary="Ký số từ xa, bước 2: gửi giá trị chữ ký để hoàn tất")
def remote_signature_complete(request: HttpRequest, document_id: int, payload: RemoteCompleteIn) -> DocumentDetail:
    ratelimit.signing(request, person_of(request).pk)
    document = document_for(request, document_id)
    try:
        value = base64.b64decode("".join(payload.signature_base64.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ActionRefused(_("Giá trị chữ ký không phải chuỗi base64 hợp lệ."), code="invalid",
                            field="signature_base64") from exc
    actions.complete_remote_signature(document=document, acting=person_of(request), signature=value)
    return detail_of(request, document)


class IssueIn(In):
    secret: Secret | None = Field(None, description="Mã PIN hoặc mật khẩu khóa của con dấu số đơn vị (nếu cần)")
    otp: OtpCode | None = Field(None, description=OTP_HELP)
    expected_version: int | None = None


@router.post("/documents/{document_id}/issue", response={200: DocumentDetail, **ERRORS},
             summary="Cấp số, ngày, ký số của đơn vị và phát hành văn bản")
def issue(request: HttpRequest, document_id: int, payload: IssueIn) -> DocumentDetail:
    ratelimit.signing(request, person_of(request).pk)
    document = document_for(request, document_id)
    actions.issue_outgoing(document=document, acting=person_of(request), secret=payload.secret or None,
                           otp=payload.otp, expected_version=payload.expected_version)
    return detail_of(request, document)


class RecallIn(In):
    reason: Reason = Field(description="Lý do thu hồi")


@router.post("/documents/{document_id}/recall", response={200: DocumentDetail, **ERRORS},
             summary="Thu hồi văn bản đã phát hành")
def recall(request: HttpRequest, document_id: int, payload: RecallIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.recall_outgoing(document=document, acting=person_of(request), reason=payload.reason)
    return detail_of(request, document)


@router.post("/documents/{document_id}/deliveries/{delivery_id}/retry", response={200: DocumentDetail, **ERRORS},
             summary="Gửi lại văn bản tới nơi nhận chưa chuyển được")
def retry_delivery(request: HttpRequest, document_id: int, delivery_id: int) -> DocumentDetail:
    return retry_message(request, document_id, delivery_id, kind=MessageKind.DOCUMENT)


def retry_message(request: HttpRequest, document_id: int, message_id: int, *, kind: str) -> DocumentDetail:
    """Retry one failed outbox message of a document (a delivery, or a status back to the sender)."""
    document = document_for(request, document_id)
    message = OutboxMessage.objects.filter(pk=message_id, document=document, kind=kind).first()
    if message is None:
        raise Http404
    actions.retry_delivery(message=message, acting=person_of(request))
    return detail_of(request, document)
