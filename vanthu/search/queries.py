"""Search as a read: the access filter, the person's filters and the engine's match condition in one query.

`search(person, raw_query, filters)` never reveals a document the person may not see: results, totals,
facets, snippets and the spelling suggestion are all computed from `documents_visible_to(person)` (the
project's visibility rule) narrowed again to the person's clearance.

With an engine that keeps access tokens in its index (PostgreSQL), the same rule is asked of the index: the
person's access clause (`tokens.tsquery_access`, the rule of `visible_q` restated token by token) and the
filters that have tokens are ANDed into the match condition, and totals, pages and facets are answered from the
index alone (`_indexed`). The page's documents are then loaded through `visible_q` again, the final authority.
Filters without tokens (issuing body, dates, register, signer, deadline) take the documents path, with the
access tokens still narrowing the candidates.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from vanthu.documents.access import visible_q
from vanthu.documents.models import INCOMING_OPEN, OUTGOING_OPEN, Document
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.search import parsing, text, tokens
from vanthu.search.engines import Condition, Engine, engine_for
from vanthu.search.engines.postgres import combine
from vanthu.search.models import ExtractedText, Term

EXACT_UP_TO = 10_000  # totals are exact up to here, then "hơn 10.000"
FACET_CAP = 2_000  # facets count among the first matches when there are more
PAGE_MAX = 100
OFFSET_MAX = 2_000
SOON_DAYS = 3
MAX_WORD = 12  # longer "words" are codes or noise: not spell-corrected


@dataclass
class Filters:
    doc_type: int | None = None
    unit: int | None = None  # the register's unit and its sub-units
    organ: str = ""  # issuing body
    direction: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    register: int | None = None
    year: int | None = None
    status: str = ""
    urgency: int | None = None
    secrecy: int | None = None
    signer: str = ""
    deadline: str = ""  # overdue | soon | open | none


@dataclass
class Hit:
    document: Document
    tier: int
    snippet: SafeString
    title: SafeString = field(default_factory=lambda: mark_safe(""))


@dataclass
class Facet:
    key: str
    label: str
    values: list[tuple[Any, str, int]]


@dataclass
class Result:
    hits: list[Hit]
    total: int
    total_exact: bool
    facets: list[Facet] = field(default_factory=list)
    facets_exact: bool = True
    notices: list[str] = field(default_factory=list)
    corrected: str = ""

    @property
    def total_label(self) -> str:
        if self.total_exact:
            return f"{self.total:,}".replace(",", ".")
        return _("hơn %(n)s") % {"n": f"{EXACT_UP_TO:,}".replace(",", ".")}


def scoped(person: Person) -> QuerySet[Document]:
    scope = scope_of(person)
    return Document.objects.filter(visible_q(scope)).filter(secrecy__lte=scope.clearance)


def access_clause(person: Person) -> str:
    """The person's side of the access rule as an index condition (see `search/tokens.py`)."""
    scope = scope_of(person)
    if scope.clearance >= tokens.MAX_SECRECY and scope.leader_paths:
        # who leads every top unit with the highest clearance sees every document: no clause at all
        tops = {f"{u.path}" for u in Unit.objects.filter(parent__isnull=True).only("path")}
        if tops and tops <= set(scope.leader_paths):
            return ""
    return tokens.tsquery_access(tokens.Reach(
        person_id=scope.person_id, unit_id=scope.unit_id, clearance=scope.clearance,
        clerk_unit_ids=scope.clerk_unit_ids, leader_unit_ids=scope.leader_unit_ids,
        leader_paths=scope.leader_paths,
    ))


def filter_clause(filters: Filters) -> str | None:
    """The filters as index tokens, or None when one of them has none (then the documents are queried)."""
    f = filters
    if f.organ or f.date_from or f.date_to or f.register or f.signer or f.deadline:
        return None
    parts = []
    if f.doc_type:
        parts.append(f"'~k{int(f.doc_type)}'")
    if f.unit:
        parts.append(f"'~t{int(f.unit)}'" if Unit.objects.filter(pk=f.unit).exists() else "'~none'")
    if f.direction:
        parts.append(f"'~o{text.fold(f.direction)}'" if f.direction.isalnum() else "'~none'")
    if f.year:
        parts.append(f"'~y{int(f.year)}'")
    if f.status:
        parts.append(f"'~x{f.status}'" if f.status.replace("_", "").isalnum() else "'~none'")
    if f.urgency is not None:
        parts.append(f"'~g{int(f.urgency)}'")
    if f.secrecy is not None:
        parts.append(f"'~s{int(f.secrecy)}'")
    return " & ".join(parts)


def apply_filters(qs: QuerySet[Document], filters: Filters, notices: list[str]) -> QuerySet[Document]:
    f = filters
    if f.date_from and f.date_to and f.date_from > f.date_to:
        notices.append(_("Ngày bắt đầu sau ngày kết thúc: đã đổi chỗ hai ngày."))
        f.date_from, f.date_to = f.date_to, f.date_from
    if f.doc_type:
        qs = qs.filter(doc_type_id=f.doc_type)
    if f.unit:
        path = Unit.objects.filter(pk=f.unit).values_list("path", flat=True).first()
        qs = qs.filter(unit__path__startswith=path) if path else qs.none()
    if f.organ:
        qs = qs.filter(organ_name=f.organ)
    if f.direction:
        qs = qs.filter(direction=f.direction)
    if f.date_from:
        qs = qs.filter(issued_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(issued_date__lte=f.date_to)
    if f.register:
        qs = qs.filter(register_id=f.register)
    if f.year:
        qs = qs.filter(register__year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.urgency is not None:
        qs = qs.filter(urgency=f.urgency)
    if f.secrecy is not None:
        qs = qs.filter(secrecy=f.secrecy)
    if f.signer:
        qs = qs.filter(signer_name__icontains=f.signer)
    if f.deadline:
        today = timezone.localdate()
        open_q = Q(status__in=list(INCOMING_OPEN) + list(OUTGOING_OPEN))
        if f.deadline == "overdue":
            qs = qs.filter(open_q, due_date__lt=today)
        elif f.deadline == "soon":
            qs = qs.filter(open_q, due_date__gte=today, due_date__lte=today + dt.timedelta(days=SOON_DAYS))
        elif f.deadline == "open":
            qs = qs.filter(open_q, due_date__isnull=False)
        elif f.deadline == "none":
            qs = qs.filter(due_date__isnull=True)
    return qs


def matching(qs: QuerySet[Document], condition: Condition, extra: str = "") -> QuerySet[Document]:
    fragment = engine_for(connection).fragment(condition, extra)
    # The fragment is the engine's own SQL; user text reaches it only as a bound parameter (our lexemes).
    return qs.extra(tables=fragment.tables, where=fragment.where, params=fragment.params)  # noqa: S610


BY_DATE = (F("issued_date").desc(nulls_last=True), F("id").desc())


def capped_count(qs: QuerySet[Document], cap: int = EXACT_UP_TO) -> tuple[int, bool]:
    n = qs.order_by().values("id")[: cap + 1].count()
    return (n, True) if n <= cap else (cap, False)


def _page_ids(base: QuerySet[Document], conditions: list[Condition], *, offset: int, limit: int,
              by_relevance: bool, extra: str = "") -> list[tuple[int, int]]:
    """(id, tier) of one page: best tier first, newest first within a tier."""
    need = offset + limit
    if not by_relevance:
        conditions = conditions[-1:]
    seen: dict[int, int] = {}
    for tier, condition in enumerate(conditions):
        ids = matching(base, condition, extra).order_by(*BY_DATE).values_list("id", flat=True)[: need + len(seen)]
        if _take(seen, tier, ids, need):
            break
    return list(seen.items())[offset:need]


def _take(seen: dict[int, int], tier: int, ids: Any, need: int) -> bool:
    """Add a tier's ids (newest first) to the page's (id → best tier) until it holds `need`; True when full."""
    for pk in ids:
        seen.setdefault(pk, tier)
        if len(seen) >= need:
            return True
    return False


def _load(ids: list[tuple[int, int]], query: parsing.ParsedQuery, person: Person) -> list[Hit]:
    if not ids:
        return []
    docs = scoped(person).select_related("doc_type", "unit").in_bulk([pk for pk, _ in ids])
    bodies = dict(
        ExtractedText.objects.filter(document_id__in=[pk for pk, _ in ids]).values_list("document_id", "text")
    )
    terms = parsing.highlight_terms(query)
    return [
        Hit(document=docs[pk], tier=tier, snippet=snippet(bodies.get(pk, ""), terms),
            title=mark(docs[pk].subject, terms))
        for pk, tier in ids
        if pk in docs
    ]


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def mark(value: str, terms: set[str]) -> SafeString:
    """`value` escaped, with words whose folded form is a query syllable in <mark>."""
    out: list[str] = []
    last = 0
    for found in _WORD.finditer(value):
        word = found.group(0)
        if text.fold(text.syllables(word)[0] if text.syllables(word) else word) in terms:
            out.append(html.escape(value[last : found.start()]))
            out.append(f"<mark>{html.escape(word)}</mark>")
            last = found.end()
    out.append(html.escape(value[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece is escaped above)


def snippet(body: str, terms: set[str], *, width: int = 220) -> SafeString:
    if not body or not terms:
        return mark_safe("")
    words = list(_WORD.finditer(body[:200_000]))
    start = -1
    for found in words:
        if text.fold(found.group(0).lower()) in terms:
            start = max(0, found.start() - width // 3)
            break
    if start < 0:
        return mark_safe("")  # the body does not hold the words (they are in the subject or notation)
    piece = " ".join(body[start : start + width].split())
    return mark(("… " if start else "") + piece + " …", terms)


def _facets(qs: QuerySet[Document], *, total_exact: bool) -> list[Facet]:
    if not total_exact:
        qs = Document.objects.filter(pk__in=list(qs.order_by().values_list("id", flat=True)[:FACET_CAP]))
    base = qs
    out = []
    specs: list[tuple[str, str, str, str | None]] = [
        ("doc_type", _("Loại văn bản"), "doc_type_id", "doc_type__name"),
        ("direction", _("Chiều"), "direction", None),
        ("unit", _("Đơn vị"), "unit_id", "unit__name"),
        ("status", _("Trạng thái"), "status", None),
        ("urgency", _("Độ khẩn"), "urgency", None),
        ("secrecy", _("Độ mật"), "secrecy", None),
        ("year", _("Năm"), "register__year", None),
    ]
    choices: dict[str, dict[Any, str]] = {
        "direction": dict(Document._meta.get_field("direction").flatchoices),
        "status": dict(Document._meta.get_field("status").flatchoices),
        "urgency": dict(Document._meta.get_field("urgency").flatchoices),
        "secrecy": dict(Document._meta.get_field("secrecy").flatchoices),
    }
    for key, label, column, name in specs:
        fields = [column] + ([name] if name else [])
        rows = base.order_by().values(*fields).annotate(n=Count("id")).order_by("-n")[:12]
        values = []
        for row in rows:
            if row[column] is None:
                continue
            shown = row[name] if name else choices.get(key, {}).get(row[column], str(row[column]))
            values.append((row[column], str(shown), int(row["n"])))
        if values:
            out.append(Facet(key=key, label=str(label), values=values))
    return out


def correct(query: parsing.ParsedQuery) -> parsing.ParsedQuery | None:
    """The query with longer misspelt words replaced by the closest known word (one edit), or None."""
    changed = False
    words = []
    for word in query.words:
        folded = text.fold(word)
        if not 4 <= len(folded) <= MAX_WORD or Term.objects.filter(term=folded).exists():
            words.append(word)
            continue
        candidates = (
            Term.objects.annotate(n=Length("term"))
            .filter(term__startswith=folded[0], n__gte=len(folded) - 1, n__lte=len(folded) + 1)
            .values_list("term", flat=True)[:5000]
        )
        best = min(candidates, key=lambda t: (text.edit_distance(folded, t, 1), t), default=None)
        if best is not None and text.edit_distance(folded, best, 1) <= 1:
            words.append(best)
            changed = True
        else:
            words.append(word)
    if not changed:
        return None
    return parsing.ParsedQuery(words=words, phrases=query.phrases, notations=query.notations)


def search(person: Person, raw: str, filters: Filters | None = None, *, offset: int = 0, limit: int = 20,
           by_relevance: bool = True, facets: bool = True) -> Result:
    filters = filters or Filters()
    notices: list[str] = []
    limit = max(1, min(limit, PAGE_MAX))
    offset = max(0, min(offset, OFFSET_MAX))
    query = parsing.parse(raw)
    if query.truncated:
        notices.append(_("Câu tìm quá dài: chỉ tìm theo %(n)d âm tiết đầu.") % {"n": parsing.MAX_SYLLABLES})
    engine = engine_for(connection)
    access = access_clause(person) if engine.access_in_index else ""
    by_tokens = filter_clause(filters) if engine.access_in_index else None
    if by_tokens is not None:
        return _indexed(engine, person, raw, query, combine(access, by_tokens), offset=offset, limit=limit,
                        by_relevance=by_relevance, facets=facets, notices=notices)
    base = apply_filters(scoped(person), filters, notices)
    if query.empty:
        if (raw or "").strip():
            notices.append(_("Câu tìm không có chữ hay số nào: đang liệt kê mọi văn bản theo bộ lọc."))
        total, exact = capped_count(base)
        page = list(base.order_by(*BY_DATE).values_list("id", flat=True)[offset : offset + limit])
        return Result(
            hits=_load([(pk, 0) for pk in page], query, person), total=total, total_exact=exact,
            facets=_facets(base, total_exact=exact) if facets else [], facets_exact=exact, notices=notices,
        )
    conditions = parsing.tiers(query)
    matched = matching(base, conditions[-1], access)
    total, exact = capped_count(matched)
    corrected = ""
    if total == 0:
        better = correct(query)
        if better is not None:
            better_conditions = parsing.tiers(better)
            better_matched = matching(base, better_conditions[-1], access)
            better_total, better_exact = capped_count(better_matched)
            if better_total:
                query, conditions, matched, total, exact = (
                    better, better_conditions, better_matched, better_total, better_exact
                )
                corrected = " ".join(better.words)
    ids = _page_ids(base, conditions, offset=offset, limit=limit, by_relevance=by_relevance, extra=access)
    return Result(
        hits=_load(ids, query, person), total=total, total_exact=exact,
        facets=_facets(matched, total_exact=exact) if facets and total else [],
        facets_exact=exact, notices=notices, corrected=corrected,
    )


def _indexed(engine: Engine, person: Person, raw: str, query: parsing.ParsedQuery, extra: str, *, offset: int,
             limit: int, by_relevance: bool, facets: bool, notices: list[str]) -> Result:
    """The search answered by the index alone: `extra` holds the person's access clause and the filters."""
    if query.empty:
        if (raw or "").strip():
            notices.append(_("Câu tìm không có chữ hay số nào: đang liệt kê mọi văn bản theo bộ lọc."))
        conditions = [Condition()]
    else:
        conditions = parsing.tiers(query)
    need = offset + limit
    if by_relevance and len(conditions) > 1:
        early = _from_better_tiers(engine, conditions, extra, need)
        if early is not None:  # a better tier alone holds more than EXACT_UP_TO and fills the page
            return _indexed_result(engine, person, query, conditions, extra, early, EXACT_UP_TO, False,
                                   offset=offset, need=need, facets=facets, notices=notices, corrected="")
    # the widest tier gives the total and its own newest page in one look at the index
    total, widest = engine.newest(conditions[-1], extra, need, EXACT_UP_TO)
    corrected = ""
    if total == 0 and not query.empty:
        better = correct(query)
        if better is not None:
            better_conditions = parsing.tiers(better)
            better_total, better_widest = engine.newest(better_conditions[-1], extra, need, EXACT_UP_TO)
            if better_total:
                query, conditions, total, widest = better, better_conditions, better_total, better_widest
                corrected = " ".join(better.words)
    exact = total <= EXACT_UP_TO
    total = min(total, EXACT_UP_TO)
    seen: dict[int, int] = {}
    if total:
        tiers = conditions if by_relevance else conditions[-1:]
        for tier, condition in enumerate(tiers):
            if tier == len(tiers) - 1:
                # the widest tier's newest `need` ids were found with the total; those seen in better tiers
                # are among them or not, so take enough more only when some were already seen
                ids = widest if not seen else engine.newest(condition, extra, need + len(seen), EXACT_UP_TO)[1]
            else:
                _n, ids = engine.newest(condition, extra, need + len(seen), EXACT_UP_TO)
            if _take(seen, tier, ids, need):
                break
    return _indexed_result(engine, person, query, conditions, extra, seen, total, exact, offset=offset, need=need,
                           facets=facets, notices=notices, corrected=corrected)


def _from_better_tiers(engine: Engine, conditions: list[Condition], extra: str,
                       need: int) -> dict[int, int] | None:
    """The page from the tiers better than the widest, when one of them alone holds more than EXACT_UP_TO
    documents and the page is full: then the total is "more than EXACT_UP_TO" whatever the widest tier holds (it
    holds every better tier's documents), and the widest tier's look at the index — the costliest, the one
    matching every syllable anywhere — is not needed. None otherwise (the caller looks at the widest tier)."""
    seen: dict[int, int] = {}
    over = False
    for tier, condition in enumerate(conditions[:-1]):
        n, ids = engine.newest(condition, extra, need + len(seen), EXACT_UP_TO)
        over = over or n > EXACT_UP_TO
        if _take(seen, tier, ids, need):
            break
    return seen if over and len(seen) >= need else None


def _indexed_result(engine: Engine, person: Person, query: parsing.ParsedQuery, conditions: list[Condition],
                    extra: str, seen: dict[int, int], total: int, exact: bool, *, offset: int, need: int,
                    facets: bool, notices: list[str], corrected: str) -> Result:
    page = list(seen.items())[offset:need]
    facet_list: list[Facet] = []
    if facets and total:
        cap = EXACT_UP_TO if exact else FACET_CAP  # as the documents path: all matches, or the first ones
        matched = Document.objects.filter(pk__in=engine.ids(conditions[-1], extra, cap))
        facet_list = _facets(matched, total_exact=True)
    return Result(
        hits=_load(page, query, person), total=total, total_exact=exact, facets=facet_list,
        facets_exact=exact, notices=notices, corrected=corrected,
    )
