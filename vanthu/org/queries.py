"""Reads about the organisation: who holds which role where, and subtrees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from vanthu.org.models import Person, Role, RoleGrant, SigningAuthority, StandIn, Unit


@dataclass(frozen=True)
class Scope:
    """What a person's roles reach, computed once per request (see `scope_of`)."""

    person_id: int
    unit_id: int
    unit_path: str
    clearance: int
    clerk_unit_ids: frozenset[int] = field(default_factory=frozenset)
    leader_paths: tuple[str, ...] = ()
    leader_unit_ids: frozenset[int] = field(default_factory=frozenset)
    officer_unit_ids: frozenset[int] = field(default_factory=frozenset)
    is_admin: bool = False  # holds the admin role over some unit
    admin_paths: tuple[str, ...] = ()  # an admin's grant reaches the unit's subtree, like a leader's
    security_paths: tuple[str, ...] = ()  # a security officer's grant reaches the subtree too (decision 0022)

    @property
    def member_unit_ids(self) -> frozenset[int]:
        """Units whose documents this person sees as a member: own unit, and where they are clerk."""
        return frozenset({self.unit_id}) | self.clerk_unit_ids

    def leads(self, unit: Unit) -> bool:
        return any(unit.path.startswith(path) for path in self.leader_paths)

    def administers(self, unit: Unit) -> bool:
        """Admin of `unit` or of a unit above it."""
        return any(unit.path.startswith(path) for path in self.admin_paths)

    @property
    def administers_all(self) -> bool:
        """Admin of a top unit: the deployment-wide administration (vanthu's CA, the trust store)."""
        return any(path.count("/") == 1 for path in self.admin_paths)

    def is_clerk_of(self, unit_id: int | None) -> bool:
        return unit_id in self.clerk_unit_ids

    def leader_q(self, prefix: str = "unit__path") -> Q:
        """Q matching rows whose unit lies in a subtree this person leads (empty Q never matches)."""
        q = Q(pk__in=[])
        for path in self.leader_paths:
            q |= Q(**{f"{prefix}__startswith": path})
        return q


def scope_of(person: Person) -> Scope:
    cached: Scope | None = getattr(person, "_vanthu_scope", None)
    if cached is not None:
        return cached
    # (role, unit id, unit path) of each grant in an active unit: three columns, no model rows to build (issue 17:
    # every request asks this once).
    grants = list(RoleGrant.objects.filter(person=person, unit__is_active=True)
                  .values_list("role", "unit_id", "unit__path"))
    scope = Scope(
        person_id=person.pk,
        unit_id=person.unit_id,
        unit_path=person.unit.path,
        clearance=person.clearance,
        clerk_unit_ids=frozenset(unit for role, unit, _path in grants if role == Role.CLERK),
        leader_paths=tuple(sorted({path for role, _unit, path in grants if role == Role.LEADER})),
        leader_unit_ids=frozenset(unit for role, unit, _path in grants if role == Role.LEADER),
        officer_unit_ids=frozenset(unit for role, unit, _path in grants if role == Role.OFFICER),
        is_admin=any(role == Role.ADMIN for role, _unit, _path in grants),
        admin_paths=tuple(sorted({path for role, _unit, path in grants if role == Role.ADMIN})),
        security_paths=tuple(sorted({path for role, _unit, path in grants if role == Role.SECURITY})),
    )
    person._vanthu_scope = scope  # type: ignore[attr-defined]
    return scope


# --- acting for someone (xử lý thay, issue 12) -------------------------------------------------------------


def active_stand_ins(*, on: dt.date | None = None) -> QuerySet[StandIn]:
    """Stand-ins in force on `on` (today): begun, not ended, not cancelled. The end needs no job: a period
    past its last day simply stops matching."""
    day = on or timezone.localdate()
    return StandIn.objects.filter(starts_on__lte=day, ends_on__gte=day, cancelled_at__isnull=True,
                                  absent__is_active=True)


def stood_for_ids(person_id: int | None) -> QuerySet[StandIn, Any]:
    """The people `person_id` stands in for today, as a subquery (`person_id__in=...`): no round trip of its
    own, so pages that count their queries pay nothing for it."""
    return active_stand_ins().filter(stand_in_id=person_id).values("absent_id")


def standing_for(person: Person) -> frozenset[int]:
    """The ids of the people `person` stands in for today (one query, kept on the person for the request)."""
    cached: frozenset[int] | None = getattr(person, "_vanthu_standing_for", None)
    if cached is None:
        cached = frozenset(stood_for_ids(person.pk).values_list("absent_id", flat=True))
        person._vanthu_standing_for = cached  # type: ignore[attr-defined]
    return cached


def forget_scope(person: Person) -> None:
    if hasattr(person, "_vanthu_scope"):
        del person._vanthu_scope
    if hasattr(person, "_vanthu_standing_for"):
        del person._vanthu_standing_for


def subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path, is_active=True)


def ancestors(unit: Unit) -> list[Unit]:
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def top_unit(unit: Unit) -> Unit:
    first = unit.path.split("/", 1)[0]
    return Unit.objects.get(pk=int(first))


def people_with_role(unit: Unit, role: Role) -> QuerySet[Person]:
    return Person.objects.filter(roles__unit=unit, roles__role=role, is_active=True).distinct()


def leaders_over(unit: Unit) -> QuerySet[Person]:
    """Leaders of the unit or of any unit above it, nearest first is not guaranteed."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return Person.objects.filter(roles__unit_id__in=ids, roles__role=Role.LEADER, is_active=True).distinct()


def signing_authorities(person: Person, *, on: dt.date | None = None) -> list[SigningAuthority]:
    day = on or timezone.localdate()
    rows = SigningAuthority.objects.filter(person=person, revoked_at__isnull=True, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    return list(rows.select_related("unit", "delegated_by"))


def signers_for(unit: Unit, *, on: dt.date | None = None) -> QuerySet[SigningAuthority]:
    day = on or timezone.localdate()
    return (
        SigningAuthority.objects.filter(unit=unit, revoked_at__isnull=True, valid_from__lte=day, person__is_active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("person")
    )


def head_of(unit: Unit) -> Person | None:
    """The unit's head: the one named on the unit (`Unit.head`), else the leader of the unit who signs for it
    in his own name (no KT./TL./TUQ. prefix), else its only leader; None when that is not clear (the form then
    preselects no one rather than a deputy)."""
    if unit.head_id is not None:
        head = Person.objects.filter(pk=unit.head_id, is_active=True).first()
        if head is not None:
            return head
    leaders = list(people_with_role(unit, Role.LEADER))
    direct = {a.person_id for a in signers_for(unit) if not a.prefix}
    heads = [p for p in leaders if p.pk in direct]
    if len(heads) == 1:
        return heads[0]
    return leaders[0] if len(leaders) == 1 else None


def head_for(unit: Unit) -> Person | None:
    """The head to present a document of `unit` to: its own head, else the nearest unit above with one."""
    for candidate in reversed(ancestors(unit)):
        head = head_of(candidate)
        if head is not None:
            return head
    return None
