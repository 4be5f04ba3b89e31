"""Outgoing documents before signature: drafts, versions, the review chain."""


import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, components, guards
from vanthu.documents.actions.common import (
    attach,
    bump,
    check_due_date,
    check_token,
    check_urgency,
    check_version,
    deny,
    lock,
    lock_for,
    required_text,
    save_new,
    share,
    store,
    validate_fields,
)
from vanthu.documents.models import (
    AmendKind,
    Conversion,
    Direction,
    Document,
    DocumentType,
    DraftVersion,
    Recipient,
    ReviewKind,
    ReviewState,
    ReviewStep,
    ShareReason,
    Status,
)
from vanthu.documents.uploads import DOCX, PDF, CheckedFile
from vanthu.jobs import enqueue_on_commit
from vanthu.org.models import Person, SigningAuthority, Unit
from vanthu.org.queries import scope_of

# --- outgoing: drafting and review ------------------------------------------------------------------------


def _pdf_of(file: CheckedFile) -> tuple[files.StoredFile, files.StoredFile | None, int | None]:
    """(source, pdf, pages) for an uploaded draft. A DOCX has no PDF yet: a job converts it after commit
    (`convert_draft_version`), and `finish_conversion` attaches the PDF everyone reads and signs."""
    source = store(file)
    if file.content_type == PDF:
        return source, source, file.pages
    if file.content_type == DOCX:
        return source, None, None
    raise ActionRefused(_("Dự thảo phải là tệp PDF hoặc DOCX."), code="file_type", field="file")


def _new_version(document: Document, *, number: int, file: CheckedFile, acting: Person,
                 note: str = "") -> DraftVersion:
    source, pdf, _pages = _pdf_of(file)
    version = DraftVersion.objects.create(
        document=document, number=number, source=source, source_name=file.name[:200], pdf=pdf, note=note[:500],
        author=acting, conversion=Conversion.PENDING if pdf is None else "",
    )
    if pdf is None:
        enqueue_on_commit("vanthu.documents.jobs.convert_draft_version", version.pk)
    return version


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
    # outside bodies reached by the exchange: (edXML organ id, name)
    recipient_organs: list[tuple[str, str]] = field(default_factory=list)
    # format components of Điều 8 (see `components`); an empty place name takes the issuing unit's
    place_name: str = ""
    circulation_note: str = ""
    drafter_initials: str = ""
    address_block: str = ""


def _apply_draft(document: Document, data: DraftData) -> None:
    for name in ("doc_type", "subject", "urgency", "urgent_until", "secrecy", "due_date", "description", "to_places",
                 "issued_amount", "circulation_note", "drafter_initials", "address_block"):
        setattr(document, name, getattr(data, name))
    document.place_name = data.place_name.strip() or document.unit.place_name


def _set_recipients(document: Document, *, units: Sequence[Unit], names: Sequence[str],
                    organs: Sequence[tuple[str, str]] = ()) -> None:
    clean_organs: dict[str, str] = {}
    for organ_id, name in organs:
        organ_id, name = organ_id.strip(), name.strip() or organ_id.strip()
        if not organ_id or len(organ_id) > 50 or len(name) > 200:
            raise ActionRefused(_("Mã định danh nơi nhận không hợp lệ."), code="bad_organ", field="recipients")
        clean_organs.setdefault(organ_id, name)
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
        refusal = access.unit_refusal(unit, document.secrecy, field="recipients", target=None)
        if refusal is not None:  # a classified document is delivered only where its receivers are cleared
            raise refusal
        seen_units.add(unit.pk)
    Recipient.objects.filter(document=document).delete()
    Recipient.objects.bulk_create(
        [Recipient(document=document, unit_id=pk) for pk in seen_units]
        + [Recipient(document=document, external_name=name) for name in clean_names]
        + [Recipient(document=document, external_name=name, organ_id=organ_id)
           for organ_id, name in clean_organs.items()]
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
    answers: Document | None = None,
    amends: Document | None = None,
    amend_kind: str = "",
    client_token: uuid.UUID | None = None,
) -> Document:
    check_token(client_token)
    _check_issuer(acting=acting, drafting_unit=drafting_unit, issuing_unit=issuing_unit)
    _check_amends(acting=acting, amends=amends, amend_kind=amend_kind, doc_type=data.doc_type, replaces=replaces)
    check_due_date(data.due_date)
    check_urgency(data)
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    if replaces is not None and not access.allows(acting, replaces, access.Need.REPLACE):
        raise ActionRefused(_("Chỉ thay thế được văn bản đã phát hành mà bạn có quyền thu hồi."),
                            code="replace_forbidden", field="replaces", status=403)
    if replaces is not None:
        guards.check_change(replaces)  # a document filed in a frozen work record is not replaced (decision 0027)
    if answers is not None and not (access.can_see(acting, answers) and access.allows(acting, answers,
                                                                                       access.Need.REPLY)):
        raise ActionRefused(_("Chỉ soạn trả lời được cho văn bản đến đã vào sổ mà bạn được xem."),
                            code="answer_forbidden", field="answers", status=403)
    document = Document(
        direction=Direction.OUTGOING, status=Status.DRAFT, unit=issuing_unit, drafting_unit=drafting_unit,
        organ_name=issuing_unit.name, organ_id=issuing_unit.code or "", created_by=acting, replaces=replaces,
        answers=answers, amends=amends, amend_kind=amend_kind if amends is not None else "", client_token=client_token,
    )
    if file.content_type == PDF:
        document.page_amount = file.pages
    _apply_draft(document, data)
    validate_fields(document)
    save_new(document)
    version = _new_version(document, number=1, file=file, acting=acting, note=note)
    if version.pdf is not None:
        document.current_file = version.pdf
        document.save(update_fields=["current_file"])
    attach(document, attachments, acting=acting)
    _set_recipients(document, units=data.recipient_units, names=data.recipient_names,
                    organs=data.recipient_organs)
    log.record(actor=acting, verb="documents.draft.created", target=document, unit=drafting_unit,
               data={"issuer": issuing_unit.pk, "type": data.doc_type.name, "sha256": version.source_id,
                     "replaces": replaces.pk if replaces else None, "answers": answers.pk if answers else None,
                     "amends": amends.pk if amends else None, "amend_kind": amend_kind if amends else ""})
    if answers is not None:
        log.record(actor=acting, verb="documents.incoming.reply_drafted", target=answers, unit=answers.unit,
                   data={"reply": document.pk})
    return document


def _check_amends(*, acting: Person, amends: Document | None, amend_kind: str, doc_type: DocumentType,
                  replaces: Document | None) -> None:
    """An update (bổ sung) or a correction (công văn đính chính) names an issued outgoing document its drafter
    may see; one the drafter cannot see is refused as not found (nobody probes which documents exist)."""
    if amends is None:
        return
    if amend_kind not in AmendKind.values:
        raise ActionRefused(_("Hãy chọn bổ sung hay đính chính."), code="invalid", field="amend_kind")
    if not access.can_see(acting, amends):
        raise ActionRefused(_("Không tìm thấy văn bản được bổ sung, đính chính."), code="not_found", field="amends",
                            status=404)
    if not amends.is_outgoing or amends.status != Status.ISSUED:
        raise ActionRefused(_("Chỉ bổ sung, đính chính được văn bản đi đã phát hành."), code="amends_not_issued",
                            field="amends")
    if replaces is not None:
        raise ActionRefused(_("Một văn bản không vừa thay thế vừa bổ sung, đính chính."), code="invalid",
                            field="amends")
    if amend_kind == AmendKind.CORRECT and doc_type.abbreviation:
        raise ActionRefused(_("Đính chính bằng công văn (công văn đính chính)."), code="correction_type",
                            field="doc_type")


@action("documents.draft.updated")
def update_draft(*, document: Document, acting: Person, data: DraftData, expected_version: int | None) -> Document:
    document = lock_for(document, acting, access.Need.EDIT_DRAFT)
    check_version(document, expected_version)
    check_due_date(data.due_date)
    check_urgency(data)
    if data.secrecy > acting.clearance:
        raise ActionRefused(_("Bạn không được tiếp cận văn bản có độ mật này."), code="clearance", field="secrecy")
    _apply_draft(document, data)
    validate_fields(document)
    document.version += 1
    document.save()
    _set_recipients(document, units=data.recipient_units, names=data.recipient_names,
                    organs=data.recipient_organs)
    log.record(actor=acting, verb="documents.draft.updated", target=document, unit=document.drafting_unit)
    return document


@action("documents.draft.version_added")
def add_draft_version(
    *, document: Document, acting: Person, file: CheckedFile, note: str = "", expected_version: int | None = None
) -> DraftVersion:
    document = lock_for(document, acting, access.Need.EDIT_DRAFT)
    check_version(document, expected_version)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = _new_version(document, number=last + 1, file=file, acting=acting, note=note)
    # While a DOCX is converted the draft has no current file, so nobody submits or signs the older version.
    document.current_file = version.pdf
    document.page_amount = file.pages if version.pdf is not None else None
    bump(document, "current_file", "page_amount")
    log.record(actor=acting, verb="documents.draft.version_added", target=document, unit=document.drafting_unit,
               data={"version": version.number, "sha256": version.source_id})
    return version


@action("documents.draft.converted")
def finish_conversion(*, version: DraftVersion, acting: Person, pdf: bytes | None, failure: str = "",
                      worker: str = "") -> DraftVersion:
    """Attach the PDF a job converted from a DOCX version (`pdf`), or record why it could not (`failure`).
    `acting` is the version's author, for whom the job works; `worker` the job worker that converted it (named
    in the trail, when there is one). Running it again changes nothing."""
    by = {"worker": worker[:64]} if worker else {}
    from vanthu.documents.uploads import check

    document = lock(version.document)
    version = DraftVersion.objects.select_for_update().get(pk=version.pk)
    if version.conversion != Conversion.PENDING:
        return version
    converted = None
    if pdf is not None:
        try:
            converted = check(pdf, name=version.source_name.rsplit(".", 1)[0] + ".pdf")
        except ActionRefused as exc:
            failure = exc.message
    if converted is None:
        version.conversion = Conversion.FAILED
        version.conversion_error = failure[:500]
        version.save(update_fields=["conversion", "conversion_error"])
        log.record(actor=acting, verb="documents.draft.conversion_failed", target=document,
                   unit=document.drafting_unit, data={"version": version.number, "reason": failure[:300], **by})
        return version
    stored = store(converted)
    version.pdf = stored
    version.conversion = ""
    version.save(update_fields=["pdf", "conversion"])
    latest = document.versions.order_by("-number").values_list("pk", flat=True).first()
    if latest == version.pk and document.status == Status.DRAFT:
        document.current_file = stored
        document.page_amount = converted.pages
        bump(document, "current_file", "page_amount")
    log.record(actor=acting, verb="documents.draft.converted", target=document, unit=document.drafting_unit,
               data={"version": version.number, "sha256": stored.sha256, **by})
    return version


def check_authority(authority: SigningAuthority, document: Document) -> None:
    today = timezone.localdate()
    if authority.unit_id != document.unit_id:
        raise ActionRefused(_("Người ký không có thẩm quyền ký văn bản của đơn vị ban hành này."),
                            code="signer_authority", field="signer")
    if not authority.is_valid_on(today, type_abbreviation=document.doc_type.abbreviation or document.doc_type.name):
        raise ActionRefused(_("Thẩm quyền ký của người này đã hết hạn, bị thu hồi hoặc không gồm loại văn bản này."),
                            code="signer_authority", field="signer")
    if not authority.person.is_active:
        raise ActionRefused(_("Người ký đã nghỉ công tác."), code="signer_inactive", field="signer")
    refusal = access.person_refusal(authority.person, document.secrecy, field="signer")
    if refusal is not None:  # names the signer who is not cleared
        raise refusal


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
    document = lock_for(document, acting, access.Need.SUBMIT)
    check_version(document, expected_version)
    check_authority(signer_authority, document)
    current = document.versions.order_by("-number").first()
    last_round = document.review_steps.order_by("-round").values_list("round", flat=True).first() or 0
    round_no = last_round + 1
    _check_format_step(document, reviewers)
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
    bump(document, "status", "signer", "signer_authority", "signer_competence", "signer_position", "signer_name",
          "approved_sha256")
    log.record(actor=acting, verb="documents.draft.submitted", target=document, unit=document.drafting_unit,
               data={"signer": signer.pk, "reviewers": [p.pk for _k, p in reviewers], "round": round_no})
    return document


def _check_format_step(document: Document, reviewers: Sequence[tuple[str, Person]]) -> None:
    """Decree 30 Điều 12: where the issuing unit requires it, the chain holds a check of content and format by a
    person with the unit's checker role (office chief or the role the head set) before the signer."""
    rule = components.rule_for(document)
    if rule is None:
        return
    checkers = [reviewer for kind, reviewer in reviewers if kind == ReviewKind.FORMAT]
    for reviewer in checkers:
        if not components.holds_checker_role(reviewer, rule):
            raise ActionRefused(
                _("%(name)s không có vai trò kiểm tra nội dung, thể thức văn bản của đơn vị ban hành.")
                % {"name": reviewer.full_name}, code="checker_role", field="reviewers")
    if rule.required and not checkers:
        raise ActionRefused(
            _("Dự thảo phải được kiểm tra nội dung và thể thức (bước “Kiểm tra thể thức”) trước khi trình ký."),
            code="format_check_required", field="reviewers")


def _checklist_result(step: ReviewStep, acting: Person, document: Document, approve: bool,
                      checklist: dict[str, bool] | None) -> dict[str, bool]:
    if step.kind != ReviewKind.FORMAT:
        return {}
    rule = components.rule_for(document)
    if rule is not None and not components.holds_checker_role(acting, rule):
        raise ActionRefused(_("Bạn không có vai trò kiểm tra nội dung, thể thức văn bản của đơn vị ban hành."),
                            code="checker_role", status=403, target=document)
    if rule is None and checklist is None:
        return {}  # a unit without the rule: a format step named by the drafter, no checklist owed
    result = {key: bool((checklist or {}).get(key)) for key in components.CHECKLIST}
    if approve and not all(result.values()):
        raise ActionRefused(_("Hãy đánh dấu đủ các mục kiểm tra (trình bày, thành phần thể thức, nơi nhận, độ mật) "
                              "trước khi đồng ý; mục chưa đạt thì trả lại dự thảo."),
                            code="checklist_incomplete", field="checklist")
    return result


@action("documents.draft.reviewed")
def decide_review(*, document: Document, acting: Person, approve: bool, comment: str = "",
                  checklist: dict[str, bool] | None = None) -> Document:
    document = lock(document)
    step = access.pending_step(acting, document)
    if step is None:
        raise deny(document)
    comment = comment.strip()
    result = _checklist_result(step, acting, document, approve, checklist)
    if not approve and not comment:
        raise ActionRefused(_("Hãy ghi ý kiến khi trả lại dự thảo."), code="comment_required", field="comment")
    now = timezone.now()
    step.state = ReviewState.APPROVED if approve else ReviewState.RETURNED
    step.comment = comment[:1000]
    step.decided_at = now
    step.checklist = result
    step.save(update_fields=["state", "comment", "decided_at", "checklist"])
    if approve:
        following = document.review_steps.filter(round=step.round, state=ReviewState.WAITING).order_by("ordinal")
        nxt = following.first()
        if nxt is not None:
            nxt.state = ReviewState.PENDING
            nxt.save(update_fields=["state"])
            bump(document)
        else:
            document.status = Status.AWAITING_SIGNATURE
            document.approved_sha256 = document.current_file.sha256 if document.current_file else ""
            bump(document, "status", "approved_sha256")
    else:
        document.review_steps.filter(round=step.round, state=ReviewState.WAITING).update(state=ReviewState.CANCELLED)
        document.status = Status.DRAFT
        bump(document, "status")
    log.record(actor=acting, verb="documents.draft.reviewed", target=document, unit=document.drafting_unit,
               data={"step": step.pk, "kind": step.kind, "approve": approve, "comment": comment[:200],
                     "checklist": result})
    return document


@action("documents.draft.returned")
def return_for_revision(*, document: Document, acting: Person, comment: str) -> Document:
    """The signer sends the draft back to its drafter instead of signing."""
    document = lock_for(document, acting, access.Need.RETURN_FOR_REVISION)
    comment = required_text(comment, _("Hãy ghi ý kiến khi trả lại dự thảo."), code="comment_required",
                            field="comment")
    document.status = Status.DRAFT
    document.approved_sha256 = ""
    bump(document, "status", "approved_sha256")
    log.record(actor=acting, verb="documents.draft.returned", target=document, unit=document.drafting_unit,
               data={"comment": comment[:1000]})
    return document
