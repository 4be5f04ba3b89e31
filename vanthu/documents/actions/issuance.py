"""Outgoing documents: personal signature (local or remote), issuance with number, seal and delivery, recall."""

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu import notify
from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused, ConcurrentEdit
from vanthu.documents import access, numbering
from vanthu.documents.actions import delivery, long_term
from vanthu.documents.actions.common import bump, check_version, deny, lock, lock_for, required_text, validate_on_commit
from vanthu.documents.actions.drafting import check_authority
from vanthu.documents.actions.placement import current_positions, positions_of
from vanthu.documents.formatting import date_line, notation_file_name, number_line
from vanthu.documents.models import Document, DocumentFile, Placement, Recipient, Register, RegisterKind, Status
from vanthu.documents.uploads import PDF
from vanthu.jobs import enqueue_on_commit
from vanthu.notify.models import Kind
from vanthu.org import second_factor
from vanthu.org.models import Person, Role
from vanthu.org.queries import people_with_role
from vanthu.signing import service as signing

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


def _signer_and_code(*, document: Document, acting: Person, otp: str | None = None, **_kwargs: object) -> None:
    """Before the signature's transaction: the rights first (no code is used up by someone who may not sign),
    then the signer's second factor (decision 0020)."""
    if not access.can_sign(acting, Document.objects.get(pk=document.pk)):  # as it is now, like the action reads it
        raise deny(document)
    second_factor.require_code(acting=acting, otp=otp, document=document)


@action("documents.outgoing.signed", before=_signer_and_code)
def sign_outgoing(*, document: Document, acting: Person, secret: str | None, otp: str | None = None) -> Document:
    """The signer approves by signing: a personal PAdES signature over exactly the approved PDF."""
    document = lock(document)
    _check_signable(document, acting)
    assert document.current_file is not None
    signed = signing.sign_personal(  # at the request's level: the rest is added after issuance (long_term)
        pdf=document.current_file.read_bytes(), person=acting, block=signature_block(document), secret=secret,
        reason=_("Phê duyệt và ký ban hành"), level=signing.request_level(), placed=current_positions(document),
    )
    stored = _mark_signed(document, signed)
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.signed", target=document, unit=document.unit,
               data={"sha256": stored.sha256, "approved_sha256": document.approved_sha256})
    return document


def _check_signable(document: Document, acting: Person) -> None:
    if not access.can_sign(acting, document):
        raise deny(document)
    if document.current_file is None or document.current_file.sha256 != document.approved_sha256:
        raise ActionRefused(_("Tệp văn bản đã thay đổi sau khi được duyệt; hãy trình duyệt lại."),
                            code="not_approved_version", target=document)
    if document.signer_authority is not None:
        check_authority(document.signer_authority, document)


def _mark_signed(document: Document, signed: bytes) -> files.StoredFile:
    stored = files.store_bytes(signed, content_type=PDF)
    document.current_file = stored
    document.status = Status.SIGNED
    document.signed_at = timezone.now()
    document.remote_request = None
    bump(document, "current_file", "status", "signed_at", "remote_request")
    return stored


@action("documents.outgoing.remote_requested")
def request_remote_signature(*, document: Document, acting: Person) -> Document:
    """For a signer whose key is at a remote signing service: prepare the signature over the approved PDF and
    record the digest the service must sign (the person confirms on their device). The document stays
    'Chờ ký' until `complete_remote_signature`."""
    document = lock(document)
    _check_signable(document, acting)
    assert document.current_file is not None
    request = signing.begin_remote_personal(
        pdf=document.current_file.read_bytes(), person=acting, block=signature_block(document), acting=acting,
        reason=_("Phê duyệt và ký ban hành"), placed=current_positions(document),
    )
    document.remote_request = request
    bump(document, "remote_request")
    log.record(actor=acting, verb="documents.outgoing.remote_requested", target=document, unit=document.unit,
               data={"request": str(request.pk), "digest": bytes(request.digest).hex()})
    if request.credential.backend == "sim":  # SIM-PKI: a job asks the phone and waits for the person
        enqueue_on_commit("vanthu.documents.jobs.sim_sign", document.pk)
    return document


@action("documents.outgoing.signed")
def complete_remote_signature(*, document: Document, acting: Person, signature: bytes) -> Document:
    """The remote signing service's answer: the signature value over the recorded digest. Checked against the
    signer's certificate, then embedded: the same result as `sign_outgoing`."""
    document = lock(document)
    _check_signable(document, acting)
    if document.remote_request is None:
        raise ActionRefused(_("Chưa có yêu cầu ký số từ xa cho văn bản này."), code="remote_missing",
                            target=document)
    signed = signing.finish_remote(request=document.remote_request, signature=signature, acting=acting)
    stored = _mark_signed(document, signed)
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.signed", target=document, unit=document.unit,
               data={"sha256": stored.sha256, "approved_sha256": document.approved_sha256, "remote": True})
    return document


def _has_valid_personal_signature(stored: files.StoredFile) -> bool:
    """The full check (with the analysis of what changed after signing) stored when the file was signed, while
    it is fresh (signing/verdicts.py), or made now and stored: the seal, which re-checks the personal signature
    at sealing time, then finds it fresh instead of checking the same bytes again."""
    if signing.fresh_personal_verdict(stored):
        return True
    result = signing.record_validation(stored)
    return result.readable and any(s.valid and s.kind == "personal" for s in result.signatures)


# --- issuance in three steps (decision 0007) -------------------------------------------------------------
#
# 1. reserve: a short transaction locks the document, takes the number (the register's counter row is
#    locked only from taking the number to the commit) and sets `issuing_since`, the lease of this attempt;
# 2. seal: the organisation signature at `signing.request_level()` (B-B, or B-T with the built-in TSA, called
#    in-process: no network) outside any transaction or lock;
# 3. finalize: a second short transaction stores the sealed files, marks the document issued and writes one
#    outbox message per recipient; delivery jobs run after the commit. When the deployment's level is above
#    the request's, `long_term.begin` schedules the job that adds the time-stamp, the validation data and the
#    archive time-stamp (TSA, OCSP, CRL: never in the request), and the deliveries wait for it.
# Everything that can be refused (the right, the version, the personal signature, the seal's PIN or
# passphrase) is checked before the number is taken. If the seal fails after that, the number stays with the
# document (no gap, no duplicate), the lease is released, and the clerk's next attempt reuses the number.

LEASE = dt.timedelta(minutes=10)  # an attempt older than this is taken as dead (its process stopped)


@dataclass(frozen=True)
class _Reservation:
    document: Document  # as read under the lock: what is sealed
    number: int
    notation: str
    issued_date: dt.date
    lease: dt.datetime


def _check_lease(document: Document) -> None:
    if document.issuing_since is not None and timezone.now() - document.issuing_since < LEASE:
        raise ActionRefused(_("Văn bản đang được phát hành (một lần phát hành khác chưa xong). Hãy chờ giây lát."),
                            code="issuing", target=document, status=409)


def _check_issuable(document: Document, acting: Person, expected_version: int | None) -> list[Recipient]:
    """Refuse what may not be issued; returns the recipients read for the check (with their units)."""
    if not access.can_issue(acting, document):
        raise deny(document)
    check_version(document, expected_version)
    _check_lease(document)
    recipients = list(document.recipients.select_related("unit").order_by("pk"))
    if not recipients:
        raise ActionRefused(_("Văn bản chưa có nơi nhận."), code="no_recipients", field="recipients",
                            target=document)
    for recipient in recipients:
        # Clearance may have changed since the recipients were chosen: checked again before any number (an
        # inactive unit is the delivery's to report, with a retry once it is active again).
        unit = recipient.unit
        if unit is None:
            continue
        refusal = access.unit_refusal(unit, document.secrecy, field="recipients", target=document)
        if refusal is not None and unit.is_active:
            raise refusal
    return recipients


# what issuance reads of the document with it (the placement: where the seal goes, `_seal`)
_READ_FOR_ISSUING = ("unit", "drafting_unit", "doc_type", "register", "current_file", "placement")


@dataclass(frozen=True)
class _Checked:
    document: Document  # as read and checked, with _READ_FOR_ISSUING
    recipients: list[Recipient]  # as read for the check: a signed document's recipients no longer change


def _check_before_number(*, document: Document, acting: Person, expected_version: int | None) -> _Checked:
    """Whatever can be refused, refused before a number is taken (no lock is held), and recorded as the
    action's refusal. Only reads: no transaction (its BEGIN and COMMIT were two statements for nothing; what
    the number depends on — the same version, signed, unnumbered, not leased — is checked again by the number's
    own statement, `_AT_ONCE`). The personal signature is checked here on the file that is then sealed: the
    seal proves it seals these bytes (their SHA-256) instead of reading the same verdict again."""
    try:
        document = Document.objects.select_related(*_READ_FOR_ISSUING).get(pk=document.pk)
        recipients = _check_issuable(document, acting, expected_version)
        assert document.current_file is not None
        signing.check_sealable(document.current_file, target=document)  # every object parses (decision 0045)
        for item in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file").order_by(
                "ordinal", "pk"):  # and every attachment the seal will seal (decision 0057)
            signing.check_attachment_sealable(item.file, name=item.name, target=document)
        if not _has_valid_personal_signature(document.current_file):
            raise ActionRefused(_("Văn bản chưa có chữ ký số hợp lệ của người có thẩm quyền; không thể phát hành."),
                                code="unsigned", target=document)
    except ActionRefused as exc:
        log.record_refusal(actor=acting, verb="documents.outgoing.issued.refused", target=exc.target,
                           reason=exc.message, code=exc.code)
        raise
    return _Checked(document=document, recipients=recipients)


def _reserve(*, document: Document, acting: Person, expected_version: int | None) -> _Reservation:
    """Step 1: the number and the lease. On PostgreSQL outside a transaction, in one statement (the counter
    row is locked only while the database runs it); else in a short transaction, the number taken last.

    `document` is the one `_check_before_number` read and checked. The statement takes the number only if the
    row is still that version, signed, unnumbered and not leased (else nothing is taken and the clerk is told):
    what was checked is what is numbered, without reading and checking it all a second time."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        try:
            return _reserve_at_once(document=document, acting=acting, expected_version=expected_version)
        except ActionRefused as exc:
            _refused(document, acting, exc)
            raise
    return _reserve_locked(document=document, acting=acting, expected_version=expected_version)


@action("documents.outgoing.issued")
def _reserve_locked(*, document: Document, acting: Person, expected_version: int | None) -> _Reservation:
    document = lock(document)
    _check_issuable(document, acting, expected_version)
    today = timezone.localdate()
    now = timezone.now()
    document.issuing_since = now
    document.version += 1
    fields = ["issuing_since", "version", "updated_at"]
    if document.number is not None:
        assert document.register is not None
        if document.register.year == today.year:
            document.issued_date = today  # a retry keeps its number and carries the day it is sealed
            fields.append("issued_date")
    else:
        register = _register_of(document, today)
        document.register = register
        document.code_notation = _notation_of(document)
        document.issued_date = today
        document.number = numbering.take_next(register)  # the counter row is locked from here to the commit
        document.code_number = numbering.format_number(document.number)
        fields += ["register", "number", "code_number", "code_notation", "issued_date"]
    document.save(update_fields=fields)
    assert document.issued_date is not None
    return _Reservation(document=document, number=document.number, notation=document.notation,
                        issued_date=document.issued_date, lease=now)


def _register_of(document: Document, today: dt.date) -> Register:
    return numbering.register_for(
        unit=document.unit, kind=RegisterKind.OUTGOING, year=today.year,
        series=numbering.outgoing_series(unit=document.unit, doc_type=document.doc_type, secrecy=document.secrecy,
                                         year=today.year),
    )


def _notation_of(document: Document) -> str:
    return numbering.notation(doc_type=document.doc_type, issuer=document.unit, drafting_unit=document.drafting_unit)


_AT_ONCE = """
WITH d AS (
    SELECT id FROM {document} WHERE id = %(doc)s AND status = %(signed)s AND number IS NULL AND version = %(version)s
        AND (issuing_since IS NULL OR issuing_since < %(stale)s)
    FOR UPDATE
), n AS (
    UPDATE {register} SET last_number = last_number + 1 WHERE id = %(register)s AND EXISTS (SELECT 1 FROM d)
    RETURNING last_number, clock_timestamp() AS taken
)
UPDATE {document} AS doc SET
    number = n.last_number,
    code_number = CASE WHEN n.last_number < 10 THEN '0' || n.last_number::text ELSE n.last_number::text END,
    register_id = %(register)s, code_notation = %(notation)s, issued_date = %(date)s, issuing_since = %(now)s,
    version = doc.version + 1, updated_at = %(now)s
FROM n WHERE doc.id = %(doc)s
RETURNING doc.number, 1000 * extract(epoch FROM clock_timestamp() - n.taken)
"""


def _number_at_once(*, document: Document, register: Register, notation: str, today: dt.date,
                    now: dt.datetime) -> tuple[int, float] | None:
    """One autocommitted statement locks the document, takes the register's next number (the counter row is
    locked from here to the statement's end, inside the database, where it commits) and writes it with the
    lease. Returns the number and how long the statement held the counter row (ms, by the database's clock,
    before its commit), or None when the document was not as read: nothing is taken then."""
    sql = _AT_ONCE.format(document=Document._meta.db_table, register=Register._meta.db_table)
    params = {"doc": document.pk, "signed": Status.SIGNED, "version": document.version, "stale": now - LEASE,
              "register": register.pk, "notation": notation, "date": today, "now": now}
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (int(row[0]), float(row[1])) if row else None


def _reserve_at_once(*, document: Document, acting: Person, expected_version: int | None) -> _Reservation:
    today = timezone.localdate()
    now = timezone.now()
    if document.number is not None:  # a retry: the number is the document's already
        assert document.register is not None
        day = today if document.register.year == today.year else document.issued_date
        done = Document.objects.filter(
            Q(issuing_since__isnull=True) | Q(issuing_since__lt=now - LEASE), pk=document.pk, status=Status.SIGNED,
            version=document.version,
        ).update(issuing_since=now, issued_date=day, version=F("version") + 1, updated_at=now)
        number: int | None = document.number if done else None
        document.issued_date = day
    else:
        register, notation = _register_of(document, today), _notation_of(document)
        taken = _number_at_once(document=document, register=register, notation=notation, today=today, now=now)
        number = taken[0] if taken else None
        if number is not None:  # what the statement wrote, on the row it found as read (same version)
            document.register, document.code_notation, document.issued_date = register, notation, today
            document.number, document.code_number = number, numbering.format_number(number)
    if number is None:
        document.refresh_from_db()
        _check_issuable(document, acting, expected_version)
        raise ConcurrentEdit(_("Văn bản vừa được người khác thay đổi. Hãy tải lại trang để xem bản mới nhất rồi "
                               "thực hiện lại."), target=document)
    document.issuing_since, document.updated_at = now, now
    document.version += 1
    assert document.issued_date is not None
    return _Reservation(document=document, number=number, notation=document.notation,
                        issued_date=document.issued_date, lease=now)


def _checked_before_number(stored: files.StoredFile) -> str | None:
    """The SHA-256 whose personal signature `_check_before_number` checked, for the seal: sealing those bytes, it
    does not read the same verdict again. None when no verdict may stand for a later check
    (VANTHU_SIGNATURE_VERDICT_SECONDS = 0): the seal then checks in full again, as configured."""
    return stored.sha256 if settings.SIGNATURE_VERDICT_SECONDS > 0 else None


def _placement_read(document: Document) -> Placement | None:
    """The placement read with the document (`_READ_FOR_ISSUING`), None when it has none."""
    try:
        return document.placement
    except Placement.DoesNotExist:
        return None


def _seal(reservation: _Reservation, seal: signing.UnitSeal) -> tuple[bytes, dict[int, bytes]]:
    """Step 2, outside any transaction: the organisation signature over the main file and each attachment."""
    document = reservation.document
    assert document.current_file is not None
    unit = document.unit
    sealed = seal.seal_issued(pdf=document.current_file.read_bytes(), number_text=number_line(reservation.notation),
                              date_text=date_line(unit.place_name, reservation.issued_date),
                              placed=positions_of(document, _placement_read(document)),
                              checked_sha256=_checked_before_number(document.current_file))
    lines = [unit.name, number_line(reservation.notation)]  # the stamp adds the signing time
    attachments = {
        item.pk: seal.seal_text_only(pdf=item.file.read_bytes(), lines=lines)
        for item in document.files.filter(kind=DocumentFile.Kind.ATTACHMENT).select_related("file")
    }
    return sealed, attachments


def _abandon(document: Document, reservation: _Reservation, *, acting: Person, reason: str) -> None:
    """The seal failed after the number was taken: the number stays with the document, the lease ends."""
    with transaction.atomic():
        Document.objects.filter(pk=document.pk, issuing_since=reservation.lease).update(issuing_since=None)
        log.record(actor=acting, verb="documents.outgoing.number_kept", target=document, unit=document.unit_id,
                   data={"number": reservation.number, "notation": reservation.notation, "reason": reason[:500]})


_ISSUED = """
UPDATE {document} SET current_file_id = %s, status = %s, issued_at = %s, issued_by_id = %s, issuing_since = NULL,
    version = version + 1, updated_at = %s
WHERE id = %s AND issuing_since = %s
RETURNING version, replaces_id, amends_id
"""


def _mark_issued(document: Document, *, lease: dt.datetime, stored: files.StoredFile, acting: Person,
                 now: dt.datetime) -> tuple[int, int | None, int | None] | None:
    """One statement, in the finalising transaction: locks the document's row (to the commit), checks that this
    attempt still holds the lease, and marks it issued. (version, replaces_id, amends_id) as written, or None
    when the lease was lost (nothing written). It replaces re-reading the row with five relations and saving
    every column back: only the columns issuance changes are written, the others stay as they are in the row."""
    connection = transaction.get_connection()
    stamp = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_ISSUED.format(document=Document._meta.db_table),
                       [stored.pk, Status.ISSUED.value, stamp(now), acting.pk, stamp(now), document.pk, stamp(lease)])
        row = cursor.fetchone()
    return (int(row[0]), row[1], row[2]) if row else None


@action("documents.outgoing.issued")
def _finalize(*, document: Document, acting: Person, reservation: _Reservation, sealed: bytes,
              attachments: dict[int, bytes], recipients: list[Recipient]) -> Document:
    """Step 3: store the sealed files, mark the document issued, one outbox message per recipient."""
    stored = files.store_bytes(sealed, content_type=PDF)
    now = timezone.now()
    marked = _mark_issued(document, lease=reservation.lease, stored=stored, acting=acting, now=now)
    if marked is None:
        raise ActionRefused(_("Lần phát hành này đã quá hạn và bị thay bằng lần khác; hãy tải lại trang."),
                            code="issuing_lost", target=document, status=409)
    # the document as read and checked before the number, with what the reservation and this statement wrote
    document = reservation.document
    document.version, document.replaces_id, document.amends_id = marked
    document.current_file, document.status, document.issued_at, document.issued_by = stored, Status.ISSUED, now, acting
    document.issuing_since, document.updated_at = None, now
    for item in document.files.filter(pk__in=list(attachments)):
        item.file = files.store_bytes(attachments[item.pk], content_type=PDF)
        item.save(update_fields=["file"])
    DocumentFile.objects.filter(document=document, kind=DocumentFile.Kind.MAIN).delete()
    DocumentFile.objects.create(document=document, kind=DocumentFile.Kind.MAIN,
                                name=notation_file_name(document.notation), file=stored, added_by=acting)
    # to the recipients read for the check (they change only while drafting); their delivery waits for the
    # long-term signature, if one is owed
    messages = delivery.queue_document(document, recipients=recipients)
    long_term.begin(document, sealed=stored)
    if document.replaces_id is not None:
        old = Document.objects.select_for_update().get(pk=document.replaces_id)
        old.status = Status.REPLACED
        old.version += 1
        old.save(update_fields=["status", "version", "updated_at"])
        delivery.send_cancellations(old, reason=_("Thay thế bởi %(n)s") % {"n": document.notation})
        log.record(actor=acting, verb="documents.outgoing.replaced", target=old, unit=old.unit,
                   data={"by": document.pk})
    if document.amends_id is not None:
        _tell_amended(document, acting=acting)
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.outgoing.issued", target=document, unit=document.unit,
               data={"number": document.number, "register": document.register_id, "notation": document.notation,
                     "sha256": stored.sha256, "messages": [str(m.key) for m in messages]})
    return document


def _tell_amended(document: Document, *, acting: Person) -> None:
    """An update or correction is issued: the clerks of every unit that received the amended document are told,
    with a link to their copy (the amending document itself reaches its own recipients by the outbox, as an
    edXML update where it leaves the deployment)."""
    old = document.amends
    assert old is not None
    kind = document.get_amend_kind_display()
    told: list[int] = []
    for recipient in old.recipients.select_related("unit").exclude(unit=None):
        assert recipient.unit is not None
        url = reverse("document_detail", args=[recipient.delivered_id]) if recipient.delivered_id else ""
        for person in people_with_role(recipient.unit, Role.CLERK):
            notify.send(person, kind=Kind.INFO, url=url, key=f"documents.amended:{document.pk}:{recipient.pk}",
                        title=_("Văn bản %(old)s có văn bản %(kind)s: %(new)s") % {
                            "old": old.notation, "kind": str(kind).lower(), "new": document.notation})
            told.append(person.pk)
    log.record(actor=acting, verb="documents.outgoing.amended", target=old, unit=old.unit,
               data={"by": document.pk, "kind": document.amend_kind, "told": told})


def _refused(document: Document, acting: Person, exc: ActionRefused) -> None:
    log.record_refusal(actor=acting, verb="documents.outgoing.issued.refused", target=document, reason=exc.message,
                       code=exc.code)


def issue_outgoing(
    *, document: Document, acting: Person, secret: str | None, otp: str | None = None,
    expected_version: int | None = None,
) -> Document:
    """Decree 30 Điều 14: number and date, register, organisation signature, issue to the recipients.

    Refuses a document without a valid personal signature: no document is issued unsigned. Runs as three
    short steps (see above and decision 0007); a refusal at any step is recorded as
    `documents.outgoing.issued.refused`.
    """
    checked = _check_before_number(document=document, acting=acting, expected_version=expected_version)
    document = checked.document
    try:  # the seal needs the clerk's second factor (decision 0020), checked before the key is opened
        second_factor.require_code(acting=acting, otp=otp, document=document)
    except ActionRefused as exc:
        _refused(document, acting, exc)
        raise
    with ExitStack() as stack:
        try:  # the PIN or passphrase is checked here, before a number is taken
            seal = stack.enter_context(signing.unit_seal(unit=document.unit, secret=secret,
                                                         level=signing.request_level()))
        except ActionRefused as exc:
            _refused(document, acting, exc)
            raise
        reservation = _reserve(document=document, acting=acting, expected_version=expected_version)
        try:
            sealed, attachments = _seal(reservation, seal)
        except ActionRefused as exc:
            _abandon(document, reservation, acting=acting, reason=exc.message)
            _refused(document, acting, exc)
            raise
        except BaseException as exc:
            _abandon(document, reservation, acting=acting, reason=f"{type(exc).__name__}: {exc}")
            raise
    try:
        return _finalize(document=document, acting=acting, reservation=reservation, sealed=sealed,
                         attachments=attachments, recipients=checked.recipients)
    except (OperationalError, InterfaceError):
        _release_after_lost_connection(document, reservation, acting=acting)
        raise


def _release_after_lost_connection(document: Document, reservation: _Reservation, *, acting: Person) -> None:
    """Step 3 was cut by a lost database connection (the server restarted): it was rolled back, the number stays
    with the document. Release the lease on a new connection at once, so the clerk's retry reuses the number
    without waiting for LEASE; when the database is still away, the lease runs out by itself."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        return
    connection.close()
    try:
        with transaction.atomic():
            released = Document.objects.filter(pk=document.pk, status=Status.SIGNED,
                                               issuing_since=reservation.lease).update(issuing_since=None)
            if released:
                log.record(actor=acting, verb="documents.outgoing.number_kept", target=document,
                           unit=document.unit_id, data={"number": reservation.number, "notation": reservation.notation,
                                                        "reason": "database connection lost"})
    except DatabaseError:
        connection.close()


@action("documents.outgoing.recalled")
def recall_outgoing(*, document: Document, acting: Person, reason: str) -> Document:
    """Recall (thu hồi): freeze the issued document and cancel every copy received inside the system."""
    document = lock_for(document, acting, access.Need.RECALL)
    reason = required_text(reason, _("Hãy ghi lý do thu hồi."), code="reason_required", field="reason")
    document.status = Status.RECALLED
    document.recalled_at = timezone.now()
    document.recall_reason = reason[:500]
    bump(document, "status", "recalled_at", "recall_reason")
    delivery.send_cancellations(document, reason=reason)
    log.record(actor=acting, verb="documents.outgoing.recalled", target=document, unit=document.unit,
               data={"reason": reason[:500]})
    return document
