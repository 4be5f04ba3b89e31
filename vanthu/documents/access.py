"""Who may see and act on documents. Every page, API endpoint and CLI command goes through here.

`access_document` answers 404 (Http404) both for a document that does not exist and for one the person may
not see, so nobody can probe which ids exist. The predicates (`can_*`) are what templates use to show a
button, and what actions check before acting: the button and the endpoint cannot disagree.

Visibility:
- never above the person's clearance (độ mật);
- documents of the person's own unit and of units where they are the clerk — for secret documents only
  the unit's clerk and leaders (need-to-know);
- what was shared with a unit: its clerks and leaders (who receive for it), and its other people only below
  the unit's need-to-know level (`Unit.need_to_know_from`, Tối mật by default);
- drafts of the person's own unit (drafting unit);
- everything in the subtrees the person leads;
- what was presented, assigned, sent or submitted to the person or to their unit (DocumentShare), and what
  they created or must sign.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.documents.models import (
    Arrival,
    Direction,
    Document,
    DocumentShare,
    MessageKind,
    OutboxMessage,
    RecallAnswer,
    Recipient,
    ReviewState,
    ReviewStep,
    Status,
)
from vanthu.org.models import Person, Role, RoleGrant, Unit
from vanthu.org.queries import Scope, scope_of, stood_for_ids


class Need(enum.Enum):
    """What a person needs to do with a document: the one registry pages, API, CLI and templates ask.

    Each need maps to one predicate (`predicate_for`). Workflow's needs (PRESENT, DIRECT) get their predicates
    from `vanthu.workflow.permissions`, which registers them when the workflow app starts; FILE from
    `vanthu.records.permissions`.
    """

    READ = "read"
    REGISTER = "register"
    RETURN = "return_received"
    EDIT_INCOMING = "edit_incoming"
    EDIT_DRAFT = "edit_draft"
    SUBMIT = "submit"
    REVIEW = "review"
    SIGN = "sign"
    RETURN_FOR_REVISION = "return_for_revision"
    ISSUE = "issue"
    RECALL = "recall"
    REPLACE = "replace"
    COPY = "copy"
    RETRY_DELIVERY = "retry_delivery"
    ANSWER_RECALL = "answer_recall"
    RECORD_PAPER = "record_paper"
    REPLY = "reply"
    PRESENT = "present"
    DIRECT = "direct"
    FILE = "file"  # file it into a work record (vanthu.records registers the predicate)
    CANCEL_ENTRY = "cancel_entry"


Predicate = Callable[[Person, Document], bool]


def visible_q(scope: Scope) -> Q:
    receivers = list(scope.clerk_unit_ids | scope.leader_unit_ids)
    # A document shared with a unit reaches the people who receive for it (its clerks and leaders); its other
    # people only below the unit's need-to-know level (org.Unit.need_to_know_from, Tối mật by default).
    shared = DocumentShare.objects.filter(document=OuterRef("pk")).filter(
        Q(person_id=scope.person_id)
        | Q(person_id__in=stood_for_ids(scope.person_id))  # shared with someone this person stands in for
        | Q(unit_id__in=receivers)
        | Q(unit_id=scope.unit_id, unit__need_to_know_from__gt=OuterRef("secrecy"))
    )
    open_secret_units = list(scope.clerk_unit_ids | scope.leader_unit_ids)
    unit_member = (Q(unit_id__in=list(scope.member_unit_ids)) | Q(drafting_unit_id=scope.unit_id)) & Q(
        secrecy=Secrecy.NONE
    )
    unit_secret = Q(unit_id__in=open_secret_units)
    involved = Q(created_by_id=scope.person_id) | Q(signer_id=scope.person_id) | Q(Exists(shared))
    reach: Q = unit_member | unit_secret | scope.leader_q() | involved
    return Q(secrecy__lte=scope.clearance) & reach


def documents_visible_to(person: Person) -> QuerySet[Document]:
    return Document.objects.filter(visible_q(scope_of(person)))


def can_see(person: Person, document: Document) -> bool:
    scope = scope_of(person)
    if document.secrecy > scope.clearance:
        return False
    if document.secrecy == Secrecy.NONE and (
        document.unit_id in scope.member_unit_ids or document.drafting_unit_id == scope.unit_id
    ):
        return True
    if document.unit_id in scope.clerk_unit_ids or document.unit_id in scope.leader_unit_ids:
        return True
    if scope.leads(document.unit):
        return True
    if document.created_by_id == person.pk or document.signer_id == person.pk:
        return True
    receivers = list(scope.clerk_unit_ids | scope.leader_unit_ids)
    return DocumentShare.objects.filter(
        Q(person_id=person.pk)
        | Q(person_id__in=stood_for_ids(person.pk))
        | Q(unit_id__in=receivers)
        | Q(unit_id=scope.unit_id, unit__need_to_know_from__gt=document.secrecy),
        document=document,
    ).exists()


# --- clearance at every hand-off: who receives a document for a unit --------------------------------------

RECEIVING_ROLES = (Role.LEADER, Role.CLERK)


def receivers_of(unit: Unit) -> QuerySet[Person]:
    """The people who receive a document for `unit`: its leaders and its clerks (active)."""
    return (
        Person.objects.filter(roles__unit=unit, roles__role__in=RECEIVING_ROLES, is_active=True)
        .distinct()
        .order_by("full_name")
    )


def uncleared_receivers(unit: Unit, secrecy: int) -> list[Person]:
    """The leaders and clerks of `unit` not cleared for `secrecy` (empty for an unclassified document)."""
    if secrecy <= Secrecy.NONE:
        return []
    return list(receivers_of(unit).filter(clearance__lt=secrecy))


def can_unit_receive(unit: Unit, secrecy: int) -> bool:
    """May a document marked `secrecy` be directed, assigned, copied or delivered to `unit` as a unit?

    Only an active unit; for a classified document only one that has someone to receive it (a leader or a
    clerk) and where every leader and clerk is cleared for the mark. The outbox's delivery asks this too.
    """
    if not unit.is_active:
        return False
    if secrecy <= Secrecy.NONE:
        return True
    receivers = list(receivers_of(unit).values_list("clearance", flat=True))
    return bool(receivers) and min(receivers) >= secrecy


def units_cleared_q(secrecy: int, *, prefix: str = "") -> Q:
    """Units that may receive a document marked `secrecy` (for pickers: forms and API look-ups)."""
    if secrecy <= Secrecy.NONE:
        return Q()
    grants = RoleGrant.objects.filter(unit_id=OuterRef(f"{prefix}pk"), role__in=RECEIVING_ROLES,
                                      person__is_active=True)
    return Q(Exists(grants)) & ~Q(Exists(grants.filter(person__clearance__lt=secrecy)))


def unit_refusal(unit: Unit, secrecy: int, *, field: str, target: Document | None = None) -> ActionRefused | None:
    """The refusal naming who lacks clearance when `unit` may not receive a document marked `secrecy`."""
    if can_unit_receive(unit, secrecy):
        return None
    mark = Secrecy(secrecy).label
    if not unit.is_active:
        return ActionRefused(_("Đơn vị “%(unit)s” đã ngừng hoạt động.") % {"unit": unit.name},
                             code="inactive", field=field, target=target)
    lacking = uncleared_receivers(unit, secrecy)
    if not lacking:
        return ActionRefused(
            _("Đơn vị “%(unit)s” không có chỉ huy hoặc văn thư nhận văn bản %(mark)s; hãy giao cho cán bộ được "
              "tiếp cận.") % {"unit": unit.name, "mark": mark},
            code="clearance", field=field, target=target,
        )
    names = ", ".join(f"{p.rank_and_name} ({p.position or unit.name})" for p in lacking)
    return ActionRefused(
        _("Không thể giao văn bản %(mark)s cho “%(unit)s”: %(names)s không được tiếp cận văn bản độ %(mark)s. "
          "Hãy giao cho cán bộ được tiếp cận.") % {"mark": mark, "unit": unit.name, "names": names},
        code="clearance", field=field, target=target,
    )


def person_refusal(person: Person, secrecy: int, *, field: str, target: Document | None = None) -> ActionRefused | None:
    """The refusal naming `person` when they are not cleared for a document marked `secrecy`."""
    if person.clearance >= secrecy:
        return None
    return ActionRefused(
        _("%(name)s không được tiếp cận văn bản độ %(mark)s.") % {"name": person.rank_and_name,
                                                                   "mark": Secrecy(secrecy).label},
        code="clearance", field=field, target=target,
    )


# What `access_document` joins to the document by default: what its pages and the API's detail show.
FULL: tuple[str, ...] = ("unit", "drafting_unit", "doc_type", "register__unit", "signer", "created_by")
# A file download (issue 17): only the document's unit, the one row the decision reads beyond the document's own
# columns (its path, for a leader's subtree). The verdict is the same as with FULL: `can_see` reads the other
# relations by their ids; anything else a caller touches is loaded when touched.
FILE_READ: tuple[str, ...] = ("unit",)


def access_document(
    person: Person | None, pk: int | str, *, need: Need = Need.READ, related: tuple[str, ...] = FULL
) -> Document:
    """The document if `person` may see it (and, with need=Need.X, act on it); Http404 otherwise.

    `need` must be a `Need`: anything else (a string, a misspelt name) is a TypeError, never a silent read check.
    `related`: the relations read with it in the same query (`FILE_READ` for a download: one join, not seven).
    """
    check = predicate_for(need)
    if person is None:
        raise Http404
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    rows = Document.objects.filter(pk=key).order_by()  # (the model's ordering cleared: one row by its key)
    if related:  # (select_related() with no names would follow every non-null foreign key)
        rows = rows.select_related(*related)
    document = next(iter(rows[:1]), None)  # the key is unique: no ORDER BY to build
    if document is None or not can_see(person, document) or not check(person, document):
        raise Http404
    return document


# --- predicates: what a person may do with a document they can see ---------------------------------------


def is_clerk_for(person: Person, document: Document) -> bool:
    return document.unit_id in scope_of(person).clerk_unit_ids


def can_register(person: Person, document: Document) -> bool:
    return document.is_incoming and document.status == Status.RECEIVED and is_clerk_for(person, document)


def can_return_received(person: Person, document: Document) -> bool:
    return can_register(person, document)


def can_edit_incoming(person: Person, document: Document) -> bool:
    return (
        document.is_incoming
        and document.status not in (Status.CANCELLED, Status.RETURNED, Status.VOIDED)
        and is_clerk_for(person, document)
    )


def can_cancel_entry(person: Person, document: Document) -> bool:
    """A clerk of the unit may ask to cancel (hủy) an entry of its registers; the action says what may not be
    cancelled (an issued document is recalled instead; a directed one has work hanging on it)."""
    return document.number is not None and document.status != Status.VOIDED and is_clerk_for(person, document)


def can_edit_draft(person: Person, document: Document) -> bool:
    if not document.is_outgoing or document.status != Status.DRAFT:
        return False
    scope = scope_of(person)
    return (
        document.created_by_id == person.pk
        or document.drafting_unit_id in scope.leader_unit_ids
        or (document.drafting_unit is not None and scope.leads(document.drafting_unit))
    )


def can_submit(person: Person, document: Document) -> bool:
    return can_edit_draft(person, document) and document.current_file_id is not None


def pending_step(person: Person, document: Document) -> ReviewStep | None:
    if document.status != Status.IN_REVIEW:
        return None
    return ReviewStep.objects.filter(document=document, reviewer=person, state=ReviewState.PENDING).first()


def can_review(person: Person, document: Document) -> bool:
    return pending_step(person, document) is not None


def can_sign(person: Person, document: Document) -> bool:
    return (
        document.is_outgoing and document.status == Status.AWAITING_SIGNATURE and document.signer_id == person.pk
    )


def can_return_for_revision(person: Person, document: Document) -> bool:
    return can_sign(person, document)


def can_issue(person: Person, document: Document) -> bool:
    return document.is_outgoing and document.status == Status.SIGNED and is_clerk_for(person, document)


def can_recall(person: Person, document: Document) -> bool:
    if not document.is_outgoing or document.status != Status.ISSUED:
        return False
    scope = scope_of(person)
    return is_clerk_for(person, document) or document.signer_id == person.pk or scope.leads(document.unit)


def can_replace(person: Person, document: Document) -> bool:
    """Drafting a replacement: who may recall it, and the people of the unit that drafted it."""
    if not document.is_outgoing or document.status != Status.ISSUED:
        return False
    scope = scope_of(person)
    drafting = document.drafting_unit
    drafted_here = drafting is not None and (drafting.pk == scope.unit_id or scope.leads(drafting))
    return drafted_here or can_recall(person, document)


COPYABLE = (Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS, Status.DONE, Status.ISSUED)


def can_copy(person: Person, document: Document) -> bool:
    """A clerk may make electronic copies (SAO Y, SAO LỤC, TRÍCH SAO) of a registered or issued document
    they can see, signed with the organisation signature of a unit they are clerk of."""
    return (
        bool(scope_of(person).clerk_unit_ids) and document.status in COPYABLE and document.current_file_id is not None
    )


def can_print_register(person: Person, unit: Unit) -> bool:
    """The unit's clerks, and leaders whose subtree holds the unit, read and print its registers."""
    scope = scope_of(person)
    return unit.pk in scope.clerk_unit_ids or scope.leads(unit)


def can_see_usage(person: Person, document: Document) -> bool:
    """Who opened, downloaded and printed a document (Decree 30 checklist point 52) is shown to the document's
    unit's clerks, to the leaders whose subtree holds the unit and to its administrators (there is no separate
    security-officer role: the unit's leaders answer for its secrets)."""
    scope = scope_of(person)
    unit = document.unit
    return unit.pk in scope.clerk_unit_ids or scope.leads(unit) or scope.administers(unit)


def is_outgoing(document: Document) -> bool:
    return document.direction == Direction.OUTGOING


def can_read(person: Person, document: Document) -> bool:
    """Reading needs nothing beyond seeing the document (`can_see`, checked first by `access_document`)."""
    return True


def can_retry_delivery(person: Person, document: Document) -> bool:
    """The issuing unit's clerks send an issued document again where its delivery failed, or a recall (13)
    that failed; the receiving unit's clerks send again a status (01–06, 15, 16) that failed."""
    if document.is_outgoing and document.status == Status.ISSUED:
        return is_clerk_for(person, document)
    if document.is_incoming or document.status in (Status.RECALLED, Status.REPLACED):
        return is_clerk_for(person, document) and OutboxMessage.objects.filter(
            document=document, kind=MessageKind.STATUS, state=OutboxMessage.State.FAILED).exists()
    return False


def can_answer_recall(person: Person, document: Document) -> bool:
    """The sender asked to recall a document whose handling was done here: the unit's clerks and the leaders
    over it accept (15) or refuse (16)."""
    if not document.is_incoming or document.status != Status.DONE:
        return False
    if not (is_clerk_for(person, document) or scope_of(person).leads(document.unit)):
        return False
    return Arrival.objects.filter(document=document, recall_answer=RecallAnswer.PENDING).exists()


def can_record_paper(person: Person, document: Document) -> bool:
    """The issuing unit's clerks record the paper copy sent to a recipient nothing delivered electronically
    (issue 12): an outside body named only, or one whose delivery failed."""
    if not document.is_outgoing or document.status != Status.ISSUED or not is_clerk_for(person, document):
        return False
    failed = OutboxMessage.objects.filter(recipient=OuterRef("pk"), kind=MessageKind.DOCUMENT,
                                          state=OutboxMessage.State.FAILED)
    return Recipient.objects.filter(document=document).filter(
        Q(state=Recipient.State.PAPER_PENDING) | Q(Exists(failed), state=Recipient.State.SENT)).exists()


REPLYABLE = (Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS, Status.DONE)


def can_reply(person: Person, document: Document) -> bool:
    """"Soạn văn bản trả lời": a registered incoming document the person sees, by someone who may draft
    (every person drafts for their own unit); the draft is linked to it both ways."""
    return document.is_incoming and document.status in REPLYABLE and person.unit_id is not None


_PREDICATES: dict[Need, Predicate] = {
    Need.READ: can_read,
    Need.REGISTER: can_register,
    Need.RETURN: can_return_received,
    Need.EDIT_INCOMING: can_edit_incoming,
    Need.EDIT_DRAFT: can_edit_draft,
    Need.SUBMIT: can_submit,
    Need.REVIEW: can_review,
    Need.SIGN: can_sign,
    Need.RETURN_FOR_REVISION: can_return_for_revision,
    Need.ISSUE: can_issue,
    Need.RECALL: can_recall,
    Need.REPLACE: can_replace,
    Need.COPY: can_copy,
    Need.RETRY_DELIVERY: can_retry_delivery,
    Need.ANSWER_RECALL: can_answer_recall,
    Need.RECORD_PAPER: can_record_paper,
    Need.REPLY: can_reply,
    Need.CANCEL_ENTRY: can_cancel_entry,
}


def register_predicate(need: Need, predicate: Predicate) -> None:
    """Apps above documents (workflow) give the predicates of the needs they own, once, at start-up."""
    if not isinstance(need, Need):
        raise TypeError(f"not a Need: {need!r}")
    current = _PREDICATES.get(need)
    if current is not None and current is not predicate:
        raise ValueError(f"{need} already has a predicate ({current.__qualname__})")
    _PREDICATES[need] = predicate


def predicate_for(need: Need) -> Predicate:
    """The predicate of `need`; TypeError for anything that is not a Need, LookupError for a Need whose app has
    not given its predicate (a wiring mistake, never a silent read check)."""
    if not isinstance(need, Need):
        raise TypeError(f"not a Need: {need!r}")
    try:
        return _PREDICATES[need]
    except KeyError:
        raise LookupError(f"no predicate registered for {need}") from None


def allows(person: Person, document: Document, need: Need) -> bool:
    """What templates and the API's `allowed_actions` ask: may `person` act on `document` with `need`."""
    return predicate_for(need)(person, document)


def allowed(person: Person, document: Document) -> dict[str, bool]:
    """Every need at once, by name (`can.replace` in templates): the buttons ask the same registry as the views."""
    return {need.value: predicate_for(need)(person, document) for need in Need if need in _PREDICATES}
