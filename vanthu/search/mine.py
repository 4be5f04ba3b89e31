"""“Văn bản của tôi” (issue 12, item 6): what a person handled, drafted, reviewed or signed, with filters.

Cheap at a million documents (see the search calibration: no count over the archive, no scan of it): each
kind is one query on an index that starts with the person (`Assignment` by person, `ReviewStep` by reviewer,
`Document` by creator and by signer), bounded by `PER_KIND` newest ids, so the cost grows with the person's own
history, never with the archive's. The ids are merged here, the filters (status, direction, year, words
without diacritics) are applied to that small set, then one page is read by keyset (`before` an id) through
`visible_q` — the final authority on what the person may see, clearance included."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vanthu.documents.access import visible_q
from vanthu.documents.models import Direction, Document, ReviewStep
from vanthu.org.models import Person
from vanthu.org.queries import scope_of
from vanthu.search.text import fold, syllables
from vanthu.workflow.models import Assignment

PER_KIND = 2_000  # the newest documents of each kind a person looks back over
PAGE = 30

KINDS: dict[str, Promise] = {
    "handled": _("Đã xử lý"),
    "drafted": _("Đã soạn"),
    "reviewed": _("Đã góp ý dự thảo"),
    "signed": _("Đã ký"),
}


@dataclass(frozen=True)
class Filters:
    kind: str = ""  # one of KINDS, or every kind
    status: str = ""
    direction: str = ""
    year: int | None = None
    q: str = ""


@dataclass
class MyDocuments:
    rows: list[tuple[Document, list[str]]]  # each document with the kinds it is the person's by
    next_before: int | None  # keyset cursor of the next page
    counts: dict[str, int] = field(default_factory=dict)  # per kind, within PER_KIND


def _ids_by_kind(person: Person) -> dict[str, list[int]]:
    handled = (Assignment.objects.filter(person=person, document__isnull=False)
               .order_by("-document_id").values_list("document_id", flat=True).distinct()[:PER_KIND])
    drafted = (Document.objects.filter(created_by=person, direction=Direction.OUTGOING)
               .order_by("-pk").values_list("pk", flat=True)[:PER_KIND])
    reviewed = (ReviewStep.objects.filter(reviewer=person, decided_at__isnull=False)
                .order_by("-document_id").values_list("document_id", flat=True).distinct()[:PER_KIND])
    signed = (Document.objects.filter(signer=person, signed_at__isnull=False)
              .order_by("-pk").values_list("pk", flat=True)[:PER_KIND])
    return {"handled": [i for i in handled if i], "drafted": list(drafted), "reviewed": list(reviewed),
            "signed": list(signed)}


def _folded_words(q: str) -> list[str]:
    return [fold(s) for s in syllables(q)]


def my_documents(person: Person, filters: Filters, *, before: int | None = None, limit: int = PAGE) -> MyDocuments:
    by_kind = _ids_by_kind(person)
    counts = {kind: len(ids) for kind, ids in by_kind.items() if ids}
    kinds_of: dict[int, list[str]] = {}
    for kind, ids in by_kind.items():
        if filters.kind and kind != filters.kind:
            continue
        for pk in ids:
            kinds_of.setdefault(pk, []).append(kind)
    if not kinds_of:
        return MyDocuments(rows=[], next_before=None, counts=counts)
    q = Q(pk__in=list(kinds_of)) & visible_q(scope_of(person))
    if filters.status:
        q &= Q(status=filters.status)
    if filters.direction:
        q &= Q(direction=filters.direction)
    if filters.year:
        q &= Q(created_at__year=filters.year)
    if before is not None:
        q &= Q(pk__lt=before)
    candidates = Document.objects.filter(q).order_by("-pk")
    words = _folded_words(filters.q)
    if words:
        # the words, without diacritics, among the subject's and the notation's: over this person's set only
        picked: list[int] = []
        for pk, subject, code_number, notation in candidates.values_list("pk", "subject", "code_number",
                                                                         "code_notation").iterator():
            have = {fold(s) for s in syllables(f"{subject} {code_number} {notation}")}
            if all(w in have for w in words):
                picked.append(pk)
                if len(picked) > limit:
                    break
        page_ids = picked
    else:
        page_ids = list(candidates.values_list("pk", flat=True)[: limit + 1])
    more = len(page_ids) > limit
    page_ids = page_ids[:limit]
    documents = Document.objects.filter(pk__in=page_ids).select_related("doc_type", "unit").order_by("-pk")
    rows = [(d, [str(KINDS[k]) for k in kinds_of[d.pk]]) for d in documents]
    return MyDocuments(rows=rows, next_before=page_ids[-1] if more and page_ids else None, counts=counts)
