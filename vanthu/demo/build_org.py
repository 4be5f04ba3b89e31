"""The demo's organisation: the Military Region's units and people (around the fixed characters of
`characters.py`), their second factor, roles and signing authorities, made through org's actions (see build.py)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.contrib.auth import base_user
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from vanthu.core.actors import DEMO_BUILDER
from vanthu.core.choices import Secrecy
from vanthu.demo import names
from vanthu.demo.characters import DEMO_PASSWORD, PLACE, Cast, build_cast
from vanthu.org import actions as org
from vanthu.org.models import AuthorityPrefix, Person, Rank, Role, SigningAuthority, Unit, UnitKind
from vanthu.org.second_factor import demo_key
from vanthu.org.second_factor_actions import enrol_fixed_totp

COMMAND_CODE = "000.00.00.Q10"  # the demo's top unit (created by build_cast): its presence marks a loaded demo


@dataclass
class Office:
    """A unit with a registry clerk: it registers incoming documents and issues outgoing ones."""

    unit: Unit
    clerk: Person
    leaders: list[Person]  # head first
    authorities: list[SigningAuthority] = field(default_factory=list)


@dataclass
class Org:
    cast: Cast
    units: dict[str, Unit]
    people: list[Person]
    heads: dict[int, list[Person]]  # unit id → its leaders, head first
    officers: dict[int, list[Person]]  # unit id → its officers
    clerks: dict[int, Person]  # unit id → its registry clerk
    offices: dict[int, Office] = field(default_factory=dict)

    def office(self, key: str) -> Office:
        return self.offices[self.units[key].pk]

    def subtree_officers(self, unit: Unit, *, clearance: int = 0) -> list[Person]:
        return [p for u in self.units.values() if u.path.startswith(unit.path) for p in self.officers.get(u.pk, [])
                if p.clearance >= clearance]

    def forwarder(self, unit: Unit) -> Person:
        """Who passes a unit's assignments on: its clerk, else its head."""
        return self.clerks.get(unit.pk) or self.heads[unit.pk][0]


COMMAND_POSTS = (
    names.Post("Chính ủy", Rank.THIEU_TUONG, names.LEADER, clearance=Secrecy.TOP_SECRET),
    names.Post("Phó Tư lệnh", Rank.THIEU_TUONG, names.LEADER, clearance=Secrecy.TOP_SECRET),
    names.Post("Phó Chính ủy", Rank.DAI_TA, names.LEADER, clearance=Secrecy.TOP_SECRET),
)
ROLE_OF = {names.LEADER: Role.LEADER, names.CLERK: Role.CLERK, names.OFFICER: Role.OFFICER}


class OrgBuilder:
    def __init__(self, rng: random.Random, *, valid_from: dt.date) -> None:
        self.rng = rng
        self.valid_from = valid_from
        self.cast = build_cast(valid_from=valid_from)
        c = self.cast
        self.units: dict[str, Unit] = {
            "command": c.command, "office": c.office, "staff": c.staff, "operations": c.operations,
            "politics": c.politics, "division": c.division, "regiment": c.regiment, "province": c.province,
        }
        self.people: list[Person] = c.people()
        self.heads: dict[int, list[Person]] = {c.command.pk: [c.hung, c.binh], c.staff.pk: [c.son],
                                               c.division.pk: [c.dung]}
        self.officers: dict[int, list[Person]] = {c.operations.pk: [c.quang], c.division.pk: [c.minh],
                                                  c.province.pk: [c.tam]}
        self.clerks: dict[int, Person] = {c.command.pk: c.hoa, c.office.pk: c.hoa, c.staff.pk: c.lan}
        self.usernames = {p.user.username for p in self.people}
        self.full_names = {p.full_name for p in self.people}
        self.used_codes = set(Unit.objects.exclude(code=None).values_list("code", flat=True))
        self.by_title: dict[tuple[str, str], Person] = {}

    def build(self) -> Org:
        command = self.units["command"]
        for post in COMMAND_POSTS:
            self._person(post, command, "command")
        for spec in names.TREE:
            self._unit(spec, command)
        self._authorities()
        org_ = Org(cast=self.cast, units=self.units, people=self.people, heads=self.heads, officers=self.officers,
                   clerks=self.clerks)
        for unit_id, clerk in self.clerks.items():
            unit = next(u for u in self.units.values() if u.pk == unit_id)
            if unit.kind == UnitKind.OFFICE:
                continue
            leaders = self.heads.get(unit_id) or self.heads[unit.parent_id or 0]
            org_.offices[unit_id] = Office(unit=unit, clerk=clerk, leaders=leaders,
                                           authorities=list(SigningAuthority.objects.filter(unit=unit)
                                                            .select_related("person")))
        return org_

    def _code(self, parent: Unit) -> str:
        l4, l3, l2, l1 = (parent.code or COMMAND_CODE).split(".")
        for n in range(1, 100 if l4 == "000" or l3 == "00" else 1000):
            if l2 == "00":
                code = f"000.00.{n:02d}.{l1}"
            elif l3 == "00":
                code = f"000.{n:02d}.{l2}.{l1}"
            else:
                code = f"{n:03d}.{l3}.{l2}.{l1}"
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code
        raise RuntimeError(f"no free code under {parent.code}")

    def _unit(self, spec: names.UnitSpec, parent: Unit) -> Unit:
        unit = self.units.get(spec.key)
        if unit is None:
            unit = org.create_unit(name=spec.name, abbreviation=spec.abbreviation, parent=parent, acting=DEMO_BUILDER,
                                   code=self._code(parent), kind=spec.kind, place_name=PLACE,
                                   short_name=spec.short_name or spec.name)
            self.units[spec.key] = unit
        for post in spec.posts:
            self._person(post, unit, spec.key)
        for child in spec.children:
            self._unit(child, unit)
        return unit

    def _person(self, post: names.Post, unit: Unit, key: str) -> Person:
        female = self.rng.random() < post.female_share
        full_name = names.compose_name(self.rng, female=female)
        while full_name in self.full_names:
            full_name = names.compose_name(self.rng, female=female)
        self.full_names.add(full_name)
        base = names.username_for(full_name)
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        role = ROLE_OF[post.role]
        person = org.create_person(username=username, password=DEMO_PASSWORD, full_name=full_name, unit=unit,
                                   acting=DEMO_BUILDER, rank=post.rank, position=post.title, clearance=post.clearance,
                                   roles=(role,), email=f"{username}@qk10.example")
        enrol_fixed_totp(person=person, key=demo_key(username), acting=DEMO_BUILDER)
        self.people.append(person)
        self.by_title[(key, post.title)] = person
        if role == Role.LEADER:
            self.heads.setdefault(unit.pk, []).append(person)
        elif role == Role.OFFICER:
            self.officers.setdefault(unit.pk, []).append(person)
        elif role == Role.CLERK:
            if unit.pk in self.clerks:  # a second clerk of the Văn phòng also serves the Command
                org.grant_role(person=person, unit=self.units["command"], role=Role.CLERK, acting=DEMO_BUILDER)
            else:
                self.clerks[unit.pk] = person
        return person

    def _authorities(self) -> None:
        """Direct signature for each issuing unit's head, KT. for a deputy, and the TM./TL./TUQ. examples."""
        c = self.cast
        covered = {c.command.pk, c.staff.pk, c.division.pk}  # the characters already sign for these
        grant = org.grant_signing_authority
        for unit_id in self.clerks:
            unit = next(u for u in self.units.values() if u.pk == unit_id)
            leaders = self.heads.get(unit_id, [])
            if unit.kind == UnitKind.OFFICE or not leaders:
                continue
            head_person = leaders[0]
            if unit_id not in covered:
                grant(person=head_person, unit=unit, title=head_person.position, acting=DEMO_BUILDER,
                      valid_from=self.valid_from)
            deputies = [p for p in leaders[1:] if p.position.startswith("Phó")]
            has_deputy = SigningAuthority.objects.filter(unit=unit, prefix=AuthorityPrefix.KT).exists()
            if deputies and not has_deputy:
                grant(person=deputies[0], unit=unit, prefix=AuthorityPrefix.KT, on_behalf_title=head_person.position,
                      title=deputies[0].position, acting=DEMO_BUILDER, valid_from=self.valid_from)
        commissar = self.by_title[("command", "Chính ủy")]
        grant(person=commissar, unit=c.command, prefix=AuthorityPrefix.TM, on_behalf_title="Đảng ủy Quân khu",
              title="Bí thư", document_types=["NQ"], acting=DEMO_BUILDER, valid_from=self.valid_from)
        chief_of_office = self.by_title[("office", "Chánh Văn phòng")]
        grant(person=chief_of_office, unit=c.command, prefix=AuthorityPrefix.TL, on_behalf_title="Tư lệnh",
              title="Chánh Văn phòng", document_types=["Công văn", "GM", "GGT", "TB"], acting=DEMO_BUILDER,
              valid_from=self.valid_from)
        logistics_chief = self.by_title[("logistics", "Chủ nhiệm Hậu cần")]
        year_end = dt.date(timezone.localdate().year, 12, 31)
        grant(person=logistics_chief, unit=c.command, prefix=AuthorityPrefix.TUQ, on_behalf_title="Tư lệnh",
              title="Chủ nhiệm Hậu cần", delegated_by=c.hung, valid_from=self.valid_from, valid_until=year_end,
              acting=DEMO_BUILDER)


@contextmanager
def one_password_hash() -> Iterator[None]:
    """Every demo account has DEMO_PASSWORD: hash it once (PBKDF2 takes ~0.5 s) and reuse the encoded hash."""
    cache: dict[str, str] = {}

    def hashed(raw: str | None, salt: str | None = None, hasher: str = "default") -> str:
        if raw != DEMO_PASSWORD or salt is not None or hasher != "default":
            return make_password(raw, salt, hasher)
        if raw not in cache:
            cache[raw] = make_password(raw)
        return cache[raw]

    with mock.patch.object(base_user, "make_password", hashed):
        yield
