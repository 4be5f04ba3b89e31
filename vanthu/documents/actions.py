"""Every write to documents: receive and register incoming documents, draft, review, sign, issue, recall.

Each action is keyword-only, runs in one transaction (`@action`), checks the acting person's right with the
same predicates the pages use, records one namespaced audit event, and refuses with a translated
ActionRefused that leaves nothing behind but the refusal's audit entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused, ConcurrentEdit
from vanthu.documents import access, convert, numbering
from vanthu.documents.formatting import date_line, number_line
from vanthu.documents.models import (
    CopyForm,
    Direction,
    Document,
    DocumentCopy,
    DocumentFile,
    DocumentShare,
    DocumentType,
    DraftVersion,
    ReceivedVia,
    Recipient,
    RegisterKind,
    ReviewKind,
    ReviewState,
    ReviewStep,
    ShareReason,
    Status,
)
from vanthu.documents.uploads import DOCX, PDF, CheckedFile
from vanthu.org.models import Person, SigningAuthority, Unit
from vanthu.org.queries import scope_of
from vanthu.signing import service as signing


class DuplicateSubmission(ActionRefused):
    """The same form was submitted twice; `existing` is what the first submission created."""

    def __init__(self, existing: Document) -> None:
        super().__init__(
            _("Yêu cầu này đã được thực hiện (gửi hai lần); không tạo thêm văn bản."),
            code="duplicate_submission", target=existing, status=409,
        )
        self.existing = existing


# --- shared helpers --------------------------------------------------------------------------------------


def _deny(document: Document | None = None) -> ActionRefused:
    return ActionRefused(_("Bạn không có quyền thực hiện thao tác này với văn bản."), code="forbidden",
                         target=document, status=403)


def _check_version(document: Document, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != document.version:
        raise ConcurrentEdit(
            _("Văn bản vừa được người khác thay đổi. Hãy tải lại trang để xem bản mới nhất rồi thực hiện lại."),
            target=document,
        )


def _lock(document: Document) -> Document:
    """Re-read the document locked for update; refuses if the state moved since it was read."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins select_related makes.
    locked = Document.objects.select_for_update(of=("self",)).select_related(
        "unit", "drafting_unit", "doc_type", "signer", "register"
    ).get(pk=document.pk)
    return locked


def _bump(document: Document, *fields: str) -> None:
    document.version += 1
    document.save(update_fields=[*fields, "version", "updated_at"])


def _validate(document: Document, *, exclude: Sequence[str] = ()) -> None:
    try:
        document.full_clean(exclude=[*exclude, "client_token"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
        name, messages = next(iter(errors.items()))
        label = name
        if name != "__all__":
            label = str(getattr(Document._meta.get_field(name), "verbose_name", name))
        raise ActionRefused(f"{label}: {' '.join(messages)}", code="invalid", field=name, target=None) from exc


def _check_urgency(data: IncomingData | DraftData) -> None:
    """'Hỏa tốc hẹn giờ' needs its set time; any other urgency carries none."""
    if data.urgency == Urgency.FLASH_TIMED and data.urgent_until is None:
        raise ActionRefused(_("Văn bản hỏa tốc hẹn giờ phải ghi giờ hẹn."), code="urgent_until_required",
                            field="urgent_until")
    if data.urgency != Urgency.FLASH_TIMED:
        data.urgent_until = None


def _check_due_date(due_date: dt.date | None) -> None:
    if due_date is not None and due_date < timezone.localdate():
        raise ActionRefused(_("Hạn xử lý không được ở trong quá khứ."), code="due_date_past", field="due_date")


def _check_token(client_token: uuid.UUID | None) -> None:
    if client_token is None:
        return
    existing = Document.objects.filter(client_token=client_token).first()
    if existing is not None:
        raise DuplicateSubmission(existing)


def _save_new(document: Document) -> None:
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError as exc:
        if document.client_token is not None:
            existing = Document.objects.filter(client_token=document.client_token).first()
            if existing is not None:
                raise DuplicateSubmission(existing) from exc
        raise


def share(document: Document, *, reason: str, person: Person | None = None, unit: Unit | None = None) -> None:
    """Let a person or unit see the document (no duplicate rows)."""
    exists = DocumentShare.objects.filter(document=document, person=person, unit=unit, reason=reason).exists()
    if not exists:
        DocumentShare.objects.create(document=document, person=person, unit=unit, reason=reason)


def _store(checked: CheckedFile) -> files.StoredFile:
    return files.store_bytes(checked.data, content_type=checked.content_type)


def _attach(document: Document, attachments: Sequence[CheckedFile], *, acting: Person) -> None:
    for ordinal, item in enumerate(attachments, start=1):
        DocumentFile.objects.create(
            document=document, kind=DocumentFile.Kind.ATTACHMENT, name=item.name[:200], file=_store(item),
            ordinal=ordinal, added_by=acting,
        )


def _validate_on_commit(stored: files.StoredFile) -> None:
    sha = stored.sha256

    def run() -> None:
        from vanthu.core.models import StoredFile

        signing.record_validation(StoredFile.objects.get(pk=sha))

    transaction.on_commit(run)


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


def _apply_incoming(document: Document, data: IncomingData) -> None:
    for name in (
        "doc_type", "organ_name", "subject", "code_number", "code_notation", "issued_date", "organ_id",
        "signer_name", "signer_position", "urgency", "urgent_until", "secrecy", "due_date", "description",
        "to_places",
    ):
        setattr(document, name, getattr(data, name))
    if data.page_amount is not None:
        document.page_amount = data.page_amount


def _check_incoming(data: IncomingData, *, acting: Person) -> None:
    if data.issued_date is not None and data.issued_date > timezone.localdate():
        raise ActionRefused(_("Ngày ban hành không được sau ngày hôm nay."), code="issued_date_future",
                            field="issued_date")
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    _check_due_date(data.due_date)
    _check_urgency(data)


def _take_incoming_number(document: Document, *, unit: Unit, arrival: dt.datetime) -> None:
    year = timezone.localtime(arrival).year
    register = numbering.register_for(
        unit=unit, kind=RegisterKind.INCOMING,
        series=numbering.incoming_series(unit=unit, secrecy=document.secrecy), year=year,
    )
    document.register = register
    document.number = numbering.take_next(register)


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
) -> Document:
    """Receive a document brought to the clerk (scanned paper or an electronic PDF) and enter it in the
    unit's incoming register with the next số đến."""
    if unit.pk not in scope_of(acting).clerk_unit_ids:
        raise _deny()
    _check_token(client_token)
    _check_incoming(data, acting=acting)
    if file.content_type != PDF:
        raise ActionRefused(_("Văn bản đến phải là tệp PDF."), code="file_type", field="file")
    arrival = arrival_at or timezone.now()
    if arrival > timezone.now() + dt.timedelta(minutes=5):
        raise ActionRefused(_("Ngày đến không được ở trong tương lai."), code="arrival_future", field="arrival_at")
    stored = _store(file)
    document = Document(
        direction=Direction.INCOMING, status=Status.REGISTERED, unit=unit, arrival_at=arrival,
        received_via=data.received_via, current_file=stored, created_by=acting, page_amount=file.pages,
        client_token=client_token,
    )
    _apply_incoming(document, data)
    _validate(document, exclude=["register", "number"])
    _take_incoming_number(document, unit=unit, arrival=arrival)
    _save_new(document)
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN, name=file.name[:200], file=stored,
                                added_by=acting)
    _attach(document, attachments, acting=acting)
    if file.signatures:
        _validate_on_commit(stored)
    log.record(actor=acting, verb="documents.incoming.registered", target=document, unit=unit,
               data={"number": document.number, "register": document.register_id, "via": data.received_via,
                     "sha256": stored.sha256})
    return document


@action("documents.incoming.accepted")
def register_received(
    *, document: Document, acting: Person, data: IncomingData | None = None, expected_version: int | None = None
) -> Document:
    """Enter an electronically received document (status 'Chờ vào sổ') in the register: status 03."""
    document = _lock(document)
    if not access.can_register(acting, document):
        raise _deny(document)
    _check_version(document, expected_version)
    if data is not None:
        _check_incoming(data, acting=acting)
        _apply_incoming(document, data)
        _validate(document, exclude=["register", "number"])
    _take_incoming_number(document, unit=document.unit, arrival=document.arrival_at or timezone.now())
    document.status = Status.REGISTERED
    document.version += 1
    document.save()
    Recipient.objects.filter(delivered=document).update(state=Recipient.State.ACCEPTED)
    log.record(actor=acting, verb="documents.incoming.accepted", target=document, unit=document.unit,
               data={"number": document.number, "register": document.register_id})
    return document


@action("documents.incoming.returned")
def return_received(*, document: Document, acting: Person, reason: str) -> Document:
    """Refuse a mis-sent or faulty electronic document and return it to the sender with a reason (status 02)."""
    document = _lock(document)
    if not access.can_return_received(acting, document):
        raise _deny(document)
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Hãy ghi lý do trả lại."), code="reason_required", field="reason")
    if len(reason) > 500:
        raise ActionRefused(_("Lý do trả lại dài quá 500 ký tự."), code="too_long", field="reason")
    document.status = Status.RETURNED
    document.return_reason = reason
    _bump(document, "status", "return_reason")
    Recipient.objects.filter(delivered=document).update(state=Recipient.State.RETURNED)
    log.record(actor=acting, verb="documents.incoming.returned", target=document, unit=document.unit,
               data={"reason": reason, "source": document.source_id})
    return document


@action("documents.incoming.updated")
def update_incoming(
    *, document: Document, acting: Person, data: IncomingData, expected_version: int | None
) -> Document:
    """Correct the metadata the clerk entered. The số đến and arrival time never change."""
    document = _lock(document)
    if not access.can_edit_incoming(acting, document):
        raise _deny(document)
    _check_version(document, expected_version)
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
    _validate(document)
    document.version += 1
    document.save()
    log.record(actor=acting, verb="documents.incoming.updated", target=document, unit=document.unit,
               data={"before": before})
    return document


# --- outgoing: drafting and review ------------------------------------------------------------------------


def _pdf_of(file: CheckedFile) -> tuple[files.StoredFile, files.StoredFile, int | None]:
    """(source, pdf, pages) for an uploaded draft; DOCX is converted to the PDF everyone reads and signs."""
    source = _store(file)
    if file.content_type == PDF:
        return source, source, file.pages
    if file.content_type == DOCX:
        try:
            pdf_bytes = convert.docx_to_pdf(file.data, name=file.name)
        except convert.ConversionFailed as exc:
            raise ActionRefused(
                _("Không chuyển được tệp “%(name)s” sang PDF: %(why)s") % {"name": file.name, "why": exc},
                code="conversion_failed", field="file",
            ) from exc
        from vanthu.documents.uploads import check

        converted = check(pdf_bytes, name=file.name.rsplit(".", 1)[0] + ".pdf")
        return source, _store(converted), converted.pages
    raise ActionRefused(_("Dự thảo phải là tệp PDF hoặc DOCX."), code="file_type", field="file")


def _check_issuer(*, acting: Person, drafting_unit: Unit, issuing_unit: Unit) -> None:
    scope = scope_of(acting)
    if drafting_unit.pk != acting.unit_id and not scope.leads(drafting_unit) and (
        drafting_unit.pk not in scope.clerk_unit_ids
    ):
        raise ActionRefused(_("Bạn chỉ soạn thảo được cho đơn vị của mình."), code="forbidden", field="drafting_unit")
    if not drafting_unit.path.startswith(issuing_unit.path):
        raise ActionRefused(
            _("Đơn vị ban hành phải là đơn vị soạn thảo hoặc đơn vị cấp trên của nó."),
            code="issuer_outside_tree", field="issuing_unit",
        )


@dataclass
class DraftData:
    doc_type: DocumentType
    subject: str
    urgency: int = Urgency.NORMAL
    urgent_until: dt.datetime | None = None  # the set time of "Hỏa tốc hẹn giờ"
    secrecy: int = Secrecy.NONE
    due_date: dt.date | None = None
    description: str = ""
    to_places: str = ""
    issued_amount: int | None = None
    recipient_units: list[Unit] = field(default_factory=list)
    recipient_names: list[str] = field(default_factory=list)


def _apply_draft(document: Document, data: DraftData) -> None:
    for name in ("doc_type", "subject", "urgency", "urgent_until", "secrecy", "due_date", "description", "to_places",
                 "issued_amount"):
        setattr(document, name, getattr(data, name))


def _set_recipients(document: Document, *, units: Sequence[Unit], names: Sequence[str]) -> None:
    seen_units: set[int] = set()
    for unit in units:
        if unit.pk == document.unit_id:
            raise ActionRefused(_("Không gửi văn bản cho chính đơn vị ban hành."), code="recipient_self",
                                field="recipients")
        if not unit.is_active:
            raise ActionRefused(_("Đơn vị nhận “%(u)s” đã ngừng hoạt động.") % {"u": unit.name},
                                code="recipient_inactive", field="recipients")
        if unit.pk in seen_units:
            continue
        seen_units.add(unit.pk)
    clean_names: list[str] = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if len(name) > 200:
            raise ActionRefused(_("Tên nơi nhận dài quá 200 ký tự."), code="too_long", field="recipients")
        if name not in clean_names:
            clean_names.append(name)
    if document.secrecy > Secrecy.NONE and clean_names:
        raise ActionRefused(
            _("Văn bản mật không được gửi ra ngoài hệ thống bằng đường điện tử."), code="secret_external",
            field="recipients",
        )
    Recipient.objects.filter(document=document).delete()
    Recipient.objects.bulk_create(
        [Recipient(document=document, unit_id=pk) for pk in seen_units]
        + [Recipient(document=document, external_name=name) for name in clean_names]
    )


@action("documents.draft.created")
def create_draft(
    *,
    acting: Person,
    drafting_unit: Unit,
    issuing_unit: Unit,
    data: DraftData,
    file: CheckedFile,
    attachments: Sequence[CheckedFile] = (),
    note: str = "",
    replaces: Document | None = None,
    client_token: uuid.UUID | None = None,
) -> Document:
    _check_token(client_token)
    _check_issuer(acting=acting, drafting_unit=drafting_unit, issuing_unit=issuing_unit)
    _check_due_date(data.due_date)
    _check_urgency(data)
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    if replaces is not None and not access.can_replace(acting, replaces):
        raise ActionRefused(_("Chỉ thay thế được văn bản đã phát hành mà bạn có quyền thu hồi."),
                            code="replace_forbidden", field="replaces")
    source, pdf, pages = _pdf_of(file)
    document = Document(
        direction=Direction.OUTGOING, status=Status.DRAFT, unit=issuing_unit, drafting_unit=drafting_unit,
        organ_name=issuing_unit.name, organ_id=issuing_unit.code or "", current_file=pdf, page_amount=pages,
        created_by=acting, replaces=replaces, client_token=client_token,
    )
    _apply_draft(document, data)
    _validate(document)
    _save_new(document)
    DraftVersion.objects.create(document=document, number=1, source=source, source_name=file.name[:200], pdf=pdf,
                                note=note[:500], author=acting)
    _attach(document, attachments, acting=acting)
    _set_recipients(document, units=data.recipient_units, names=data.recipient_names)
    log.record(actor=acting, verb="documents.draft.created", target=document, unit=drafting_unit,
               data={"issuer": issuing_unit.pk, "type": data.doc_type.name, "sha256": pdf.sha256,
                     "replaces": replaces.pk if replaces else None})
    return document


@action("documents.draft.updated")
def update_draft(*, document: Document, acting: Person, data: DraftData, expected_version: int | None) -> Document:
    document = _lock(document)
    if not access.can_edit_draft(acting, document):
        raise _deny(document)
    _check_version(document, expected_version)
    _check_due_date(data.due_date)
    _check_urgency(data)
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    _apply_draft(document, data)
    _validate(document)
    document.version += 1
    document.save()
    _set_recipients(document, units=data.recipient_units, names=data.recipient_names)
    log.record(actor=acting, verb="documents.draft.updated", target=document, unit=document.drafting_unit)
    return document


@action("documents.draft.version_added")
def add_draft_version(
    *, document: Document, acting: Person, file: CheckedFile, note: str = "", expected_version: int | None = None
) -> DraftVersion:
    document = _lock(document)
    if not access.can_edit_draft(acting, document):
        raise _deny(document)
    _check_version(document, expected_version)
    source, pdf, pages = _pdf_of(file)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = DraftVersion.objects.create(document=document, number=last + 1, source=source,
                                          source_name=file.name[:200], pdf=pdf, note=note[:500], author=acting)
    document.current_file = pdf
    document.page_amount = pages
    _bump(document, "current_file", "page_amount")
    log.record(actor=acting, verb="documents.draft.version_added", target=document, unit=document.drafting_unit,
               data={"version": version.number, "sha256": pdf.sha256})
    return version


def _check_authority(authority: SigningAuthority, document: Document) -> None:
    today = timezone.localdate()
    if authority.unit_id != document.unit_id:
        raise ActionRefused(_("Người ký không có thẩm quyền ký văn bản của đơn vị ban hành này."),
                            code="signer_authority", field="signer")
    if not authority.is_valid_on(today, type_abbreviation=document.doc_type.abbreviation or document.doc_type.name):
        raise ActionRefused(_("Thẩm quyền ký của người này đã hết hạn, bị thu hồi hoặc không gồm loại văn bản này."),
                            code="signer_authority", field="signer")
    if not authority.person.is_active:
        raise ActionRefused(_("Người ký đã nghỉ công tác."), code="signer_inactive", field="signer")
    if document.secrecy > authority.person.clearance:
        raise ActionRefused(_("Người ký không được tiếp cận văn bản có độ mật này."), code="clearance", field="signer")


@action("documents.draft.submitted")
def submit_for_review(
    *,
    document: Document,
    acting: Person,
    signer_authority: SigningAuthority,
    reviewers: Sequence[tuple[str, Person]] = (),
    expected_version: int | None = None,
) -> Document:
    """Send the draft through its review chain (content check, format check…) and then to the signer."""
    document = _lock(document)
    if not access.can_submit(acting, document):
        raise _deny(document)
    _check_version(document, expected_version)
    _check_authority(signer_authority, document)
    current = document.versions.order_by("-number").first()
    last_round = document.review_steps.order_by("-round").values_list("round", flat=True).first() or 0
    round_no = last_round + 1
    for ordinal, (kind, reviewer) in enumerate(reviewers, start=1):
        if kind not in ReviewKind.values:
            raise ActionRefused(_("Bước trình duyệt không hợp lệ."), code="invalid", field="reviewers")
        if document.secrecy > reviewer.clearance:
            raise ActionRefused(
                _("%(name)s không được tiếp cận văn bản có độ mật này.") % {"name": reviewer.full_name},
                code="clearance", field="reviewers",
            )
        ReviewStep.objects.create(
            document=document, round=round_no, ordinal=ordinal, kind=kind, reviewer=reviewer,
            state=ReviewState.PENDING if ordinal == 1 else ReviewState.WAITING, version=current,
        )
        share(document, reason=ShareReason.REVIEW, person=reviewer)
    signer = signer_authority.person
    document.signer = signer
    document.signer_authority = signer_authority
    document.signer_competence = signer_authority.competence_line
    document.signer_position = signer_authority.title if signer_authority.prefix else ""
    document.signer_name = signer.full_name
    share(document, reason=ShareReason.SIGN, person=signer)
    if reviewers:
        document.status = Status.IN_REVIEW
    else:
        document.status = Status.AWAITING_SIGNATURE
        document.approved_sha256 = document.current_file.sha256 if document.current_file else ""
    _bump(document, "status", "signer", "signer_authority", "signer_competence", "signer_position", "signer_name",
          "approved_sha256")
    log.record(actor=acting, verb="documents.draft.submitted", target=document, unit=document.drafting_unit,
               data={"signer": signer.pk, "reviewers": [p.pk for _k, p in reviewers], "round": round_no})
    return document


@action("documents.draft.reviewed")
def decide_review(*, document: Document, acting: Person, approve: bool, comment: str = "") -> Document:
    document = _lock(document)
    step = access.pending_step(acting, document)
    if step is None:
        raise _deny(document)
    comment = comment.strip()
    if not approve and not comment:
        raise ActionRefused(_("Hãy ghi ý kiến khi trả lại dự thảo."), code="comment_required", field="comment")
    now = timezone.now()
    step.state = ReviewState.APPROVED if approve else ReviewState.RETURNED
    step.comment = comment[:1000]
    step.decided_at = now
    step.save(update_fields=["state", "comment", "decided_at"])
    if approve:
        following = document.review_steps.filter(round=step.round, state=ReviewState.WAITING).order_by("ordinal")
        nxt = following.first()
        if nxt is not None:
            nxt.state = ReviewState.PENDING
            nxt.save(update_fields=["state"])
            _bump(document)
        else:
            document.status = Status.AWAITING_SIGNATURE
            document.approved_sha256 = document.current_file.sha256 if document.current_file else ""
            _bump(document, "status", "approved_sha256")
    else:
        document.review_steps.filter(round=step.round, state=ReviewState.WAITING).update(state=ReviewState.CANCELLED)
        document.status = Status.DRAFT
        _bump(document, "status")
    log.record(actor=acting, verb="documents.draft.reviewed", target=document, unit=document.drafting_unit,
               data={"step": step.pk, "kind": step.kind, "approve": approve, "comment": comment[:200]})
    return document


@action("documents.draft.returned")
def return_for_revision(*, document: Document, acting: Person, comment: str) -> Document:
    """The signer sends the draft back to its drafter instead of signing."""
    document = _lock(document)
    if not access.can_return_for_revision(acting, document):
        raise _deny(document)
    comment = comment.strip()
    if not comment:
        raise ActionRefused(_("Hãy ghi ý kiến khi trả lại dự thảo."), code="comment_required", field="comment")
    document.status = Status.DRAFT
    document.approved_sha256 = ""
    _bump(document, "status", "approved_sha256")
    log.record(actor=acting, verb="documents.draft.returned", target=document, unit=document.drafting_unit,
               data={"comment": comment[:1000]})
    return document


# --- outgoing: signature and issuance --------------------------------------------------------------------


def signature_block(document: Document) -> signing.SignatureBlock:
    authority = document.signer_authority
    signer = document.signer
    assert signer is not None
    if authority is None:
        return signing.SignatureBlock(competence=signer.position.upper(), title="", name_line=signer.rank_and_name)
    return signing.SignatureBlock(
        competence=authority.competence_line,
        title=authority.title.upper() if authority.prefix else "",
        name_line=signer.rank_and_name,
    )


@action("documents.outgoing.signed")
def sign_outgoing(*, document: Document, acting: Person, secret: str | None) -> Document:
    """The signer approves by signing: a personal PAdES signature over exactly the approved PDF."""
    document = _lock(document)
    _check_signable(document, acting)
    assert document.current_file is not None
    signed = signing.sign_personal(
        pdf=document.current_file.read_bytes(), person=acting, block=signature_block(document), secret=secret,
        reason=_("Phê duyệt và ký ban hành"),
    )
    stored = _mark_signed(document, signed)
    _validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.signed", target=document, unit=document.unit,
               data={"sha256": stored.sha256, "approved_sha256": document.approved_sha256})
    return document


def _check_signable(document: Document, acting: Person) -> None:
    if not access.can_sign(acting, document):
        raise _deny(document)
    if document.current_file is None or document.current_file.sha256 != document.approved_sha256:
        raise ActionRefused(_("Tệp văn bản đã thay đổi sau khi được duyệt; hãy trình duyệt lại."),
                            code="not_approved_version", target=document)
    if document.signer_authority is not None:
        _check_authority(document.signer_authority, document)


def _mark_signed(document: Document, signed: bytes) -> files.StoredFile:
    stored = files.store_bytes(signed, content_type=PDF)
    document.current_file = stored
    document.status = Status.SIGNED
    document.signed_at = timezone.now()
    document.remote_request = None
    _bump(document, "current_file", "status", "signed_at", "remote_request")
    return stored


@action("documents.outgoing.remote_requested")
def request_remote_signature(*, document: Document, acting: Person) -> Document:
    """For a signer whose key is at a remote signing service: prepare the signature over the approved PDF and
    record the digest the service must sign (the person confirms on their device). The document stays
    'Chờ ký' until `complete_remote_signature`."""
    document = _lock(document)
    _check_signable(document, acting)
    assert document.current_file is not None
    request = signing.begin_remote_personal(
        pdf=document.current_file.read_bytes(), person=acting, block=signature_block(document), acting=acting,
        reason=_("Phê duyệt và ký ban hành"),
    )
    document.remote_request = request
    _bump(document, "remote_request")
    log.record(actor=acting, verb="documents.outgoing.remote_requested", target=document, unit=document.unit,
               data={"request": str(request.pk), "digest": bytes(request.digest).hex()})
    return document


@action("documents.outgoing.signed")
def complete_remote_signature(*, document: Document, acting: Person, signature: bytes) -> Document:
    """The remote signing service's answer: the signature value over the recorded digest. Checked against the
    signer's certificate, then embedded: the same result as `sign_outgoing`."""
    document = _lock(document)
    _check_signable(document, acting)
    if document.remote_request is None:
        raise ActionRefused(_("Chưa có yêu cầu ký số từ xa cho văn bản này."), code="remote_missing",
                            target=document)
    signed = signing.finish_remote(request=document.remote_request, signature=signature, acting=acting)
    stored = _mark_signed(document, signed)
    _validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.signed", target=document, unit=document.unit,
               data={"sha256": stored.sha256, "approved_sha256": document.approved_sha256, "remote": True})
    return document


def _deliver(document: Document, *, acting: Person) -> list[Document]:
    """Each unit of the tree among the recipients gets its own incoming document, waiting to be registered."""
    delivered: list[Document] = []
    now = timezone.now()
    stored_main = document.current_file
    assert stored_main is not None
    for recipient in document.recipients.select_related("unit").filter(unit__isnull=False):
        unit = recipient.unit
        assert unit is not None
        copy = Document(
            direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit, doc_type=document.doc_type,
            code_number=document.code_number, code_notation=document.code_notation,
            issued_date=document.issued_date, organ_id=document.organ_id, organ_name=document.organ_name,
            subject=document.subject, language=document.language, page_amount=document.page_amount,
            signer_competence=document.signer_competence, signer_position=document.signer_position,
            signer_name=document.signer_name, urgency=document.urgency, urgent_until=document.urgent_until,
            secrecy=document.secrecy, due_date=document.due_date, to_places=document.to_places,
            arrival_at=now, received_via=ReceivedVia.INTERNAL, source=document,
            current_file=document.current_file, created_by=acting,
        )
        copy.save(force_insert=True)
        for item in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT):
            DocumentFile.objects.create(document=copy, kind=item.kind, name=item.name, file=item.file,
                                        ordinal=item.ordinal, added_by=acting)
        DocumentFile.objects.create(document=copy, kind=DocumentFile.Kind.MAIN,
                                    name=f"{document.notation.replace('/', '_')}.pdf", file=stored_main,
                                    added_by=acting)
        recipient.delivered = copy
        recipient.state = Recipient.State.RECEIVED
        recipient.sent_at = now
        recipient.save(update_fields=["delivered", "state", "sent_at"])
        log.record(actor=acting, verb="documents.incoming.arrived", target=copy, unit=unit,
                   data={"source": document.pk, "from": document.unit_id})
        delivered.append(copy)
    document.recipients.filter(unit__isnull=True).update(state=Recipient.State.SENT, sent_at=now)
    return delivered


def _has_valid_personal_signature(stored: files.StoredFile) -> bool:
    """The full check (with the analysis of what changed after signing) stored when the file was signed, or
    made now; the seal itself re-checks trust and revocation of the personal signature at sealing time."""
    result = signing.stored_validation(stored) or signing.validate(stored.read_bytes())
    return result.readable and any(s.valid and s.kind == "personal" for s in result.signatures)


def _cancel_deliveries(document: Document, *, acting: Person, reason: str) -> None:
    for recipient in document.recipients.select_related("delivered").exclude(delivered=None):
        copy = recipient.delivered
        assert copy is not None
        if copy.status not in (Status.CANCELLED, Status.RETURNED):
            copy.status = Status.CANCELLED
            copy.version += 1
            copy.save(update_fields=["status", "version", "updated_at"])
            log.record(actor=acting, verb="documents.incoming.cancelled", target=copy, unit=copy.unit,
                       data={"source": document.pk, "reason": reason})
        recipient.state = Recipient.State.RECALLED
        recipient.save(update_fields=["state"])


@action("documents.outgoing.issued")
def issue_outgoing(
    *, document: Document, acting: Person, secret: str | None, expected_version: int | None = None
) -> Document:
    """Decree 30 Điều 14: number and date, register, organisation signature, issue to the recipients.

    Refuses a document without a valid personal signature: no document is issued unsigned.
    """
    document = _lock(document)
    if not access.can_issue(acting, document):
        raise _deny(document)
    _check_version(document, expected_version)
    if not document.recipients.exists():
        raise ActionRefused(_("Văn bản chưa có nơi nhận."), code="no_recipients", field="recipients",
                            target=document)
    assert document.current_file is not None
    signed_pdf = document.current_file.read_bytes()
    if not _has_valid_personal_signature(document.current_file):
        raise ActionRefused(_("Văn bản chưa có chữ ký số hợp lệ của người có thẩm quyền; không thể phát hành."),
                            code="unsigned", target=document)
    today = timezone.localdate()
    register = numbering.register_for(
        unit=document.unit, kind=RegisterKind.OUTGOING,
        series=numbering.outgoing_series(unit=document.unit, doc_type=document.doc_type, secrecy=document.secrecy),
        year=today.year,
    )
    number = numbering.take_next(register)
    document.register = register
    document.number = number
    document.code_number = numbering.format_number(number)
    document.code_notation = numbering.notation(doc_type=document.doc_type, issuer=document.unit,
                                                drafting_unit=document.drafting_unit)
    document.issued_date = today
    sealed = signing.seal_issued(
        pdf=signed_pdf, unit=document.unit, number_text=number_line(document.notation),
        date_text=date_line(document.unit.place_name, today), secret=secret,
    )
    stored = files.store_bytes(sealed, content_type=PDF)
    document.current_file = stored
    now = timezone.now()
    for attachment in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file"):
        lines = [document.unit.name, number_line(document.notation)]  # the stamp adds the signing time
        sealed_attachment = signing.seal_text_only(
            pdf=attachment.file.read_bytes(), unit=document.unit, lines=lines, secret=secret
        )
        attachment.file = files.store_bytes(sealed_attachment, content_type=PDF)
        attachment.save(update_fields=["file"])
    DocumentFile.objects.filter(document=document, kind=DocumentFile.Kind.MAIN).delete()
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN,
                                name=f"{document.notation.replace('/', '_')}.pdf", file=stored, added_by=acting)
    document.status = Status.ISSUED
    document.issued_at = now
    document.issued_by = acting
    document.version += 1
    document.save()
    delivered = _deliver(document, acting=acting)
    if document.replaces_id is not None:
        old = Document.objects.select_for_update().get(pk=document.replaces_id)
        old.status = Status.REPLACED
        old.version += 1
        old.save(update_fields=["status", "version", "updated_at"])
        _cancel_deliveries(old, acting=acting, reason=_("Thay thế bởi %(n)s") % {"n": document.notation})
        log.record(actor=acting, verb="documents.outgoing.replaced", target=old, unit=old.unit,
                   data={"by": document.pk})
    _validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.issued", target=document, unit=document.unit,
               data={"number": number, "register": register.pk, "notation": document.notation,
                     "sha256": stored.sha256, "delivered": [d.pk for d in delivered]})
    return document


@action("documents.outgoing.recalled")
def recall_outgoing(*, document: Document, acting: Person, reason: str) -> Document:
    """Recall (thu hồi): freeze the issued document and cancel every copy received inside the system."""
    document = _lock(document)
    if not access.can_recall(acting, document):
        raise _deny(document)
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Hãy ghi lý do thu hồi."), code="reason_required", field="reason")
    document.status = Status.RECALLED
    document.recalled_at = timezone.now()
    document.recall_reason = reason[:500]
    _bump(document, "status", "recalled_at", "recall_reason")
    _cancel_deliveries(document, acting=acting, reason=reason)
    log.record(actor=acting, verb="documents.outgoing.recalled", target=document, unit=document.unit,
               data={"reason": reason[:500]})
    return document


# --- electronic copies -----------------------------------------------------------------------------------


def parse_pages(text: str, *, page_count: int) -> list[int]:
    """'1-3, 5' → [1, 2, 3, 5] (1-based, in order, no repeats); refuses pages outside the document."""
    pages: list[int] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        first, _sep, last = part.partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError as exc:
            raise ActionRefused(_("Trang cần trích sao phải ghi như 1-3, 5."), code="invalid", field="pages") from exc
        if not 1 <= start <= end <= page_count:
            raise ActionRefused(_("Văn bản chỉ có %(n)s trang.") % {"n": page_count}, code="invalid", field="pages")
        pages.extend(n for n in range(start, end + 1) if n not in pages)
    if not pages:
        raise ActionRefused(_("Hãy ghi các trang cần trích sao."), code="invalid", field="pages")
    return pages


def _extract(pdf: bytes, pages: list[int]) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for number in pages:
        writer.add_page(reader.pages[number - 1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@action("documents.copy.made")
def make_copy(
    *,
    document: Document,
    acting: Person,
    unit: Unit,
    form: str,
    secret: str | None,
    pages: str = "",
    source_copy: DocumentCopy | None = None,
) -> DocumentCopy:
    """An electronic copy (Decree 30 Điều 25–27): SAO Y of the document, SAO LỤC of a SAO Y copy, or TRÍCH SAO
    of some pages; signed by `unit` with the text-only stamp (copy form, unit, time) at the top right."""
    if not access.can_copy(acting, document):
        raise _deny(document)
    if unit.pk not in scope_of(acting).clerk_unit_ids:
        raise ActionRefused(_("Chỉ văn thư của đơn vị mới ký số bản sao của đơn vị đó."), code="forbidden",
                            field="unit", status=403)
    if form not in CopyForm.values:
        raise ActionRefused(_("Hình thức sao không hợp lệ."), code="invalid", field="form")
    assert document.current_file is not None
    source = document.current_file.read_bytes()
    page_list = ""
    if form == CopyForm.REISSUE_COPY:
        if source_copy is None or source_copy.document_id != document.pk or source_copy.form != CopyForm.TRUE_COPY:
            raise ActionRefused(_("Bản sao lục được làm từ một bản sao y của chính văn bản này."),
                                code="reissue_needs_true_copy", field="source_copy")
        source = source_copy.file.read_bytes()
    elif form == CopyForm.EXTRACT:
        chosen = parse_pages(pages, page_count=document.page_amount or 1)
        source = _extract(source, chosen)
        page_list = ", ".join(str(n) for n in chosen)
    with translation.override("vi"):  # the stamp on the copy is part of the document: always Vietnamese
        lines = [str(CopyForm(form).label).upper(), unit.name]
        if page_list:
            lines.append(_("Trang %(pages)s của văn bản %(ref)s") % {"pages": page_list,
                                                                     "ref": document.notation or document.subject[:60]})
    signed = signing.seal_text_only(pdf=source, unit=unit, lines=[str(line) for line in lines], secret=secret)
    stored = files.store_bytes(signed, content_type=PDF)
    copy = DocumentCopy.objects.create(document=document, form=form, unit=unit, source_copy=source_copy,
                                       pages=page_list, file=stored, made_by=acting)
    _validate_on_commit(stored)
    log.record(actor=acting, verb="documents.copy.made", target=document, unit=unit,
               data={"copy": copy.pk, "form": form, "pages": page_list, "sha256": stored.sha256})
    return copy
