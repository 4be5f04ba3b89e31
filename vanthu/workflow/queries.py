"""The inbox: everything waiting for one person, urgent first, then by deadline, then oldest first.

Every section filters by the person's clearance on its own (`secrecy <= clearance`), whatever the actions did:
a mistake in one hand-off can never surface a document above someone's clearance through the inbox.

Built from a few small indexed queries (each bounded by LIMIT, each on an index over open states only), so
its cost does not grow with the archive: 10 million closed documents cost nothing here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vanthu.documents import limits
from vanthu.documents.formatting import notation_file_name
from vanthu.documents.models import Document, DocumentFile, DraftVersion, ReviewState, ReviewStep, Status
from vanthu.org.models import Person
from vanthu.org.queries import scope_of, stood_for_ids
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentRole, AssignmentState

SECTION_LIMIT = 50
COUNT_CAP = 999

KINDS: dict[str, Promise] = {
    "register": _("Chờ vào sổ"),
    "present": _("Chờ trình"),
    "direct": _("Chờ cho ý kiến chỉ đạo"),
    "lead": _("Chủ trì xử lý"),
    "cooperate": _("Phối hợp xử lý"),
    "unit": _("Giao cho đơn vị, chờ phân công"),
    "info": _("Để biết"),
    "review": _("Chờ cho ý kiến dự thảo"),
    "sign": _("Chờ ký"),
    "issue": _("Chờ phát hành"),
    "draft": _("Dự thảo của tôi"),
}


@dataclass(frozen=True)
class InboxItem:
    kind: str
    document: Document
    urgency: int
    deadline: dt.date | None
    since: dt.datetime
    assignment: Assignment | None = None
    step: ReviewStep | None = None
    acting_for: Person | None = None  # whose item a stand-in handles (xử lý thay): marked on the row
    legal: limits.Limit | None = None  # the clerk's same-day limit of Decree 30, when the deadline is one

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


    def overdue(self, today: dt.date) -> bool:
        return self.deadline is not None and self.deadline < today

    @property
    def sort_key(self) -> tuple[int, dt.date, float]:
        """Urgent first, then the nearest deadline, then the newest (within the same urgency and deadline the
        newest presented comes first: the older ones were seen in the earlier visits)."""
        return (-self.urgency, self.deadline or dt.date.max, -self.since.timestamp())

    @property
    def deadline_key(self) -> tuple[dt.date, int, float]:
        """Sorted on the deadline: the nearest (overdue) first, then urgency, then the newest."""
        return (self.deadline or dt.date.max, -self.urgency, -self.since.timestamp())


SORTS = ("urgency", "deadline")


@dataclass
class Inbox:
    items: list[InboxItem]
    counts: dict[str, int]  # per kind, capped at COUNT_CAP (shown as "999+")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


DOC_RELATED = ("unit", "doc_type")


def _capped_count(qs: object) -> int:
    return len(qs[: COUNT_CAP + 1].values_list("pk", flat=True))  # type: ignore[index]


def inbox_for(person: Person, *, kinds: set[str] | None = None, sort: str = "urgency") -> Inbox:
    scope = scope_of(person)
    items: list[InboxItem] = []
    counts: dict[str, int] = {}

    def want(kind: str) -> bool:
        return kinds is None or kind in kinds

    clerk_units = list(scope.clerk_unit_ids)
    if clerk_units:
        for kind, status, since_field in (
            ("register", Status.RECEIVED, "arrival_at"),
            ("present", Status.REGISTERED, "arrival_at"),
            ("issue", Status.SIGNED, "signed_at"),
        ):
            if not want(kind):
                continue
            qs = Document.objects.filter(unit_id__in=clerk_units, status=status, secrecy__lte=scope.clearance)
            counts[kind] = _capped_count(qs)
            for doc in qs.select_related(*DOC_RELATED).order_by("-urgency", "created_at")[:SECTION_LIMIT]:
                since = getattr(doc, since_field) or doc.created_at
                limit = limits.limit_of(doc)  # the clerk's legal limit (checklist 22, 27) is the item's deadline
                items.append(InboxItem(kind, doc, doc.urgency, limit.day if limit else doc.due_date, since,
                                       legal=limit))

    unit_targets = list(scope.leader_unit_ids)
    # and the work of the people this person stands in for today (xử lý thay, issue 12), marked on the row
    assignment_q = Q(person_id=person.pk) | Q(person_id__in=stood_for_ids(person.pk))
    if unit_targets:
        assignment_q |= Q(unit_id__in=unit_targets)
    if any(want(k) for k in ("direct", "lead", "cooperate", "info", "unit")):
        waiting = Q(state__in=OPEN_STATES) | Q(state=AssignmentState.INFO, seen_at__isnull=True)
        assignments = Assignment.objects.filter(
            assignment_q, waiting, document__isnull=False, document__secrecy__lte=scope.clearance
        ).exclude(
            Q(unit__isnull=False) & Q(forwards__state__in=OPEN_STATES)
        ).exclude(document__status__in=(Status.CANCELLED, Status.RETURNED, Status.VOIDED))
        rows = list(
            assignments.select_related("document__unit", "document__doc_type", "unit", "person")
            .order_by("-urgency", "deadline", "created_at")[: SECTION_LIMIT * 4]
        )
        for a in rows:
            if a.unit_id is not None:
                kind = "unit"
            else:
                kind = {AssignmentRole.PRESENT: "direct", AssignmentRole.LEAD: "lead",
                        AssignmentRole.COOPERATE: "cooperate", AssignmentRole.INFO: "info"}[AssignmentRole(a.role)]
            if not want(kind):
                continue
            counts[kind] = counts.get(kind, 0) + 1
            assert a.document is not None
            acting_for = a.person if a.person_id is not None and a.person_id != person.pk else None
            # a presented document has no deadline of its own yet: the document's (hạn xử lý) is shown
            deadline = a.deadline or (a.document.due_date if kind == "direct" else None)
            items.append(InboxItem(kind, a.document, a.urgency, deadline, a.created_at, assignment=a,
                                   acting_for=acting_for))

    if want("review"):
        steps = ReviewStep.objects.filter(reviewer=person, state=ReviewState.PENDING,
                                          document__status=Status.IN_REVIEW, document__secrecy__lte=scope.clearance)
        counts["review"] = _capped_count(steps)
        for step in steps.select_related("document__unit", "document__doc_type")[:SECTION_LIMIT]:
            doc = step.document
            items.append(InboxItem("review", doc, doc.urgency, doc.due_date, doc.updated_at, step=step))

    if want("sign"):
        qs = Document.objects.filter(signer=person, status=Status.AWAITING_SIGNATURE, secrecy__lte=scope.clearance)
        counts["sign"] = _capped_count(qs)
        for doc in qs.select_related(*DOC_RELATED).order_by("-urgency", "updated_at")[:SECTION_LIMIT]:
            items.append(InboxItem("sign", doc, doc.urgency, doc.due_date, doc.updated_at))

    if want("draft"):
        qs = Document.objects.filter(created_by=person, status=Status.DRAFT, secrecy__lte=scope.clearance)
        counts["draft"] = _capped_count(qs)
        for doc in qs.select_related(*DOC_RELATED).order_by("-urgency", "-updated_at")[:SECTION_LIMIT]:
            items.append(InboxItem("draft", doc, doc.urgency, doc.due_date, doc.updated_at))

    items.sort(key=lambda item: item.deadline_key if sort == "deadline" else item.sort_key)
    return Inbox(items=items, counts={k: v for k, v in counts.items() if v})


def today() -> dt.date:
    return timezone.localdate()


# --- the commander's follow-up list ---------------------------------------------------------------------

FOLLOW_UP_LIMIT = 200


@dataclass(frozen=True)
class FollowUpGroup:
    state: str
    label: str
    rows: list[Assignment]


def follow_up_for(person: Person, *, today: dt.date) -> list[FollowUpGroup]:
    """What `person` directed (the lead, co-operating and for-information tasks of his directions), grouped by
    state — overdue first, then open by deadline, then done. Two bounded queries on the tasks he created
    (open ones first, then the latest closed ones), whatever the size of the archive."""
    scope = scope_of(person)
    base = Assignment.objects.filter(
        created_by=person, parent__isnull=True, document__isnull=False, document__secrecy__lte=scope.clearance,
        role__in=(AssignmentRole.LEAD, AssignmentRole.COOPERATE),
    ).select_related("document__doc_type", "person", "unit")
    open_rows = list(base.filter(state__in=OPEN_STATES).order_by("deadline", "-urgency", "-pk")[:FOLLOW_UP_LIMIT])
    closed = list(base.filter(state__in=(AssignmentState.DONE, AssignmentState.RETURNED))
                  .order_by("-pk")[:FOLLOW_UP_LIMIT // 4])
    overdue = [a for a in open_rows if a.deadline is not None and a.deadline < today]
    groups = [FollowUpGroup("overdue", str(_("Quá hạn")), overdue)]
    for state in (AssignmentState.AWAITING, AssignmentState.IN_PROGRESS, AssignmentState.OPEN):
        rows = [a for a in open_rows if a.state == state and a not in overdue]
        groups.append(FollowUpGroup(state, str(AssignmentState(state).label), rows))
    groups.append(FollowUpGroup("closed", str(_("Đã xong, đã trả lại")), closed))
    return [g for g in groups if g.rows]


def main_file_name(document: Document) -> str:
    """The name the document page gives the current PDF (its main file's, else its version's, else its
    notation's), for the signed link of the pages that link the file without listing them all (the direction)."""
    name = (DocumentFile.objects.filter(document=document, kind=DocumentFile.Kind.MAIN,
                                        file_id=document.current_file_id).values_list("name", flat=True).first())
    if name:
        return str(name)
    source = (DraftVersion.objects.filter(document=document, pdf_id=document.current_file_id)
              .values_list("source_name", flat=True).first())
    if source:
        return f"{str(source).rsplit('.', 1)[0]}.pdf"
    return notation_file_name(document.notation)
