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

By what they build: `build_org.py` (units, people, roles, signing authorities), `build_signing.py` (certificates,
keys, signature and seal images), `build_documents.py` (the document stories), `build_work.py` (directives and
tasks), `build_records.py` (work records and a transfer), on the clock of `build_clock.py`; this module plans the
stories and runs them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo import agencies as demo_agencies
from vanthu.demo import build_records, build_work, security_officer, subjects
from vanthu.demo.build_clock import Simulation
from vanthu.demo.build_documents import Documents
from vanthu.demo.build_org import COMMAND_CODE, Office, Org, OrgBuilder, one_password_hash
from vanthu.demo.build_signing import signing_equipment
from vanthu.documents import delivering
from vanthu.documents.models import Document
from vanthu.org.models import Person, SigningAuthority, Unit, UnitKind

SEED = 2026


class DemoAlreadyLoaded(Exception):
    """The database already holds the demo (or another organisation)."""


def demo_loaded() -> bool:
    return Unit.objects.filter(code=COMMAND_CODE).exists()


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
    def __init__(self, org_: Org, docs: Documents, sim: Simulation, rng: random.Random) -> None:
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
    with transaction.atomic(), sim.clock(), one_password_hash():
        say("units and people")
        org_ = OrgBuilder(rng, valid_from=start.date()).build()
        demo_agencies.load()  # the directory of outside agencies (issue 12)
        security_officer.add_security_officer(org_.cast)  # Bảo, who keeps the read audit (issue 13)
        pin = ""
        if signing:
            say("certificates, keys, signature and seal images")
            pin = signing_equipment(org_)
        docs = Documents(org_, sim, rng, signing=signing, pin=pin)
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
