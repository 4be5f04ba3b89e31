"""A query as typed → the conditions of its relevance tiers. Pure: no database.

Tiers, best first (each a subset of the next): the words as typed with their diacritics, as a phrase; the
same phrase folded; every word folded anywhere. Quoted phrases and notations (`12/QĐ-BTL`, `QĐ-BTL`, `V/v`)
are required in every tier; a notation's last syllable matches as a prefix. Nothing a person types reaches
an engine's query syntax: only our own lexemes do, so `"`, `*`, `:`, `NEAR`, `-` are just separators.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from vanthu.search import text
from vanthu.search.engines import Condition

MAX_CHARS = 1000
MAX_SYLLABLES = 16
_QUOTED = re.compile(r"[\"“”«»](.*?)(?:[\"“”«»]|$)")
_NOTATION = re.compile(r"[/\-]|\d")


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)  # free syllables, in order
    phrases: list[list[str]] = field(default_factory=list)  # quoted
    notations: list[list[str]] = field(default_factory=list)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.notations)

    def all_syllables(self) -> list[str]:
        out = list(self.words)
        for group in self.phrases + self.notations:
            out.extend(group)
        return out


def parse(raw: str) -> ParsedQuery:
    value = text.clean(raw or "")
    query = ParsedQuery(truncated=len(value) > MAX_CHARS)
    value = value[:MAX_CHARS]
    budget = MAX_SYLLABLES

    def take(syllables: list[str]) -> list[str]:
        nonlocal budget
        kept = syllables[: max(0, budget)]
        budget -= len(kept)
        if len(kept) < len(syllables):
            query.truncated = True
        return kept

    for quoted in _QUOTED.findall(value):
        group = take(text.syllables(quoted))
        if group:
            query.phrases.append(group)
    rest = _QUOTED.sub(" ", value)
    for chunk in rest.split():
        syllables = text.syllables(chunk)
        if not syllables:
            continue
        if _NOTATION.search(chunk):
            group = take(syllables)
            if group:
                query.notations.append(group)
        else:
            query.words.extend(take(syllables))
    return query


def _phrase(syllables: list[str], *, exact: bool) -> list[str]:
    words = syllables if exact else [text.fold(s) for s in syllables]
    if len(words) == 1:
        return words
    return [text.pair(a, b) for a, b in itertools.pairwise(words)]


def _base(query: ParsedQuery) -> tuple[list[str], list[str]]:
    required: list[str] = []
    prefixes: list[str] = []
    for group in query.phrases:
        required += _phrase(group, exact=any(text.has_marks(s) for s in group))
    for group in query.notations:
        folded = [text.fold(s) for s in group]
        if len(folded) == 1:
            prefixes.append(folded[0])
        else:
            pairs = _phrase(folded, exact=False)
            required += pairs[:-1]
            prefixes.append(pairs[-1])
    return required, prefixes


def tiers(query: ParsedQuery) -> list[Condition]:
    """The conditions of the relevance tiers, best first; the last one is the whole match set."""
    required, prefixes = _base(query)
    words = query.words
    out: list[Condition] = []
    candidates: list[list[str]] = []
    if words:
        if any(text.has_marks(w) for w in words):
            candidates.append(_phrase(words, exact=True))
        candidates.append(_phrase(words, exact=False))
        if len(words) > 1:
            candidates.append(sorted({text.fold(w) for w in words}))
    else:
        candidates.append([])
    for extra in candidates:
        condition = Condition(required=tuple(dict.fromkeys(required + extra)), prefixes=tuple(prefixes))
        if condition and condition not in out:
            out.append(condition)
    return out


def highlight_terms(query: ParsedQuery) -> set[str]:
    """Folded syllables to mark in snippets."""
    return {text.fold(s) for s in query.all_syllables()}
