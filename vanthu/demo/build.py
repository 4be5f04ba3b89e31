"""Build the demo Military Region: units, people, signing equipment and a year's worth of documents.

Everything is created through the real actions (org, signing, documents, workflow), so numbers, audit
chains and shares are exactly what the application itself would have written. Documents are not created
"now" with their dates patched afterwards: the build runs a small discrete-event simulation. Each document
has a story (arrive → register → present → direct → forward → start → complete; draft → review → sign →
issue → deliver …) whose steps are scheduled at realistic working-day times over the past months; a
simulated clock (`django.utils.timezone.now`) is set to each step's time while its action runs, so register
numbers follow arrival order and audit events carry the times they describe. Steps that would fall after
the real present are never run: recent documents are naturally still open, and a few stalled stories are
overdue.

The whole build is one transaction: it either creates the complete demo or nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.contrib.auth import base_user
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from vanthu.core.actors import DEMO_BUILDER
from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo import agencies as demo_agencies
from vanthu.demo import build_records, build_work, names, security_officer, subjects
from vanthu.demo.characters import DEMO_PASSWORD, PLACE, Cast, build_cast
from vanthu.demo.pdfs import OfficialDocument, render
from vanthu.documents import actions as documents
from vanthu.documents import delivering, numbering
from vanthu.documents.components import FULL_CHECKLIST
from vanthu.documents.models import Document, DocumentType, ReceivedVia, ReviewKind, Status
from vanthu.documents.uploads import PDF, CheckedFile
from vanthu.org import actions as org
from vanthu.org.models import AuthorityPrefix, Person, Rank, Role, SigningAuthority, Unit, UnitKind
from vanthu.org.second_factor import demo_key
from vanthu.org.second_factor_actions import enrol_fixed_totp
from vanthu.org.second_factor_testing import code_for
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole

COMMAND_CODE = "000.00.00.Q10"  # the demo's top unit (created by build_cast): its presence marks a loaded demo
SEED = 2026
WORK_START = dt.time(7, 30)
WORK_END = dt.time(16, 45)

Target = Person | Unit
Story = Generator[dt.datetime, None, None]  # a document's story: yields the time of its next step
PAGE_OBJECT = re.compile(rb"/Type /Page\b(?!s)")


class DemoAlreadyLoaded(Exception):
    """The database already holds the demo (or another organisation)."""


def demo_loaded() -> bool:
    return Unit.objects.filter(code=COMMAND_CODE).exists()


# --- the organisation -------------------------------------------------------------------------------------


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


class _OrgBuilder:
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


# --- the simulated clock ----------------------------------------------------------------------------------


class Simulation:
    """Runs stories (generators yielding the time of their next step) in time order on a simulated clock."""

    def __init__(self, *, start: dt.datetime, end: dt.datetime) -> None:
        self.now = start
        self.end = end
        self._queue: list[tuple[dt.datetime, int, Story]] = []
        self._seq = 0
        self.steps = 0

    def spawn(self, at: dt.datetime, story: Story) -> None:
        if at > self.end:
            story.close()
            return
        heapq.heappush(self._queue, (at, self._seq, story))
        self._seq += 1

    def run(self) -> None:
        while self._queue:
            at, _seq, story = heapq.heappop(self._queue)
            self.now = max(at, self.now)
            self.steps += 1
            try:
                following = next(story)
            except StopIteration:
                continue
            self.spawn(max(following, self.now), story)

    @contextmanager
    def clock(self) -> Iterator[None]:
        with mock.patch.object(timezone, "now", self._now):
            yield

    def _now(self) -> dt.datetime:
        # in UTC, like the real timezone.now(): audit hashes cover the time's ISO text as read back from the DB
        return self.now.astimezone(dt.UTC)


@contextmanager
def _one_password_hash() -> Iterator[None]:
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


# --- documents --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    name: str
    abbreviation: str
    competence: str
    title: str
    rank: str
    parent: str = ""


SENDERS = [Sender(name, abbr, comp, title, rank, "BỘ QUỐC PHÒNG" if name.startswith("Cục") else "")
           for name, abbr, comp, title, rank in names.OUTSIDE]


@dataclass
class Counts:
    signatures: int = 0


class _Documents:
    """The document stories. Each `*_story` method is a generator: it runs an action, then yields the time of
    its next step; `stop` ends a story early at a named stage (to give the characters open work)."""

    def __init__(self, org_: Org, sim: Simulation, rng: random.Random, *, signing: bool, pin: str) -> None:
        self.org = org_
        self.sim = sim
        self.rng = rng
        self.signing = signing
        self.pin = pin
        self.types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
        self.counts = Counts()
        self.sender_numbers: Counter[str] = Counter()
        self.tz = timezone.get_default_timezone()

    # -- time --

    def working(self, moment: dt.datetime, *, urgent: bool = False) -> dt.datetime:
        """Move a moment into working hours (urgent work also runs in the evening and at weekends)."""
        local = moment.astimezone(self.tz)
        if urgent:
            if local.hour < 6:
                local = local.replace(hour=6, minute=self.rng.randint(0, 59))
            return local
        while local.weekday() >= 5 or local.time() > WORK_END:
            local = (local + dt.timedelta(days=1)).replace(hour=7, minute=30 + self.rng.randint(0, 29))
        if local.time() < WORK_START:
            local = local.replace(hour=7, minute=30 + self.rng.randint(0, 29))
        return local

    def working_back(self, moment: dt.datetime) -> dt.datetime:
        """The latest working moment at or before `moment`."""
        local = moment.astimezone(self.tz)
        while local.weekday() >= 5 or local.time() < WORK_START:
            local = (local - dt.timedelta(days=1)).replace(hour=16, minute=self.rng.randint(0, 40))
        if local.time() > WORK_END:
            local = local.replace(hour=16, minute=self.rng.randint(0, 40))
        return local

    def later(self, low_minutes: float, high_minutes: float, *, urgent: bool = False,
              since: dt.datetime | None = None) -> dt.datetime:
        base = since or self.sim.now
        if urgent:
            low_minutes, high_minutes = low_minutes / 6, high_minutes / 6
        return self.working(base + dt.timedelta(minutes=self.rng.uniform(low_minutes, high_minutes)),
                            urgent=urgent)

    def working_days_after(self, day: dt.date, days: int) -> dt.date:
        while days > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                days -= 1
        return day

    # -- content --

    def _pick_urgency(self, topic: subjects.Topic) -> int:
        if self.rng.random() >= topic.urgent_share:
            return Urgency.NORMAL
        return self.rng.choices([Urgency.URGENT, Urgency.VERY_URGENT, Urgency.FLASH], weights=[60, 25, 15])[0]

    def _subject(self, topic: subjects.Topic, *, unit_name: str = "") -> tuple[DocumentType, str]:
        abbr, template = self.rng.choice(topic.subjects)
        local = timezone.localtime(self.sim.now)
        text = subjects.fill(template, self.rng, year=local.year, month=local.month,
                             unit=unit_name or self.rng.choice(["Sư đoàn 302", "Lữ đoàn 180", "Trung đoàn 601"]),
                             province=self.rng.choice(names.PROVINCE_LETTERS))
        return self.types[abbr or "Công văn"], text

    def _pdf(self, doc: OfficialDocument, *, name: str) -> CheckedFile:
        """A rendered PDF, as an upload would have been checked. The demo renders these itself, so the upload
        checks' PDF parse (~30 ms each) is skipped and the page count is read off the page objects."""
        data = render(doc, pages=self.rng.choices([1, 2, 3, 4, 5], weights=[55, 25, 10, 6, 4])[0])
        return CheckedFile(name=name, content_type=PDF, data=data, pages=len(PAGE_OBJECT.findall(data)))

    # -- incoming from outside the Military Region --

    def external_story(self, office: Office, *, stop: str | None = None, lead: Target | None = None,
                       topic: subjects.Topic | None = None, secrecy: int = Secrecy.NONE,
                       urgency: int | None = None) -> Story:
        local = timezone.localtime(self.sim.now)
        topic = topic or self.rng.choice(subjects.topics_for(local.month))
        doc_type, subject = self._subject(topic)
        if office.unit.kind == UnitKind.LEVEL2 and office.unit.abbreviation.startswith("BCH-"):
            letter = office.unit.abbreviation.removeprefix("BCH-")
            body_name, abbr, competence, title = self.rng.choice(names.PROVINCIAL_BODIES)
            sender = Sender(body_name.format(p=letter), abbr, competence, title, Rank.NONE)
        else:
            sender = self.rng.choice(SENDERS)
        urgency = self._pick_urgency(topic) if urgency is None else urgency
        self.sender_numbers[sender.name] += self.rng.randint(1, 12)
        number = numbering.format_number(self.sender_numbers[sender.name])
        notation = (f"{doc_type.abbreviation}-{sender.abbreviation}" if doc_type.abbreviation
                    else f"{sender.abbreviation}-{self.rng.choice(['VP', 'TH', 'TM', 'KH'])}")
        issued = local.date() - dt.timedelta(days=self.rng.randint(0, 4))
        signer = names.compose_name(self.rng, female=self.rng.random() < 0.1)
        rank = Rank(sender.rank).label if sender.rank else ""
        pdf = self._pdf(OfficialDocument(
            parent_name=sender.parent, issuer_name=sender.name, notation=notation, place="Hà Nội",
            year=issued.year, type_name=doc_type.name if doc_type.abbreviation else "", subject=subject,
            paragraphs=subjects.paragraphs(topic, year=issued.year, closing="Đề nghị các cơ quan, đơn vị triển khai "
                                           "thực hiện nghiêm túc, báo cáo kết quả đúng thời gian quy định."),
            competence=sender.competence, title=sender.title, name_line=f"{rank} {signer}".strip(),
            number=number, date_text=f"Hà Nội, ngày {issued.day:02d} tháng {issued.month} năm {issued.year}",
            secrecy_mark=Secrecy(secrecy).label.upper() if secrecy else "",
            urgency_mark=Urgency(urgency).label.upper() if urgency >= Urgency.URGENT else "",
        ), name=f"{number}-{notation}.pdf")
        due = None
        if self.rng.random() < 0.3:
            due = self.working_days_after(local.date(), self.rng.randint(5, 20) if urgency == 0 else 2)
        data = documents.IncomingData(
            doc_type=doc_type, organ_name=sender.name, subject=subject, code_number=number, code_notation=notation,
            issued_date=issued, signer_name=signer, signer_position=(sender.title or sender.competence).capitalize(),
            urgency=urgency, secrecy=secrecy, due_date=due,
            received_via=ReceivedVia.PAPER if secrecy or self.rng.random() < 0.3 else ReceivedVia.ELECTRONIC,
        )
        document = documents.register_incoming(unit=office.unit, acting=office.clerk, data=data, file=pdf,
                                               arrival_at=self.sim.now)
        if stop == "registered":
            return
        yield from self._present_and_handle(office, document, stop=stop, lead=lead)

    def _present_and_handle(self, office: Office, document: Document, *, stop: str | None,
                            lead: Target | None) -> Story:
        urgent = document.urgency >= Urgency.URGENT
        yield self.later(15, 150, urgent=urgent)
        if self._cancelled(document):
            return
        eligible = [p for p in office.leaders if p.clearance >= document.secrecy]
        leader = eligible[0] if stop or self.rng.random() < 0.7 or len(eligible) == 1 else self.rng.choice(eligible[1:])
        workflow.present(document=document, acting=office.clerk, to=leader)
        if stop == "presented":
            return
        yield from self._handle(office, document, leader, stop=stop, lead=lead)

    def _lead_choices(self, office: Office, document: Document) -> list[Target]:
        """Whom the leader of `office` gives a document to: its agencies, departments or sub-units, or officers
        (only people with clearance for a secret document)."""
        children = [u for u in self.org.units.values() if u.parent_id == office.unit.pk and u.pk in self.org.heads]
        if office.unit.pk == self.org.cast.command.pk:
            children = [u for u in children if u.kind == UnitKind.AGENCY]
            people = [self.org.heads[u.pk][0] for u in children]
        else:
            people = [p for p in self.org.subtree_officers(office.unit)
                      if p.unit_id == office.unit.pk or p.unit.kind == UnitKind.OFFICE]
        if document.secrecy > Secrecy.NONE:
            cleared: list[Target] = [p for p in people if p.clearance >= document.secrecy]
            return cleared or [office.leaders[-1]]
        return [*children, *people] if office.unit.pk != self.org.cast.command.pk else [*children]

    def _handle(self, office: Office, document: Document, leader: Person, *, stop: str | None,
                lead: Target | None) -> Story:
        urgent = document.urgency >= Urgency.URGENT
        yield self.later(60, 1500, urgent=urgent)
        if self._cancelled(document):
            return
        today = timezone.localdate()
        choices = self._lead_choices(office, document)
        target = lead or self.rng.choice(choices)
        others = [c for c in choices if c != target and isinstance(c, Person)]
        cooperate = [self.rng.choice(others)] if others and self.rng.random() < 0.12 else []
        deputies = [p for p in office.leaders if p != leader and p.clearance >= document.secrecy]
        info = [self.rng.choice(deputies)] if deputies and self.rng.random() < 0.1 else []
        deadline = document.due_date if document.due_date and document.due_date >= today else (
            self.working_days_after(today, 1 if document.urgency >= Urgency.FLASH else
                                    self.rng.randint(2, 4) if urgent else self.rng.randint(5, 15)))
        text = self.rng.choice(subjects.URGENT_DIRECTIONS if urgent else subjects.DIRECTIONS)
        target_name = target.short_name or target.name if isinstance(target, Unit) else f"đ/c {target.full_name}"
        instruction = workflow.direct(document=document, acting=leader, text=text.format(lead=target_name),
                                      lead=target, cooperate=cooperate, info=info, deadline=deadline)
        for assignment in instruction.assignments.exclude(role=AssignmentRole.LEAD):
            assert assignment.person is not None
            self.sim.spawn(self.later(60, 2400, urgent=urgent),
                           self._side_story(document, assignment, assignment.person, deadline))
        if stop == "directed":
            return
        assignment = instruction.assignments.get(role=AssignmentRole.LEAD)
        handler: Person
        if isinstance(target, Unit):
            yield self.later(30, 900, urgent=urgent)
            if self._cancelled(document):
                return
            candidates = self.org.subtree_officers(target, clearance=document.secrecy)
            if candidates:
                handler = self.rng.choice(candidates)
                assignment = workflow.forward(assignment=assignment, acting=self.org.forwarder(target), to=handler)
            else:
                handler = self.org.heads[target.pk][0]
            if stop == "forwarded":
                return
        else:
            handler = target
        if stop in ("started", None) and (stop == "started" or self.rng.random() < 0.4):
            yield self.later(60, 1800, urgent=urgent)  # many handlers report without marking "in progress"
            if self._cancelled(document):
                return
            workflow.start(assignment=assignment, acting=handler)
            if stop == "started":
                return
        if self.rng.random() < 0.06:  # stalled: finishes long after its deadline, usually not yet
            yield self.sim.now + dt.timedelta(days=self.rng.randint(40, 90))
        else:
            window = max(30.0, (dt.datetime.combine(deadline, WORK_END, self.tz) - self.sim.now).total_seconds() / 60)
            yield self.later(window * 0.2, window * (1.15 if self.rng.random() < 0.1 else 0.95))
        if self._cancelled(document):
            return
        workflow.complete(assignment=assignment, acting=handler, result=self.rng.choice(subjects.RESULTS))

    def _cancelled(self, document: Document) -> bool:
        """A recall or replacement cancelled the received copy while its story was running."""
        if document.source_id is None:
            return False  # only copies delivered inside the tree can be cancelled
        status = Document.objects.filter(pk=document.pk).values_list("status", flat=True).first()
        return status == Status.CANCELLED

    def _side_story(self, document: Document, assignment: Assignment, person: Person,
                    deadline: dt.date) -> Story:
        """A co-operating or for-information assignment: start (co-operation) and report."""
        if self._cancelled(document):
            return
        if assignment.role == AssignmentRole.COOPERATE:
            workflow.start(assignment=assignment, acting=person)
            window = max(30.0, (dt.datetime.combine(deadline, WORK_END, self.tz) - self.sim.now).total_seconds() / 60)
            yield self.later(window * 0.1, window * 0.9)
            if self._cancelled(document):
                return
            workflow.complete(assignment=assignment, acting=person,
                              result=self.rng.choice(subjects.COOPERATION_RESULTS))
        else:
            workflow.complete(assignment=assignment, acting=person, result="")

    # -- outgoing: draft → review → sign → issue → deliver --

    def outgoing_story(self, *, drafter: Person, drafting_unit: Unit, issuer: Office, recipients: Sequence[Office],
                       stop: str | None = None, authority: SigningAuthority | None = None,
                       topic: subjects.Topic | None = None, doc_type: str | None = None,
                       replaces: Document | None = None, recall_after: bool = False,
                       delivery_stop: str | None = None, lead_at: dict[int, Target] | None = None,
                       on_issued: Callable[[Document], None] | None = None) -> Story:
        local = timezone.localtime(self.sim.now)
        topic = topic or self.rng.choice(subjects.topics_for(local.month))
        type_row, subject = self._subject(topic)
        if doc_type is not None:
            type_row = self.types[doc_type]
        if replaces is not None:
            type_row, subject = replaces.doc_type, f"{replaces.subject} (thay thế)"
        authority = authority or self._authority_for(issuer, type_row)
        urgency = self._pick_urgency(topic)
        pdf = self._draft_pdf(issuer, drafting_unit, type_row, subject, topic, authority, recipients, urgency)
        recipient_names = [o.unit.short_name or o.unit.name for o in recipients]
        data = documents.DraftData(
            doc_type=type_row, subject=subject, urgency=urgency,
            to_places="; ".join(recipient_names)[:1000], issued_amount=len(recipients) + 1,
            recipient_units=[o.unit for o in recipients],
            due_date=self.working_days_after(local.date(), self.rng.randint(10, 20)) if self.rng.random() < 0.2
            else None,
        )
        document = documents.create_draft(acting=drafter, drafting_unit=drafting_unit, issuing_unit=issuer.unit,
                                          data=data, file=pdf, note="Dự thảo lần 1", replaces=replaces)
        if stop == "draft":
            return
        yield self.later(120, 1800)
        reviewers = self._reviewers(drafter, drafting_unit, issuer, authority)
        documents.submit_for_review(document=document, acting=drafter, signer_authority=authority, reviewers=reviewers)
        if stop == "in_review":
            return
        returned = False
        index = 0
        while index < len(reviewers):
            kind, reviewer = reviewers[index]
            yield self.later(40, 1200)
            if not returned and self.rng.random() < 0.08:
                returned = True
                documents.decide_review(document=document, acting=reviewer, approve=False,
                                        comment=self.rng.choice(subjects.REVIEW_RETURNS))
                yield self.later(120, 1500)
                new_pdf = self._draft_pdf(issuer, drafting_unit, type_row, subject, topic, authority, recipients,
                                          urgency)
                documents.add_draft_version(document=document, acting=drafter, file=new_pdf,
                                            note="Đã sửa theo ý kiến góp ý")
                yield self.later(20, 240)
                documents.submit_for_review(document=document, acting=drafter, signer_authority=authority,
                                            reviewers=reviewers)
                index = 0
                continue
            documents.decide_review(document=document, acting=reviewer, approve=True, comment="Đồng ý.",
                                    checklist=FULL_CHECKLIST if kind == ReviewKind.FORMAT else None)
            index += 1
            if stop == "reviewed_content" and kind == ReviewKind.CONTENT:
                return
        if stop == "awaiting_signature" or not self.signing:
            return
        yield self.later(30, 1440, urgent=urgency >= Urgency.URGENT)
        documents.sign_outgoing(document=document, acting=authority.person, secret=self.pin,
                                otp=code_for(authority.person))
        self.counts.signatures += 1
        if stop == "signed":
            return
        yield self.later(20, 240, urgent=urgency >= Urgency.URGENT)
        document = documents.issue_outgoing(document=document, acting=issuer.clerk, secret=self.pin,
                                            otp=code_for(issuer.clerk))
        self.counts.signatures += 1  # the seal (the demo's drafts carry no separate attachments)
        delivering.deliver_waiting(document_id=document.pk)  # what the delivery jobs do after the commit
        if document.replaces_id is not None:
            delivering.deliver_waiting(document_id=document.replaces_id)  # the replaced one's cancellations
        if on_issued is not None:
            on_issued(document)
        for recipient in document.recipients.select_related("delivered", "unit"):
            copy = recipient.delivered
            if copy is None:
                continue
            office = self.org.offices[copy.unit_id]
            lead = (lead_at or {}).get(copy.unit_id)
            self.sim.spawn(self.later(10, 1200, urgent=urgency >= Urgency.URGENT),
                           self.delivery_story(office, copy, stop=delivery_stop, lead=lead))
        if recall_after:
            yield self.later(300, 900)
            documents.recall_outgoing(document=document, acting=issuer.clerk, reason=subjects.RECALL_REASON)
            delivering.deliver_waiting(document_id=document.pk)

    def _authority_for(self, issuer: Office, doc_type: DocumentType) -> SigningAuthority:
        today = timezone.localdate()
        type_key = doc_type.abbreviation or doc_type.name
        valid = [a for a in issuer.authorities if a.is_valid_on(today, type_abbreviation=type_key)]
        specific = [a for a in valid if a.document_types]
        if specific and self.rng.random() < 0.6:
            return self.rng.choice(specific)
        general = [a for a in valid if not a.document_types] or valid
        return general[0] if self.rng.random() < 0.55 else self.rng.choice(general)

    def _reviewers(self, drafter: Person, drafting_unit: Unit, issuer: Office,
                   authority: SigningAuthority) -> list[tuple[str, Person]]:
        reviewers: list[tuple[str, Person]] = []
        heads = self.org.heads.get(drafting_unit.pk, [])
        if heads and heads[0] != drafter and heads[0] != authority.person:
            reviewers.append((ReviewKind.CONTENT, heads[0]))
        if issuer.clerk != drafter or settings.FORMAT_CHECK_REQUIRED:  # Điều 12: the clerk checks the format
            reviewers.append((ReviewKind.FORMAT, issuer.clerk))
        return reviewers

    def _draft_pdf(self, issuer: Office, drafting_unit: Unit, doc_type: DocumentType, subject: str,
                   topic: subjects.Topic, authority: SigningAuthority, recipients: Sequence[Office],
                   urgency: int) -> CheckedFile:
        parent = issuer.unit.parent.name.upper() if issuer.unit.parent else "BỘ QUỐC PHÒNG"
        notation = numbering.notation(doc_type=doc_type, issuer=issuer.unit, drafting_unit=drafting_unit)
        year = timezone.localdate().year
        names_ = [o.unit.short_name or o.unit.name for o in recipients[:6]]
        return self._pdf(OfficialDocument(
            parent_name=parent, issuer_name=issuer.unit.name, notation=notation, place=issuer.unit.place_name or PLACE,
            year=year, type_name=doc_type.name if doc_type.abbreviation else "", subject=subject,
            paragraphs=subjects.paragraphs(topic, year=year, closing=(
                f"Nhận được văn bản này, các cơ quan, đơn vị triển khai thực hiện, báo cáo kết quả về "
                f"{issuer.unit.short_name or issuer.unit.name} theo quy định.")),
            competence=authority.competence_line, title=authority.title.upper() if authority.prefix else "",
            name_line=authority.person.rank_and_name,
            recipients=[f"{n};" for n in names_] + [f"Lưu: VT, {drafting_unit.abbreviation}."],
            urgency_mark=Urgency(urgency).label.upper() if urgency >= Urgency.URGENT else "",
        ), name=f"du-thao-{notation}.pdf")

    def delivery_story(self, office: Office, copy: Document, *, stop: str | None = None,
                       lead: Target | None = None) -> Story:
        """A document issued inside the tree arrives at a unit ('Chờ vào sổ'); its clerk registers or returns it."""
        copy.refresh_from_db()
        if stop == "received" or copy.status != Status.RECEIVED:
            return
        if stop == "returned" or (stop is None and self.rng.random() < 0.025):
            documents.return_received(document=copy, acting=office.clerk,
                                      reason=self.rng.choice(subjects.RETURN_REASONS))
            return
        document = documents.register_received(document=copy, acting=office.clerk)
        if stop == "registered":
            return
        yield from self._present_and_handle(office, document, stop=stop, lead=lead)


# --- the plan ---------------------------------------------------------------------------------------------


@dataclass
class Summary:
    units: int
    people: int
    documents: int
    by_status: dict[str, int]
    signatures: int
    seconds: float
    signing: bool
    start: dt.datetime
    end: dt.datetime


# External incoming documents per office key, and outgoing documents (drafted in the unit or its departments).
EXTERNAL = {"command": 130, "staff": 85, "politics": 35, "logistics": 28, "technical": 18, "division": 20,
            "f302": 15, "province": 12, "bch-b": 10, "bch-c": 10, "bch-d": 10, "bch-e": 10, "bch-f": 10,
            "b180": 6, "b270": 6, "e601": 5, "school": 5, "hospital": 5, "depot": 4}
OUTGOING = {"command": 30, "staff": 24, "politics": 8, "logistics": 6, "technical": 4, "division": 8, "f302": 6,
            "province": 4, "bch-b": 3, "bch-c": 3, "bch-d": 3, "bch-e": 3, "bch-f": 3, "b180": 2, "b270": 2,
            "e601": 2, "school": 2, "hospital": 2, "depot": 1}
LEVEL2_KEYS = ("division", "f302", "province", "bch-b", "bch-c", "bch-d", "bch-e", "bch-f", "b180", "b270", "e601",
               "school", "hospital", "depot")
AGENCY_KEYS = ("staff", "politics", "logistics", "technical")
# Units with one more outgoing document started in the last days (still in draft, review or signature).
RECENT_OUTGOING = ("command", "staff", "politics", "logistics", "division", "f302", "province", "bch-b", "b180",
                   "hospital")


def _period(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From 1 January (or 150 days back when the year is young) to now."""
    local = timezone.localtime(now)
    start = local.replace(month=1, day=2, hour=7, minute=30, second=0, microsecond=0)
    if (local - start).days < 60:
        start = (local - dt.timedelta(days=150)).replace(hour=7, minute=30, second=0, microsecond=0)
    return start, now - dt.timedelta(minutes=5)


class _Planner:
    def __init__(self, org_: Org, docs: _Documents, sim: Simulation, rng: random.Random) -> None:
        self.org = org_
        self.docs = docs
        self.sim = sim
        self.rng = rng

    def moment(self, *, days_ago: float | None = None) -> dt.datetime:
        if days_ago is None:
            span = (self.sim.end - self.sim.now).total_seconds()
            moment = self.sim.now + dt.timedelta(seconds=self.rng.uniform(0, span))
        else:
            return self.docs.working_back(self.docs.working_back(self.sim.end) - dt.timedelta(days=days_ago))
        return self.docs.working(moment)

    def drafter_in(self, office: Office) -> tuple[Person, Unit]:
        """Someone who drafts for `office`: an officer of the unit or of one of its departments."""
        candidates = [p for p in self.org.subtree_officers(office.unit)
                      if p.unit_id == office.unit.pk
                      or (p.unit.kind == UnitKind.OFFICE and p.unit.parent_id == office.unit.pk)]
        if office.unit.pk == self.org.cast.command.pk:
            agencies = [self.org.office(k) for k in AGENCY_KEYS] + [self.org.office("politics")]
            drafter, unit = self.drafter_in(self.rng.choice(agencies))
            return drafter, unit
        person = self.rng.choice(candidates or [office.clerk])
        return person, person.unit

    def recipients_for(self, office: Office) -> list[Office]:
        if office.unit.kind == UnitKind.LEVEL2:
            keys = ["command"] if self.rng.random() < 0.6 else ["staff"]
            if self.rng.random() < 0.3:
                keys.append(self.rng.choice(["politics", "logistics", "technical"]))
            return [self.org.office(k) for k in keys]
        pool = [self.org.office(k) for k in LEVEL2_KEYS]
        chosen = self.rng.sample(pool, k=self.rng.randint(3, 8))
        if office.unit.pk == self.org.cast.command.pk and self.rng.random() < 0.5:
            chosen.append(self.org.office(self.rng.choice(AGENCY_KEYS)))
        return chosen

    def plan(self) -> None:
        for key, count in EXTERNAL.items():
            office = self.org.office(key)
            for _ in range(count):
                secrecy = Secrecy.NONE
                if key in ("command", "staff") and self.rng.random() < 0.05:
                    secrecy = Secrecy.CONFIDENTIAL if self.rng.random() < 0.8 else Secrecy.SECRET
                self.sim.spawn(self.moment(), self.docs.external_story(office, secrecy=secrecy))
        for key, count in OUTGOING.items():
            office = self.org.office(key)
            for index in range(count + (1 if key in RECENT_OUTGOING else 0)):
                drafter, unit = self.drafter_in(office)
                at = self.moment() if index < count else self.moment(days_ago=self.rng.uniform(0.5, 8))
                self.sim.spawn(at, self.docs.outgoing_story(
                    drafter=drafter, drafting_unit=unit, issuer=office, recipients=self.recipients_for(office)))
        self.pinned()

    def pinned(self) -> None:
        """Open work for the main characters, whatever the random draw: each story ends at a given stage."""
        c = self.org.cast
        o = self.org.office
        spawn, docs = self.sim.spawn, self.docs
        command, staff, division = o("command"), o("staff"), o("division")
        storm = next(t for t in subjects.TOPICS if t.key == "storm")
        readiness = next(t for t in subjects.TOPICS if t.key == "readiness")
        # Hoa (the Command's clerk): to present, one fire-urgent; reports to register; a signed document to issue.
        spawn(self.moment(days_ago=0.3), docs.external_story(command, stop="registered"))
        spawn(self.moment(days_ago=0.2), docs.external_story(command, stop="registered", topic=storm,
                                                            urgency=Urgency.FLASH))
        self._reports_waiting(("f302", "b270"), to=command)
        # Hùng (commander): directions to give, documents to sign.
        spawn(self.moment(days_ago=1.5), docs.external_story(command, stop="presented"))
        spawn(self.moment(days_ago=0.6), docs.external_story(command, stop="presented", topic=readiness,
                                                            urgency=Urgency.URGENT))
        hung_authority = SigningAuthority.objects.get(person=c.hung, unit=c.command)
        for days in (7, 6):
            drafter, unit = self.drafter_in(staff)
            spawn(self.moment(days_ago=days), docs.outgoing_story(
                drafter=drafter, drafting_unit=unit, issuer=command, recipients=self.recipients_for(command),
                stop="awaiting_signature", authority=hung_authority))
        drafter, unit = self.drafter_in(staff)
        spawn(self.moment(days_ago=8), docs.outgoing_story(
            drafter=drafter, drafting_unit=unit, issuer=command, recipients=self.recipients_for(command),
            stop="signed", authority=hung_authority))
        # Lan (the Staff's clerk): to register (reports from level-2 units), to present, to issue, to check format.
        self._reports_waiting(("division", "f302", "bch-c"), to=staff)
        spawn(self.moment(days_ago=0.4), docs.external_story(staff, stop="registered"))
        son_authority = SigningAuthority.objects.get(person=c.son, unit=c.staff)
        spawn(self.moment(days_ago=8), docs.outgoing_story(
            drafter=c.quang, drafting_unit=c.operations, issuer=staff, recipients=self.recipients_for(staff),
            stop="signed", authority=son_authority))
        spawn(self.moment(days_ago=5), docs.outgoing_story(
            drafter=c.quang, drafting_unit=c.operations, issuer=staff, recipients=self.recipients_for(staff),
            stop="reviewed_content", authority=son_authority))
        # Sơn (Chief of Staff): a direction, a review, a signature.
        spawn(self.moment(days_ago=1.5), docs.external_story(staff, stop="presented"))
        drafter, unit = self.drafter_in(staff)
        spawn(self.moment(days_ago=6), docs.outgoing_story(
            drafter=drafter, drafting_unit=unit, issuer=staff, recipients=self.recipients_for(staff),
            stop="awaiting_signature", authority=son_authority))
        # Quang (Operations officer): documents to handle, one overdue; a draft.
        spawn(self.moment(days_ago=4), docs.external_story(staff, stop="directed", lead=c.quang))
        spawn(self.moment(days_ago=25), docs.external_story(staff, stop="started", lead=c.quang))
        spawn(self.moment(days_ago=0.5), docs.outgoing_story(
            drafter=c.quang, drafting_unit=c.operations, issuer=staff, recipients=self.recipients_for(staff),
            stop="draft"))
        # Minh (Division 301 officer): documents from the Command to handle, one overdue; a draft report.
        for days, stop in ((12, "directed"), (35, "started")):
            drafter, unit = self.drafter_in(staff)
            spawn(self.moment(days_ago=days), docs.outgoing_story(
                drafter=drafter, drafting_unit=unit, issuer=command, recipients=[division, o("f302")],
                delivery_stop=stop, lead_at={c.division.pk: c.minh}, authority=hung_authority))
        spawn(self.moment(days_ago=0.7), docs.outgoing_story(
            drafter=c.minh, drafting_unit=c.division, issuer=division, recipients=[command], stop="draft",
            doc_type="BC"))
        # Dũng (division commander): a direction and a signature.
        spawn(self.moment(days_ago=1.5), docs.external_story(division, stop="presented"))
        spawn(self.moment(days_ago=6), docs.outgoing_story(
            drafter=c.minh, drafting_unit=c.division, issuer=division, recipients=[command], stop="awaiting_signature",
            doc_type="BC"))
        # A recalled document and a replaced one; a document returned to its sender.
        spawn(self.moment(days_ago=40), docs.outgoing_story(
            drafter=c.quang, drafting_unit=c.operations, issuer=command, recipients=self.recipients_for(command),
            authority=hung_authority, recall_after=True))
        spawn(self.moment(days_ago=30), docs.outgoing_story(
            drafter=c.quang, drafting_unit=c.operations, issuer=staff, recipients=self.recipients_for(staff),
            authority=son_authority, on_issued=self._replace_later))
        spawn(self.moment(days_ago=10), docs.outgoing_story(
            drafter=c.quang, drafting_unit=c.operations, issuer=staff, recipients=[o("f302"), o("bch-d")],
            authority=son_authority, delivery_stop="returned"))

    def _reports_waiting(self, keys: Sequence[str], *, to: Office) -> None:
        """Reports (Báo cáo) issued by these units to `to`, arrived and waiting there to be registered."""
        for key in keys:
            issuer = self.org.office(key)
            drafter, unit = self.drafter_in(issuer)
            self.sim.spawn(self.moment(days_ago=8), self.docs.outgoing_story(
                drafter=drafter, drafting_unit=unit, issuer=issuer, recipients=[to], delivery_stop="received",
                doc_type="BC"))

    def _replace_later(self, document: Document) -> None:
        """Two days after issue, the Chief of Staff has the document replaced by a corrected one."""
        c = self.org.cast
        staff = self.org.office("staff")
        recipients = [self.org.offices[unit_id] for unit_id in
                      document.recipients.exclude(unit=None).values_list("unit_id", flat=True) if unit_id]
        self.sim.spawn(self.docs.later(2 * 1440, 3 * 1440), self.docs.outgoing_story(
            drafter=c.son, drafting_unit=c.operations, issuer=staff, recipients=recipients, replaces=document,
            authority=SigningAuthority.objects.get(person=c.son, unit=c.staff)))


# --- entry point ------------------------------------------------------------------------------------------


def _signing_equipment(org_: Org) -> str:
    """Certificates, keys and images for the Command, its agencies and the level-2 units, and for everyone who
    signs for them; returns the signers' PIN. Regiments and district commands are left without: not every unit
    has its digital signature yet (as in a real roll-out), and each key, certificate and image costs time here.

    People's keys are locked under the demo PIN (typed at each signature, as in production); units' seal keys
    are server-held (the clerk applies the seal without a PIN)."""
    from vanthu.signing import testing

    units = [o.unit for o in org_.offices.values() if o.unit.kind in (UnitKind.COMMAND, UnitKind.AGENCY,
                                                                       UnitKind.LEVEL2)]
    signers = {a.person_id: a.person for a in SigningAuthority.objects.filter(unit__in=units)
               .select_related("person")}
    testing.equip(people=[(p.user.username, p) for p in signers.values()], secret=testing.SIGNING_SECRET,
                  reuse_keys=False, acting=DEMO_BUILDER)
    testing.equip(units=[(u.abbreviation, u) for u in units], secret=None, reuse_keys=False, acting=DEMO_BUILDER)
    return testing.SIGNING_SECRET


def build_demo(*, seed: int = SEED, now: dt.datetime | None = None, signing: bool = True,
               progress: Callable[[str], None] | None = None) -> Summary:
    """Create the demo organisation and its documents in an empty database (see the module docstring)."""
    if Unit.objects.exists():
        raise DemoAlreadyLoaded(COMMAND_CODE if demo_loaded() else "")
    began = time.perf_counter()
    say = progress or (lambda _text: None)
    rng = random.Random(seed)
    start, end = _period(now or timezone.now())
    sim = Simulation(start=start, end=end)
    with transaction.atomic(), sim.clock(), _one_password_hash():
        say("units and people")
        org_ = _OrgBuilder(rng, valid_from=start.date()).build()
        demo_agencies.load()  # the directory of outside agencies (issue 12)
        security_officer.add_security_officer(org_.cast)  # Bảo, who keeps the read audit (issue 13)
        pin = ""
        if signing:
            say("certificates, keys, signature and seal images")
            pin = _signing_equipment(org_)
        docs = _Documents(org_, sim, rng, signing=signing, pin=pin)
        _Planner(org_, docs, sim, rng).plan()
        build_work.plan(org_, sim, rng)  # directives, cascaded tasks, commanders' acceptance (issue 9)
        say("documents")
        sim.run()
        delivering.deliver_waiting()  # the statuses the recipients sent back (registered, returned)
        say("work records")
        build_records.build(org_, rng)  # catalogues, records, an archive transfer (issue 10)
    by_status = dict(Counter(Document.objects.values_list("status", flat=True)))
    return Summary(units=Unit.objects.count(), people=Person.objects.count(), documents=Document.objects.count(),
                   by_status=by_status, signatures=docs.counts.signatures, seconds=time.perf_counter() - began,
                   signing=signing, start=start, end=end)
