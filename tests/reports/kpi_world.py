"""A small known world for the KPIs (checklist point 55), built through the actions on fixed days (D = Monday
01/03/2027, Vietnam time):

- the Staff issues three electronic documents — two signed and issued at 08:00 on D (to the division), one
  signed the day before and issued on D (to the province) — and registers one hand-signed paper document on D;
  it opens one work record on D and files the first document in it;
- the division receives the two documents at 08:00 on D: the first is registered at 09:00 (03 the same day),
  directed at 10:00 (04 after 2 hours) and done at 08:00 on D+1 (06 after 24 hours); the second is registered at
  09:00 on D+1 (03 the next day) and directed at 10:00 (04 after 26 hours).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import time_machine

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents import actions
from vanthu.documents.actions.paper_outgoing import register_paper_outgoing
from vanthu.documents.models import Document
from vanthu.org import actions as org
from vanthu.org.models import Role, SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.records import actions as records
from vanthu.records import catalogue_actions
from vanthu.signing.testing import SIGNING_SECRET, equip_cast
from vanthu.workflow import actions as workflow
from vanthu.workflow.models import Assignment, AssignmentRole

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date(2027, 3, 1)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=VN)


@dataclass
class World:
    issued: list[Document]
    copies: list[Document]


def build(cast, doc_types, draft_pdf, capture) -> World:
    """`capture` is pytest-django's django_capture_on_commit_callbacks (the deliveries run on commit)."""
    son = SigningAuthority.objects.get(person=cast.son)

    def draft(subject, to):
        data = actions.DraftData(doc_type=doc_types["KH"], subject=subject, recipient_units=[to])
        doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                   data=data, file=checked(draft_pdf, "du-thao.pdf"))
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son)
        actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
        return doc

    def issue(doc):
        with capture(execute=True):
            actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))

    with time_machine.travel(at(D - dt.timedelta(days=1), 15), tick=False) as clock:
        equip_cast(cast, people=("son",), units=("staff",))
        org.grant_role(person=cast.minh, unit=cast.division, role=Role.CLERK, acting=TEST_FIXTURES)
        late = draft("Kế hoạch bảo đảm hậu cần", cast.province)
        clock.move_to(at(D, 8))
        first, second = draft("Kế hoạch huấn luyện", cast.division), draft("Kế hoạch diễn tập", cast.division)
        for doc in (first, second, late):
            issue(doc)
        data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch trực Tết", to_places="Sư đoàn 301")
        register_paper_outgoing(acting=cast.lan, issuing_unit=cast.staff, drafting_unit=cast.operations, data=data,
                                signer_authority=son, signed_on=D, scan=checked(draft_pdf, "ban-quet.pdf"))
        copy1 = Document.objects.get(source=first, unit=cast.division)
        copy2 = Document.objects.get(source=second, unit=cast.division)

        clock.move_to(at(D, 9))
        with capture(execute=True):
            actions.register_received(document=copy1, acting=cast.minh)
            workflow.present(document=copy1, acting=cast.minh, to=cast.dung)
        clock.move_to(at(D, 10))
        with capture(execute=True):
            workflow.direct(document=copy1, acting=cast.dung, text="Đồng chí Minh xử lý", lead=cast.minh)
        clock.move_to(at(D, 11))
        catalogue = catalogue_actions.create_catalogue(unit=cast.staff, year=D.year, acting=cast.lan,
                                                       copy_previous=False)
        catalogue_actions.add_entry(catalogue=catalogue, code="01.TC", title="Hồ sơ huấn luyện năm",
                                    retention_years=10, acting=cast.lan)
        catalogue_actions.approve_catalogue(catalogue=catalogue, acting=cast.son)
        record = records.open_record(entry=catalogue.entries.get(code="01.TC"), acting=cast.lan)
        records.file_document(record=record, document=first, acting=cast.lan)

        clock.move_to(at(D + dt.timedelta(days=1), 8))
        task = Assignment.objects.get(document=copy1, role=AssignmentRole.LEAD)
        with capture(execute=True):
            workflow.start(assignment=task, acting=cast.minh)
            workflow.complete(assignment=task, acting=cast.minh, result="Đã triển khai.")
        clock.move_to(at(D + dt.timedelta(days=1), 9))
        with capture(execute=True):
            actions.register_received(document=copy2, acting=cast.minh)
            workflow.present(document=copy2, acting=cast.minh, to=cast.dung)
        clock.move_to(at(D + dt.timedelta(days=1), 10))
        with capture(execute=True):
            workflow.direct(document=copy2, acting=cast.dung, text="Đồng chí Minh xử lý", lead=cast.minh)
    return World(issued=[first, second, late], copies=[copy1, copy2])
