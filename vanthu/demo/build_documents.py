"""The demo's document stories: incoming documents from outside and between units, outgoing ones from draft to
issue and delivery, each a generator run on the simulated clock (build_clock.py), through the documents and
workflow actions (see build.py)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo import names, subjects
from vanthu.demo.build_clock import Simulation, Story
from vanthu.demo.build_org import Office, Org
from vanthu.demo.characters import PLACE
from vanthu.demo.pdfs import OfficialDocument, render
from vanthu.documents import actions as documents
from vanthu.documents import delivering, numbering
from vanthu.documents.components import FULL_CHECKLIST
from vanthu.documents.models import Document, DocumentType, ReceivedVia, ReviewKind, Status
from vanthu.documents.uploads import PDF, CheckedFile
from vanthu.org.models import Person, Rank, SigningAuthority, Unit, UnitKind
from vanthu.org.second_factor_testing import code_for
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole

WORK_START = dt.time(7, 30)
WORK_END = dt.time(16, 45)

Target = Person | Unit
PAGE_OBJECT = re.compile(rb"/Type /Page\b(?!s)")


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


class Documents:
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
