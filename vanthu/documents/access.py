"""Who may see and act on documents. Every page, API endpoint and CLI command goes through here.

`access_document` answers 404 (Http404) both for a document that does not exist and for one the person may
not see, so nobody can probe which ids exist. The predicates (`can_*`) are what templates use to show a
button, and what actions check before acting: the button and the endpoint cannot disagree.

Visibility:
- never above the person's clearance (độ mật);
- documents of the person's own unit and of units where they are the clerk — for secret documents only
  the unit's clerk and leaders (need-to-know);
- drafts of the person's own unit (drafting unit);
- everything in the subtrees the person leads;
- what was presented, assigned, sent or submitted to the person or to their unit (DocumentShare), and what
  they created or must sign.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from vanthu.core.choices import Secrecy
from vanthu.documents.models import (
    Direction,
    Document,
    DocumentShare,
    ReviewState,
    ReviewStep,
    Status,
)
from vanthu.org.models import Person, Unit
from vanthu.org.queries import Scope, scope_of


def visible_q(scope: Scope) -> Q:
    members = list(scope.member_unit_ids)
    shared = DocumentShare.objects.filter(document=OuterRef("pk")).filter(
        Q(person_id=scope.person_id) | Q(unit_id__in=members)
    )
    open_secret_units = list(scope.clerk_unit_ids | scope.leader_unit_ids)
    unit_member = (Q(unit_id__in=members) | Q(drafting_unit_id=scope.unit_id)) & Q(secrecy=Secrecy.NONE)
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
    if document.unit_id in scope.clerk_unit_ids or scope.leads(document.unit):
        return True
    if document.created_by_id == person.pk or document.signer_id == person.pk:
        return True
    return DocumentShare.objects.filter(
        Q(person_id=person.pk) | Q(unit_id__in=list(scope.member_unit_ids)), document=document
    ).exists()


def access_document(person: Person | None, pk: int | str, *, need: str = "read") -> Document:
    """The document if `person` may see it (and, with need=..., act on it); Http404 otherwise."""
    if person is None:
        raise Http404
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    document = (
        Document.objects.select_related(
            "unit", "drafting_unit", "doc_type", "register__unit", "signer", "created_by"
        )
        .filter(pk=key)
        .first()
    )
    if document is None or not can_see(person, document):
        raise Http404
    check = PREDICATES.get(need)
    if check is not None and not check(person, document):
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
        and document.status not in (Status.CANCELLED, Status.RETURNED)
        and is_clerk_for(person, document)
    )


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


def is_outgoing(document: Document) -> bool:
    return document.direction == Direction.OUTGOING


PREDICATES = {
    "read": None,
    "register": can_register,
    "return": can_return_received,
    "edit_incoming": can_edit_incoming,
    "edit_draft": can_edit_draft,
    "submit": can_submit,
    "review": can_review,
    "sign": can_sign,
    "issue": can_issue,
    "recall": can_recall,
    "copy": can_copy,
}
