"""Access and filter tokens: what an indexed row carries beside its lexemes so that ONE index condition answers
"matches AND visible AND filtered" without reading the document row (decision 0011). Pure functions, no ORM.

A document's tokens restate, term by term, the rule of `documents/access.py` `visible_q`:

| visible_q term                                                 | document token     | the person's side      |
|----------------------------------------------------------------|--------------------|------------------------|
| secrecy <= clearance                                           | `~s<secrecy>`      | none of `~s<cl+1>` …   |
| unit in member units, secrecy 0                                | `~m<unit>`         | own unit, clerk units  |
| drafting unit = own unit, secrecy 0                            | `~d<drafting>`     | own unit               |
| unit in clerk or leader units                                  | `~u<unit>`         | clerk + leader units   |
| unit in a led subtree (path prefix)                            | `~t<ancestor>` ×n  | last id of each path   |
| created by or to be signed by the person; shared with them     | `~p<person>`       | the person             |
| shared with a unit they receive for (clerk or leader)          | `~r<unit>`         | clerk + leader units   |
| shared with their own unit below its need-to-know level        | `~n<unit>`         | own unit               |

Filters the search offers as tokens: document type `~k`, direction `~o`, status `~x`, urgency `~g`, register
year `~y`, unit subtree (the `~t` tokens), secrecy (`~s`); and the issue month `~i<yyyymm>` / year `~j<yyyy>`,
which let a page in date order be taken from the index a year (or a month) at a time.

Lexemes never start with `~` (they are letters, digits and `_`), so tokens cannot be typed in a query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_SECRECY = 3


@dataclass(frozen=True)
class Share:
    person_id: int | None
    unit_id: int | None
    unit_need_to_know_from: int | None  # the share unit's `need_to_know_from`


def ancestors(path: str) -> list[int]:
    """The unit ids of a materialised path ("000001/000004/" → [1, 4])."""
    return [int(seg) for seg in path.split("/") if seg]


def document_tokens(*, unit_id: int, unit_path: str, drafting_unit_id: int | None, secrecy: int,
                    created_by_id: int | None, signer_id: int | None, shares: Iterable[Share] = (),
                    doc_type_id: int | None = None, direction: str = "", status: str = "",
                    urgency: int | None = None, register_year: int | None = None,
                    issued: dt.date | None = None) -> list[str]:
    out = [f"~s{secrecy}", f"~u{unit_id}"]
    if secrecy == 0:
        out.append(f"~m{unit_id}")
        if drafting_unit_id is not None:
            out.append(f"~d{drafting_unit_id}")
    out.extend(f"~t{a}" for a in ancestors(unit_path))
    for person in (created_by_id, signer_id):
        if person is not None:
            out.append(f"~p{person}")
    for share in shares:
        if share.person_id is not None:
            out.append(f"~p{share.person_id}")
        if share.unit_id is not None:
            out.append(f"~r{share.unit_id}")
            if share.unit_need_to_know_from is not None and share.unit_need_to_know_from > secrecy:
                out.append(f"~n{share.unit_id}")
    if doc_type_id is not None:
        out.append(f"~k{doc_type_id}")
    if direction:
        out.append(f"~o{direction}")
    if status:
        out.append(f"~x{status}")
    if urgency is not None:
        out.append(f"~g{urgency}")
    if register_year is not None:
        out.append(f"~y{register_year}")
    if issued is not None:
        out.append(f"~i{issued.year}{issued.month:02d}")
        out.append(f"~j{issued.year}")
    else:
        out.append("~jnone")
    return out


def _any(tokens: Sequence[str]) -> str:
    unique = sorted(set(tokens))
    if not unique:
        return ""
    return unique[0] if len(unique) == 1 else "(" + " | ".join(unique) + ")"


@dataclass(frozen=True)
class Reach:
    """The person's side of the rule (from `org.queries.Scope`)."""

    person_id: int
    unit_id: int
    clearance: int
    clerk_unit_ids: frozenset[int]
    leader_unit_ids: frozenset[int]
    leader_paths: tuple[str, ...]


def reach_tokens(reach: Reach) -> tuple[list[str], list[str]]:
    """(secrecy tokens the person may NOT see; tokens of which one must be present). Every row carries exactly
    one `~s` token, so "not above the clearance" is the absence of the few higher ones — small posting lists,
    where "one of ~s0 … ~s<cl>" would make the index read the list of nearly every document."""
    secrecy = [f"~s{s}" for s in range(max(reach.clearance, -1) + 1, MAX_SECRECY + 1)]
    member = {reach.unit_id} | set(reach.clerk_unit_ids)
    receivers = set(reach.clerk_unit_ids) | set(reach.leader_unit_ids)
    anyof = [f"~m{u}" for u in member] + [f"~d{reach.unit_id}"]
    anyof += [f"~u{u}" for u in receivers] + [f"~r{u}" for u in receivers]
    anyof += [f"~t{ancestors(p)[-1]}" for p in reach.leader_paths if ancestors(p)]
    anyof += [f"~p{reach.person_id}", f"~n{reach.unit_id}"]
    return secrecy, anyof


def tsquery_access(reach: Reach) -> str:
    """The access clause as tsquery text (tokens need no escaping: `~`, letters and digits)."""
    above, anyof = reach_tokens(reach)
    if reach.clearance < 0:
        return "'~none'"
    parts = [_any([f"'{t}'" for t in anyof])]
    parts += [f"!'{t}'" for t in above]
    return " & ".join(p for p in parts if p)
