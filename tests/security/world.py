"""The fixed world the access matrix tries every endpoint against, made through the actions (test set-up only).

The fixed characters (vanthu/demo/characters.py) and, around the Staff (Bộ Tham mưu, clerk Lan, leader Sơn):

- an incoming document of each secrecy mark registered by Lan (`incoming_0` … `incoming_3`; for the Tuyệt mật one Lan is
  cleared for a moment, since no clerk of the cast is), each with a
  canary in its subject; `incoming_0` is presented to Sơn and directed to the Operations Department (an
  assignment, the Operations' task);
- `received`: an arrival waiting to be registered at the Staff;
- `draft_open`: Quang's draft of the Operations Department for the Staff; `draft`: another, submitted to Sơn;
  `signed`: one Sơn signed, not yet issued;
- `issued`: a document drafted by Quang, signed by Sơn, sealed and issued by Lan to the Division (real PAdES);
- `directive`: Hùng's directive to the Division (the Division's root task, `task`, delegated to Minh as
  `minh_task` with a progress note carrying a file and an extension request);
- the Staff's catalogue (approved by Sơn), a record opened by Lan with `incoming_0` filed in it;
- a notification of Lan's; a register print of Lan's; an exchange peer (the top unit's admin's) and a refused
  envelope addressed to the Staff.

Every canary appears only in its own document's subject (and the files are the same sample PDF), so a page or a
file that shows a canary to a person the table says may not see that document is a leak.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.demo.characters import Cast, build_cast
from vanthu.demo.pdfs import sample_draft, sample_incoming
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, DocumentType
from vanthu.org.models import Person
from vanthu.org.queries import forget_scope
from vanthu.org.second_factor_testing import code_for, step_up

MARKS = (Secrecy.NONE, Secrecy.CONFIDENTIAL, Secrecy.SECRET, Secrecy.TOP_SECRET)
PERSONAS = ("hung", "binh", "hoa", "son", "lan", "quang", "dung", "minh", "tam", "admin")
ABSENT = 987654  # an id no row has


def canary(name: str) -> str:
    return f"CANARY{name.upper().replace('_', '')}"


@dataclass
class World:
    cast: Cast
    docs: dict[str, Document] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)

    def person(self, name: str) -> Person:
        return getattr(self.cast, name)

    def doc(self, name: str) -> Document:
        return self.docs[name]

    def pk(self, name: str) -> Any:
        if name == "absent":
            return ABSENT
        if name in self.docs:
            return self.docs[name].pk
        return self.objects[name].pk


def set_clearance(person: Person, clearance: int) -> None:
    person.clearance = clearance
    person.save(update_fields=["clearance"])
    forget_scope(person)


def _incoming(cast: Cast, types: dict[str, DocumentType], name: str, *, secrecy: int, number: str) -> Document:
    data = documents.IncomingData(doc_type=types["Công văn"], organ_name="Bộ Tổng Tham mưu",
                                  subject=f"V/v {canary(name)} kế hoạch huấn luyện", code_number=number,
                                  code_notation="BTTM-TC", issued_date=dt.date(2026, 1, 5), secrecy=secrecy)
    return documents.register_incoming(unit=cast.staff, acting=cast.lan, data=data,
                                       file=checked(sample_incoming(), f"cv-{number}.pdf"))


def build_world() -> World:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from vanthu.api.actions import create_token
    from vanthu.exchange import actions as exchange
    from vanthu.notify import send
    from vanthu.records import actions as records
    from vanthu.records import catalogue_actions
    from vanthu.reports.models import RegisterPrint
    from vanthu.signing.models import Certificate, CertificateAuthority, KeyCredential
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast
    from vanthu.workflow import actions as workflow
    from vanthu.workflow import directive_actions
    from vanthu.workflow import task_actions as tasks
    from vanthu.workflow.models import Assignment
    from vanthu.workflow.task_actions import Handover

    cast = build_cast()
    world = World(cast=cast)
    types = {t.abbreviation or t.name: t for t in DocumentType.objects.all()}
    today = timezone.localdate()

    for mark in MARKS:
        if mark == Secrecy.TOP_SECRET:  # Lan, cleared for it for one registration
            set_clearance(cast.lan, Secrecy.TOP_SECRET)
        world.docs[f"incoming_{mark}"] = _incoming(cast, types, f"incoming_{mark}", secrecy=mark,
                                                   number=str(10 + mark))
    set_clearance(cast.lan, Secrecy.SECRET)
    first = world.docs["incoming_0"]
    workflow.present(document=first, acting=cast.lan, to=cast.son, note="Kính trình")
    workflow.direct(document=first, acting=cast.son, text="Phòng Tác chiến chủ trì.", lead=cast.operations,
                    deadline=today + dt.timedelta(days=5))
    world.objects["assignment"] = Assignment.objects.filter(document=first, unit=cast.operations).first()

    from tests.api.conftest import received_document

    received = received_document(cast, types, sample_incoming())
    received.subject = f"V/v {canary('received')}"
    received.created_by = cast.lan  # the helper's author is Hoa, who would then see it as its creator
    received.save(update_fields=["subject", "created_by"])
    world.docs["received"] = received

    authority = cast.son.signing_authorities.get()

    def draft(name: str, *, submit: bool = True) -> Document:
        data = documents.DraftData(doc_type=types["KH"], subject=f"Kế hoạch {canary(name)}",
                                   recipient_units=[cast.division], recipient_names=["Bộ Tổng Tham mưu"])
        made = documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                      data=data, file=checked(sample_draft(), "ke-hoach.pdf"))
        if submit:
            documents.submit_for_review(document=made, acting=cast.quang, signer_authority=authority)
        made.refresh_from_db()
        return made

    equip_cast(cast, people=["son"], units=["staff"])
    world.docs["draft"] = draft("draft")
    world.docs["draft_open"] = draft("draft_open", submit=False)
    signed = draft("signed")
    world.docs["signed"] = documents.sign_outgoing(document=signed, acting=cast.son, secret=SIGNING_SECRET,
                                                     otp=code_for(cast.son))
    issued = draft("issued")
    documents.sign_outgoing(document=issued, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    world.docs["issued"] = documents.issue_outgoing(document=issued, acting=cast.lan, secret=SIGNING_SECRET,
                                                      otp=code_for(cast.lan))
    world.objects["certificate"] = Certificate.objects.filter(person=cast.son).first()
    world.objects["credential"] = KeyCredential.objects.filter(person=cast.son).first()
    world.objects["ca"] = CertificateAuthority.objects.first()

    directive = directive_actions.issue(acting=cast.hung, unit=cast.command, title=f"Báo cáo {canary('directive')}",
                                        units=[cast.division], deadline=today + dt.timedelta(days=10))
    world.objects["directive"] = directive
    division_task = Assignment.objects.get(directive=directive, parent__isnull=True, unit=cast.division)
    world.objects["task"] = division_task
    [minh_task] = tasks.delegate(task=division_task, acting=cast.dung,
                                 handovers=[Handover(cast.minh, deadline=today + dt.timedelta(days=5))])
    world.objects["minh_task"] = minh_task
    from django.core.files.uploadedfile import SimpleUploadedFile

    world.objects["note"] = tasks.report_progress(task=minh_task, acting=cast.minh, text="Đã kiểm tra.", percent=40,
                                                  file=SimpleUploadedFile("bao-cao.pdf", sample_incoming()))
    world.objects["extension"] = tasks.request_extension(task=minh_task, acting=cast.minh,
                                                         deadline=today + dt.timedelta(days=7), reason="Chờ số liệu.")

    catalogue = catalogue_actions.create_catalogue(unit=cast.staff, year=today.year, acting=cast.lan,
                                                   copy_previous=False)
    catalogue_actions.add_entry(catalogue=catalogue, code="01.TC", title="Hồ sơ huấn luyện năm", retention_years=10,
                                responsible=cast.lan, acting=cast.lan)
    catalogue = catalogue_actions.approve_catalogue(catalogue=catalogue, acting=cast.son)
    world.objects["catalogue"] = catalogue
    world.objects["entry"] = catalogue.entries.get(code="01.TC")
    record = records.open_record(entry=world.objects["entry"], acting=cast.lan)
    world.objects["record"] = record
    world.objects["item"] = records.file_document(record=record, document=first, acting=cast.lan)

    world.objects["notification"] = send(cast.lan, kind="reminder", title=f"Nhắc {canary('notification')}",
                                         url="/", key="matrix-1")
    world.objects["print"] = RegisterPrint.objects.create(person=cast.lan, unit=cast.staff, kind="incoming",
                                                          series="", start=dt.date(today.year, 1, 1), end=today,
                                                          format="pdf")
    ca_der = bytes(world.objects["ca"].certificate_der)
    ca_pem = x509.load_der_x509_certificate(ca_der).public_bytes(serialization.Encoding.PEM).decode()
    world.objects["peer"] = exchange.add_peer(acting=cast.admin, name="Quân khu 11", organ_ids="*.Q11",
                                              base_url="https://q11.example", trust_roots=ca_pem)
    raw = f"<edXMLEnvelope>{canary('envelope')}</edXMLEnvelope>".encode()
    world.objects["envelope"] = exchange.record_envelope(
        data=raw, sha256=hashlib.sha256(raw).hexdigest(), transport="http", peer=world.objects["peer"],
        state="refused", unit=cast.staff, kind="document", from_organ="000.00.00.Q11", to_organ=cast.staff.code,
        document_id="X-1", subject=f"V/v {canary('envelope')}", reason_code="bad_signature", reason="Chữ ký sai")

    # a rendered page of the incoming documents' file (the job's work, done here): the thumbnail endpoint
    from vanthu.core.files import store_bytes
    from vanthu.documents.placement_models import PagePreview, PreviewState
    from vanthu.signing.testing import seal_png

    png = store_bytes(seal_png("xem trước"), content_type="image/png")
    PagePreview.objects.create(file_id=first.current_file_id, state=PreviewState.READY, images={"0": png.sha256})
    world.objects["preview_png"] = png

    from vanthu.search import indexing

    indexing.sync_all()  # the search index, as the job keeps it after each commit
    for name in PERSONAS:
        _token, secret = create_token(person=world.person(name), name="ma trận", acting=TEST_FIXTURES)
        world.tokens[name] = secret
        client = Client()
        # a session that lives as long as the world, its second factor proved on the code page: administration
        # pages ask for one (decision 0020); the refusals of everyone else do not depend on it
        step_up(client, world.person(name))
        world.sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world
