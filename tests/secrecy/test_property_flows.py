"""A test that cannot share the code's blind spot (issue 16, item 6).

Hypothesis drives random flows through the ACTIONS — register, present, direct to people and to units at any
depth, forward, draft and issue (delivering to units), register what arrived, copy, replace, recall — over the
fixed characters with random clearances, random marks and random need-to-know levels. After every step it
asserts, from the documents' marks and the people's clearances ALONE (the oracle never calls the permission
code: a document marked above a person's clearance must not reach that person), that nobody sees a document
above their clearance in any inbox (items and counts), list, register row, page, file or print, or API answer.

Each document's subject carries a unique tag (`Q007X`), so the HTTP checks look for the tags of every document
above the reader's clearance in the raw bytes of each answer: what no code path may leak, whatever it is.

The in-suite run is short (VANTHU_PROPERTY_EXAMPLES, default 20). A longer run:
    VANTHU_PROPERTY_EXAMPLES=400 pytest tests/secrecy/test_property_flows.py -s
The figures (flows and steps tried, actions refused, checks made, violations) are printed, and written as JSON
to VANTHU_PROPERTY_FIGURES when that is set.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.api.conftest import ApiClient, new_token
from tests.conftest import checked
from vanthu.api import queries as api_queries
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, delivering
from vanthu.documents import actions as documents
from vanthu.documents import queries as document_queries
from vanthu.documents.models import Direction, Document, Register, Status
from vanthu.org.models import NeedToKnow, Person, SigningAuthority, Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentRole
from vanthu.workflow.permissions import access_assignment
from vanthu.workflow.queries import inbox_for

EXAMPLES = int(os.environ.get("VANTHU_PROPERTY_EXAMPLES", "20"))
MAX_STEPS = int(os.environ.get("VANTHU_PROPERTY_STEPS", "10"))
PEOPLE = ("hung", "binh", "hoa", "son", "lan", "quang", "dung", "minh", "tam", "admin")
UNITS = ("command", "office", "staff", "operations", "politics", "division", "regiment", "province")
LEVELS = st.sampled_from([Secrecy.NONE, Secrecy.CONFIDENTIAL, Secrecy.SECRET, Secrecy.TOP_SECRET])
# Higher clearances first (what Hypothesis tries first and shrinks towards) and likelier: longer flows.
CLEARANCES = st.sampled_from([Secrecy.TOP_SECRET, Secrecy.SECRET, Secrecy.CONFIDENTIAL, Secrecy.TOP_SECRET,
                              Secrecy.NONE])
LEADERS = ("hung", "binh", "son", "dung")

FIGURES: Counter[str] = Counter()


@dataclass
class World:
    """What lives across examples: the cast, its keys, one API token per person."""

    cast: Any
    doc_types: Any
    incoming_pdf: bytes
    draft_pdf: bytes
    tokens: dict[str, str]


@pytest.fixture
def world(cast, doc_types, incoming_pdf, draft_pdf) -> World:
    equip_cast(cast, people=["son"], units=["staff", "command"])
    tokens = {name: new_token(getattr(cast, name)) for name in PEOPLE}
    return World(cast=cast, doc_types=doc_types, incoming_pdf=incoming_pdf, draft_pdf=draft_pdf, tokens=tokens)


# --- one flow ----------------------------------------------------------------------------------------------


@dataclass
class Flow:
    world: World
    data: st.DataObject
    people: dict[str, Person] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)  # subject tag → the secrecy of every document carrying it
    steps: list[str] = field(default_factory=list)

    # -- the world of this example: random clearances and need-to-know levels ------------------------------

    def setup(self) -> None:
        cast = self.world.cast
        for name in PEOPLE:
            clearance = self.data.draw(CLEARANCES, label=f"clearance of {name}")
            Person.objects.filter(pk=getattr(cast, name).pk).update(clearance=clearance)
        for name in UNITS:
            level = self.data.draw(st.sampled_from(NeedToKnow.values), label=f"need-to-know of {name}")
            Unit.objects.filter(pk=getattr(cast, name).pk).update(need_to_know_from=level)
        self.refresh()

    def refresh(self) -> None:
        """Fresh rows (and no cached scope) for every step."""
        cast = self.world.cast
        self.people = {n: Person.objects.select_related("unit").get(pk=getattr(cast, n).pk) for n in PEOPLE}
        self.units = {n: Unit.objects.get(pk=getattr(cast, n).pk) for n in UNITS}

    def draw(self, strategy: st.SearchStrategy[Any], label: str) -> Any:
        return self.data.draw(strategy, label=label)

    def person(self, label: str, names: tuple[str, ...] = PEOPLE) -> Person:
        return self.people[self.draw(st.sampled_from(names), label)]

    def mark(self, author: Person, label: str) -> int:
        """Any mark, more often one the author is cleared for (a flow that goes on)."""
        return int(self.draw(st.one_of(st.integers(0, author.clearance), LEVELS), label))

    def tagged(self, secrecy: int) -> str:
        tag = f"Q{len(self.tags) + 1:03d}X"
        self.tags[tag] = secrecy
        return f"Văn bản thử {tag}"

    def pick(self, label: str, qs: Any) -> Any | None:
        rows = list(qs.order_by("pk"))
        return self.draw(st.sampled_from(rows), label) if rows else None

    # -- the steps: each calls real actions; a refusal is an answer too -----------------------------------

    def step_register(self) -> None:
        clerk, unit = self.draw(st.sampled_from([("hoa", "command"), ("lan", "staff"), ("hoa", "office")]),
                                "registering clerk")
        secrecy = self.mark(self.people[clerk], "mark of the arrival")
        data = documents.IncomingData(doc_type=self.world.doc_types["Công văn"], organ_name="Bộ Tổng Tham mưu",
                                      subject=self.tagged(secrecy), code_number="5", code_notation="BTTM",
                                      secrecy=secrecy)
        documents.register_incoming(unit=self.units[unit], acting=self.people[clerk], data=data,
                                    file=checked(self.world.incoming_pdf))

    def _incoming(self, label: str) -> Document | None:
        return self.pick(label, Document.objects.filter(direction=Direction.INCOMING).exclude(
            status__in=(Status.RECEIVED, Status.CANCELLED, Status.RETURNED)))

    def step_present(self) -> bool | None:
        doc = self._incoming("document to present")
        if doc is None:
            return False
        clerk = "lan" if doc.unit_id == self.units["staff"].pk else "hoa"
        workflow.present(document=doc, acting=self.person("presenting clerk", (clerk, clerk, "hoa", "lan", "minh")),
                         to=self.person("presented to", (*LEADERS, *LEADERS, "minh", "tam")))
        return True

    def step_direct(self) -> bool | None:
        doc = self.pick("document to direct", Document.objects.filter(
            direction=Direction.INCOMING, status__in=(Status.REGISTERED, Status.PRESENTED, Status.DIRECTED)))
        if doc is None:
            return False
        presented = Assignment.objects.filter(document=doc, role=AssignmentRole.PRESENT, state__in=OPEN_STATES,
                                              person__isnull=False).values_list("person__user__username", flat=True)
        usual = [n for n in PEOPLE if getattr(self.world.cast, n).user.username in set(presented)] or ["hung"]
        acting = self.person("directing leader", (*usual, *usual, *LEADERS, "quang"))
        staffed = ("command", "office", "staff", "division")  # units with a leader or a clerk: likelier
        codes = [f"u:{n}" for n in (*staffed, *staffed, *UNITS)] + [f"p:{n}" for n in PEOPLE]
        chosen = list(dict.fromkeys(self.draw(st.lists(st.sampled_from(codes), min_size=1, max_size=5), "targets")))
        split = self.draw(st.integers(1, len(chosen)), "co-operating from")
        targets = [self.units[c[2:]] if c.startswith("u:") else self.people[c[2:]] for c in chosen]
        lead, cooperate, info = targets[0], targets[1:split], targets[split:]
        workflow.direct(document=doc, acting=acting, text="Ý kiến chỉ đạo thử.", lead=lead, cooperate=cooperate,
                        info=info)
        return True

    def step_forward(self) -> bool | None:
        task = self.pick("unit assignment", Assignment.objects.filter(unit__isnull=False, state__in=OPEN_STATES)
                         .exclude(role=AssignmentRole.PRESENT))
        if task is None:
            return False
        assert task.unit is not None
        # mostly the unit's own leaders and clerks, and its own people (a flow that goes on); anyone sometimes
        inside = [n for n in PEOPLE if self.people[n].unit.path.startswith(task.unit.path)]
        receivers = [n for n in PEOPLE if self.people[n].pk in set(
            access.receivers_of(task.unit).values_list("pk", flat=True))]
        acting = self.person("forwarding leader or clerk", (*receivers, *receivers, *LEADERS, "hoa", "lan"))
        to = self.person("forwarded to", (*inside, *inside, *PEOPLE))
        workflow.forward(assignment=task, acting=acting, to=to)
        return True

    def step_issue(self) -> None:
        drafter, drafting = self.draw(st.sampled_from([("quang", "operations"), ("lan", "staff"), ("son", "staff")]),
                                      "drafter")
        secrecy = self.mark(self.people[drafter], "mark of the draft")
        recipients = self.draw(st.lists(st.sampled_from(["command", "office", "division", "politics", "province"]),
                                        min_size=1, max_size=3, unique=True), "recipients")
        data = documents.DraftData(doc_type=self.world.doc_types["KH"], subject=self.tagged(secrecy),
                                   secrecy=secrecy, recipient_units=[self.units[u] for u in recipients])
        replaces = None
        if self.draw(st.booleans(), "replaces an issued document"):
            replaces = self.pick("replaced", Document.objects.filter(direction=Direction.OUTGOING,
                                                                     status=Status.ISSUED))
        doc = documents.create_draft(acting=self.people[drafter], drafting_unit=self.units[drafting],
                                     issuing_unit=self.units["staff"], data=data, replaces=replaces,
                                     file=checked(self.world.draft_pdf, "du-thao.pdf"))
        if not self.draw(st.booleans(), "goes on to signature and issuance"):
            return
        son = self.people["son"]
        documents.submit_for_review(document=doc, acting=self.people[drafter],
                                    signer_authority=SigningAuthority.objects.get(person=son, unit__abbreviation="TM"))
        documents.sign_outgoing(document=doc, acting=son, secret=SIGNING_SECRET, otp=code_for(son))
        documents.issue_outgoing(document=doc, acting=self.person("issuing clerk", ("lan", "lan", "hoa")),
                                 secret=SIGNING_SECRET,
                                 otp=code_for(self.person("issuing clerk", ("lan", "lan", "hoa"))))
        FIGURES["issued and delivered"] += 1

    def step_receive(self) -> bool | None:
        doc = self.pick("arrival to register", Document.objects.filter(status=Status.RECEIVED))
        if doc is None:
            return False
        clerk = "lan" if doc.unit_id == self.units["staff"].pk else "hoa"
        documents.register_received(document=doc, acting=self.person("receiving clerk", (clerk, clerk, "lan", "dung")))
        return True

    def step_copy(self) -> bool | None:
        doc = self.pick("document to copy", Document.objects.filter(status__in=access.COPYABLE))
        if doc is None:
            return False
        clerk, unit = self.draw(st.sampled_from([("hoa", "command"), ("lan", "staff")]), "copying clerk")
        documents.make_copy(document=doc, acting=self.people[clerk], unit=self.units[unit], form="SY",
                            secret=SIGNING_SECRET, otp=code_for(self.people[clerk]))
        return True

    def step_recall(self) -> bool | None:
        doc = self.pick("document to recall", Document.objects.filter(direction=Direction.OUTGOING,
                                                                      status=Status.ISSUED))
        if doc is None:
            return False
        documents.recall_outgoing(document=doc, acting=self.person("recalling", ("lan", "son", "hoa")),
                                  reason="Thu hồi thử.")
        return True

    def possible(self) -> list[str]:
        """The steps that have something to act on now (each may still be refused)."""
        steps = ["register", "issue"]  # weighted towards handling what is already there: deeper flows
        incoming = Document.objects.filter(direction=Direction.INCOMING)
        if incoming.filter(status=Status.REGISTERED).exists():
            steps += ["present"] * 3
        if incoming.filter(status__in=(Status.REGISTERED, Status.PRESENTED, Status.DIRECTED)).exists():
            steps += ["direct"] * 3
        if Assignment.objects.filter(unit__isnull=False, state__in=OPEN_STATES).exists():
            steps += ["forward"] * 5
        if Document.objects.filter(status=Status.RECEIVED).exists():
            steps += ["receive"] * 4
        if Document.objects.filter(status__in=access.COPYABLE).exists():
            steps.append("copy")
        if Document.objects.filter(direction=Direction.OUTGOING, status=Status.ISSUED).exists():
            steps.append("recall")
        return steps

    def run(self) -> None:
        self.setup()
        self.check()
        for n in range(self.draw(st.integers(min(3, MAX_STEPS), MAX_STEPS), "steps")):
            name = "register" if n == 0 else self.draw(st.sampled_from(self.possible()), "step")
            self.steps.append(name)
            FIGURES["steps"] += 1
            try:
                done = getattr(self, f"step_{name}")()
                FIGURES[f"done {name}" if done is not False else f"nothing to {name}"] += 1
            except ActionRefused as refusal:
                FIGURES["refused"] += 1
                FIGURES[f"refused {name} ({refusal.code})"] += 1
                if os.environ.get("VANTHU_PROPERTY_DEBUG"):
                    print(name, refusal.message)
            delivering.deliver_waiting()  # what the delivery jobs do after each step's commit
            self.refresh()
            self.check()
        self.check_http()
        FIGURES["flows"] += 1

    # -- the oracle: marks and clearances alone ----------------------------------------------------------

    def above(self, person: Person) -> list[Document]:
        return [d for d in Document.objects.all() if d.secrecy > person.clearance]

    def violation(self, ok: bool, what: str) -> None:
        FIGURES["checks"] += 1
        if not ok:
            FIGURES["violations"] += 1
        assert ok, f"{what} (steps: {self.steps})"

    def check(self) -> None:
        """After every step: inboxes and counts, lists, register rows, and the access every page/API/file asks."""
        registers = list(Register.objects.values_list("unit_id", "kind", "series").distinct())
        for name, person in self.people.items():
            box = inbox_for(person)
            for item in box.items:
                self.violation(item.document.secrecy <= person.clearance,
                               f"{name} (clearance {person.clearance}) has {item.document} in the inbox")
            per_kind = Counter(item.kind for item in box.items)
            self.violation(dict(per_kind) == box.counts, f"{name}'s inbox counts {box.counts} ≠ items {per_kind}")
            rows, _next = api_queries.documents_page(person, limit=100)
            for doc in rows:
                self.violation(doc.secrecy <= person.clearance, f"{name} lists {doc}")
            readable = {u.pk for u in document_queries.register_units(person)}
            for unit_id, kind, series in registers:
                if unit_id not in readable or (series == "mat" and person.clearance < Secrecy.CONFIDENTIAL):
                    continue
                page = document_queries.register_page(
                    person, kind="incoming" if kind == "in" else "outgoing", unit_id=str(unit_id), year=None,
                    series=series, before=None)
                for row in page.rows:
                    hidden = row.document.secrecy > person.clearance
                    self.violation(row.masked or not hidden, f"{name} reads register row {row.document} in full")
                    self.violation(not hidden or (not row.handlers and not row.recipients),
                                   f"{name} reads who handles {row.document}")
            for doc in self.above(person):
                try:
                    access.access_document(person, doc.pk)
                except Http404:
                    FIGURES["checks"] += 1
                else:
                    self.violation(False, f"{name} (clearance {person.clearance}) opens {doc}")
                for task in Assignment.objects.filter(document=doc):
                    try:
                        access_assignment(person, task.pk)
                    except Http404:
                        FIGURES["checks"] += 1
                    else:
                        self.violation(False, f"{name} opens the assignment {task} of {doc}")

    def hidden_tags(self, person: Person) -> list[str]:
        return [tag for tag, secrecy in self.tags.items() if secrecy > person.clearance]

    def no_tag(self, person: Person, where: str, content: bytes) -> None:
        text = content.decode("utf-8", errors="replace")
        for tag in self.hidden_tags(person):
            self.violation(tag not in text, f"{person} (clearance {person.clearance}) reads {tag} in {where}")

    def check_http(self) -> None:
        """At the end of the flow: every page, API answer, file and print each person can ask for."""
        for name, person in self.people.items():
            client = Client()
            client.force_login(person.user)
            caller = ApiClient(self.world.tokens[name])
            answers: list[tuple[str, Any]] = [
                ("the inbox page", client.get("/")),
                ("the incoming register page", client.get("/registers/incoming/")),
                ("the outgoing register page", client.get("/registers/outgoing/")),
                ("GET /inbox", caller.get("/inbox")),
                ("GET /documents", caller.get("/documents", {"limit": 100})),
                ("GET /registers/in", caller.get("/registers/in")),
                ("GET /registers/out", caller.get("/registers/out")),
            ]
            if person.clearance >= Secrecy.CONFIDENTIAL:
                answers += [("the secret register page", client.get("/registers/incoming/", {"series": "mat"})),
                            ("GET /registers/in?series=mat", caller.get("/registers/in", {"series": "mat"}))]
            for doc in Document.objects.filter(secrecy__lte=person.clearance):
                if access.can_see(person, doc):  # only to choose what to fetch; the oracle is the tags
                    answers += [(f"the page of {doc}", client.get(f"/documents/{doc.pk}/")),
                                (f"GET /documents/{doc.pk}", caller.get(f"/documents/{doc.pk}")),
                                (f"GET /documents/{doc.pk}/history", caller.get(f"/documents/{doc.pk}/history"))]
            for where, response in answers:
                self.no_tag(person, where, response.content)
            for doc in self.above(person):
                sha = doc.current_file_id
                for where, response in (
                    (f"the page of {doc}", client.get(f"/documents/{doc.pk}/")),
                    (f"GET /documents/{doc.pk}", caller.get(f"/documents/{doc.pk}")),
                    (f"the file of {doc}", client.get(f"/documents/{doc.pk}/file/{sha}/")),
                    (f"GET /documents/{doc.pk}/files", caller.get(f"/documents/{doc.pk}/files/{sha}")),
                ):
                    self.violation(response.status_code == 404, f"{name} gets {response.status_code} for {where}")
            self.check_prints(person, client)

    def check_prints(self, person: Person, client: Client) -> None:
        registers = Register.objects.filter(unit_id__in=[u.pk for u in document_queries.register_units(person)])
        for unit_id, kind, series, year in registers.values_list("unit_id", "kind", "series", "year").distinct():
            url = "/registers/{}/print/".format("incoming" if kind == "in" else "outgoing")
            params = {"unit": str(unit_id), "from": f"{year}-01-01", "to": f"{year}-12-31", "series": series,
                      "format": "xlsx"}
            response = client.get(url, params)
            if response.status_code != 200:
                continue
            FIGURES["prints"] += 1
            sheet = load_workbook(io.BytesIO(response.content)).active
            assert sheet is not None
            cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
            self.no_tag(person, f"the print of register {unit_id}/{kind}/{series}", cells.encode())


def _write_figures(path: str | None) -> None:
    if path:  # rewritten after every flow: a long run stopped half-way still leaves its figures
        with open(path, "w", encoding="utf-8") as out:
            json.dump(dict(FIGURES), out, ensure_ascii=False, indent=2, sort_keys=True)


def _figures(path: str | None) -> None:
    line = ", ".join(f"{k}: {v}" for k, v in sorted(FIGURES.items()))
    print(f"\nproperty flows: {line}")  # the figures the lead shows
    _write_figures(path)


def _run(world: World, example: Callable[[World, st.DataObject], None]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def property_holds(data: st.DataObject) -> None:
        with transaction.atomic():  # each example starts from the same world
            example(world, data)
            transaction.set_rollback(True)
        _write_figures(os.environ.get("VANTHU_PROPERTY_FIGURES"))

    property_holds()


def _nobody_sees_above_clearance(world: World, data: st.DataObject) -> None:
    Flow(world, data).run()


def test_nobody_sees_a_document_above_their_clearance_whatever_the_flow(world, record_property):
    FIGURES.clear()
    try:
        _run(world, _nobody_sees_above_clearance)
    finally:
        _figures(os.environ.get("VANTHU_PROPERTY_FIGURES"))
        for key, value in FIGURES.items():
            record_property(key, value)
    assert FIGURES["flows"] >= min(EXAMPLES, 10)
    assert FIGURES["violations"] == 0
    assert FIGURES["checks"] > FIGURES["flows"]


# --- the sender and the receiver keep separate records -------------------------------------------------------


def test_the_sender_sees_nothing_of_the_receivers_handling_beyond_the_statuses(world):
    """Issue 16 path 3 (fixed by the engineer who rebuilds delivery: a delivered copy belongs to the receiving
    unit, not to the sending clerk). The Staff issues a plan to the Command; Hoa registers it, the commander
    directs it with a tagged direction and assigns it. Lan, the Staff's clerk who issued it, must learn nothing
    of that beyond the status: not the copy's page, not the direction, not who was assigned."""
    cast = world.cast
    doc = documents.create_draft(
        acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
        data=documents.DraftData(doc_type=world.doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                                 recipient_units=[cast.command]),
        file=checked(world.draft_pdf, "ke-hoach.pdf"),
    )
    documents.submit_for_review(document=doc, acting=cast.quang,
                                signer_authority=SigningAuthority.objects.get(person=cast.son))
    documents.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    documents.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    delivering.deliver_waiting()  # the delivery jobs
    copy = Document.objects.get(source=doc, unit=cast.command)
    documents.register_received(document=copy, acting=cast.hoa)
    workflow.present(document=copy, acting=cast.hoa, to=cast.hung)
    direction = "Chỉ đạo nội bộ R7Z: giao đồng chí Bình chủ trì"
    workflow.direct(document=copy, acting=cast.hung, text=direction, lead=cast.binh)
    delivering.deliver_waiting()  # the statuses back to the sender

    client = Client()
    client.force_login(cast.lan.user)
    caller = ApiClient(world.tokens["lan"])
    assert client.get(f"/documents/{copy.pk}/").status_code == 404
    assert caller.get(f"/documents/{copy.pk}").status_code == 404
    assert caller.get(f"/documents/{copy.pk}/history").status_code == 404
    for response in (client.get(f"/documents/{doc.pk}/"), caller.get(f"/documents/{doc.pk}"),
                     caller.get(f"/documents/{doc.pk}/history"), caller.get("/documents", {"limit": 100}),
                     client.get("/"), caller.get("/inbox")):
        text = response.content.decode()
        assert "R7Z" not in text
        assert cast.binh.full_name not in text
    recipients = caller.get(f"/documents/{doc.pk}").json().get("recipients", [])
    assert recipients, "the sender sees its recipients"
    assert all(r["delivered_id"] is None for r in recipients)  # no id of the receiver's copy
    assert {r["state"] for r in recipients} == {"assigned"}  # only the statuses the receiver sent back (03, 04)
