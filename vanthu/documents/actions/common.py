"""Helpers shared by the document actions: refusals, locking, version checks, shares, stored files."""


import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core import files
from vanthu.core.choices import Urgency
from vanthu.core.errors import ActionRefused, ConcurrentEdit
from vanthu.documents import access, guards
from vanthu.documents.models import (
    Document,
    DocumentFile,
    DocumentShare,
)
from vanthu.documents.uploads import CheckedFile
from vanthu.jobs import enqueue_on_commit
from vanthu.org.models import Person, Unit


class DuplicateSubmission(ActionRefused):
    """The same form was submitted twice; `existing` is what the first submission created."""

    def __init__(self, existing: Document) -> None:
        super().__init__(
            _("Yêu cầu này đã được thực hiện (gửi hai lần); không tạo thêm văn bản."),
            code="duplicate_submission", target=existing, status=409,
        )
        self.existing = existing


class HasUrgency(Protocol):
    """What `check_urgency` reads of an incoming or draft form's data."""

    urgency: int
    urgent_until: dt.datetime | None


# the needs whose action changes what a document is: refused while a guard says no (documents.guards)
GUARDED = frozenset({access.Need.CANCEL_ENTRY, access.Need.RECALL, access.Need.REPLACE, access.Need.ANSWER_RECALL,
                     access.Need.EDIT_INCOMING})


# --- shared helpers --------------------------------------------------------------------------------------


def deny(document: Document | None = None) -> ActionRefused:
    """The refusal of an action the person may not take (the document itself they may see)."""
    return ActionRefused(_("Bạn không có quyền thực hiện thao tác này với văn bản."), code="forbidden",
                         target=document, status=403)


def lock_for(document: Document, acting: Person, need: access.Need,
             related: tuple[str, ...] | None = None) -> Document:
    """The document re-read and locked (see `lock`), if `acting` has `need` on it as it now stands; the
    refusal of `deny` otherwise. `related`: as for `lock`."""
    document = lock(document, related=related)
    if not access.allows(acting, document, need):
        raise deny(document)
    if need in GUARDED:
        guards.check_change(document)  # e.g. filed in a frozen work record (records, decision 0027)
    return document


def required_text(text: str, message: str, *, code: str, field: str) -> str:
    """`text` stripped; refused with `message` when nothing is left (a reason, a comment)."""
    text = text.strip()
    if not text:
        raise ActionRefused(message, code=code, field=field)
    return text


def check_version(document: Document, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != document.version:
        raise ConcurrentEdit(
            _("Văn bản vừa được người khác thay đổi. Hãy tải lại trang để xem bản mới nhất rồi thực hiện lại."),
            target=document,
        )


# What `lock` reads with the document unless told: what most actions (and the pages after them) touch.
LOCKED_WITH: tuple[str, ...] = ("unit", "drafting_unit", "doc_type", "signer", "register")


_ROW_LOCKED = "SELECT * FROM {table} WHERE {pk} = %s{lock}"


def lock(document: Document, *, related: tuple[str, ...] | None = None) -> Document:
    """Re-read the document locked for update (FOR UPDATE) until the action's transaction ends, with the
    relations `related` (`LOCKED_WITH` unless given: an action that reads fewer names them; any other is
    read when touched). `related=()`: the row alone, by a statement written out (building the ORM's SELECT of
    the document's sixty columns cost twice its run: decision 0047)."""
    if related == ():
        connection = transaction.get_connection()
        sql = _ROW_LOCKED.format(table=connection.ops.quote_name(Document._meta.db_table),
                                 pk=connection.ops.quote_name(Document._meta.pk.column),
                                 lock=" FOR UPDATE" if connection.features.has_select_for_update else "")
        locked = next(iter(Document.objects.raw(sql, [document.pk])), None)  # every column, each converted
    else:
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins select_related makes.
        rows = Document.objects.select_for_update(of=("self",)).filter(pk=document.pk).order_by()
        rows = rows.select_related(*(LOCKED_WITH if related is None else related))
        locked = next(iter(rows[:1]), None)  # the key is unique: no ORDER BY, no LIMIT 21 and count
    if locked is None:
        raise Document.DoesNotExist("Document matching query does not exist.")
    return locked


def bump(document: Document, *fields: str) -> None:
    document.version += 1
    document.save(update_fields=[*fields, "version", "updated_at"])


def validate_fields(document: Document, *, exclude: Sequence[str] = ()) -> None:
    try:
        document.full_clean(exclude=[*exclude, "client_token"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
        name, messages = next(iter(errors.items()))
        label = name
        if name != "__all__":
            label = str(getattr(Document._meta.get_field(name), "verbose_name", name))
        raise ActionRefused(f"{label}: {' '.join(messages)}", code="invalid", field=name, target=None) from exc


def check_urgency(data: HasUrgency) -> None:
    """'Hỏa tốc hẹn giờ' needs its set time; any other urgency carries none."""
    if data.urgency == Urgency.FLASH_TIMED and data.urgent_until is None:
        raise ActionRefused(_("Văn bản hỏa tốc hẹn giờ phải ghi giờ hẹn."), code="urgent_until_required",
                            field="urgent_until")
    if data.urgency != Urgency.FLASH_TIMED:
        data.urgent_until = None


def check_due_date(due_date: dt.date | None) -> None:
    if due_date is not None and due_date < timezone.localdate():
        raise ActionRefused(_("Hạn xử lý không được ở trong quá khứ."), code="due_date_past", field="due_date")


def check_token(client_token: uuid.UUID | None) -> None:
    if client_token is None:
        return
    existing = Document.objects.filter(client_token=client_token).first()
    if existing is not None:
        raise DuplicateSubmission(existing)


def save_new(document: Document) -> None:
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
    """Let a person or unit see the document (no duplicate rows); never anyone not cleared for it."""
    refusal = (access.person_refusal(person, document.secrecy, field="to", target=document) if person is not None
               else access.unit_refusal(unit, document.secrecy, field="to", target=document) if unit is not None
               else None)
    if refusal is not None:
        raise refusal
    exists = DocumentShare.objects.filter(document=document, person=person, unit=unit, reason=reason).exists()
    if not exists:
        DocumentShare.objects.create(document=document, person=person, unit=unit, reason=reason)


def store(checked: CheckedFile) -> files.StoredFile:
    return files.store_bytes(checked.data, content_type=checked.content_type)


def attach(document: Document, attachments: Sequence[CheckedFile], *, acting: Person) -> None:
    for ordinal, item in enumerate(attachments, start=1):
        DocumentFile.objects.create(
            document=document, kind=DocumentFile.Kind.ATTACHMENT, name=item.name[:200], file=store(item),
            ordinal=ordinal, added_by=acting,
        )


def validate_on_commit(stored: files.StoredFile) -> None:
    """Check the file's signatures in a job after commit (it may ask a TSA, OCSP responder or CRL over the
    network: never inside the request or under a lock); the verdict is stored with the file."""
    enqueue_on_commit("vanthu.documents.jobs.validate_stored_file", stored.sha256)
