"""Fixtures of the page tests: documents at each step of their flows, made through the actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.choices import Urgency
from vanthu.documents import actions as documents
from vanthu.workflow import actions as workflow


def incoming_data(doc_types, **overrides):
    values = {"doc_type": doc_types["Công văn"], "organ_name": "Bộ Quốc phòng", "subject": "V/v diễn tập phòng thủ",
              "code_number": "125", "code_notation": "BQP-TM", "issued_date": dt.date(2026, 1, 5)}
    values.update(overrides)
    return documents.IncomingData(**values)


@pytest.fixture
def registered(cast, doc_types, incoming_pdf):
    """An urgent document registered by Hoa in the Command's incoming register (số đến 1)."""
    return documents.register_incoming(unit=cast.command, acting=cast.hoa,
                                       data=incoming_data(doc_types, urgency=Urgency.FLASH),
                                       file=checked(incoming_pdf, "cv-125.pdf"))


@pytest.fixture
def staff_document(cast, doc_types, incoming_pdf):
    """A document of the Staff, registered by Lan (số đến 1 of the Staff)."""
    return documents.register_incoming(unit=cast.staff, acting=cast.lan, data=incoming_data(doc_types),
                                       file=checked(incoming_pdf, "cv-staff.pdf"))


@pytest.fixture
def presented(cast, registered):
    workflow.present(document=registered, acting=cast.hoa, to=cast.hung, note="Kính trình Tư lệnh")
    registered.refresh_from_db()
    return registered


@pytest.fixture
def directed(cast, presented):
    workflow.direct(document=presented, acting=cast.hung, text="Giao Sư đoàn 301 chủ trì, Bộ Tham mưu phối hợp.",
                    lead=cast.division, cooperate=[cast.staff], deadline=timezone.localdate() + dt.timedelta(days=5))
    presented.refresh_from_db()
    return presented


def draft_data(doc_types, cast, **overrides):
    values = {"doc_type": doc_types["KH"], "subject": "Huấn luyện chiến đấu năm 2027",
              "recipient_units": [cast.division], "recipient_names": ["Bộ Tổng Tham mưu"]}
    values.update(overrides)
    return documents.DraftData(**values)


@pytest.fixture
def draft(cast, doc_types, draft_pdf):
    """Quang's draft plan of the Staff, issued by the Staff."""
    return documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                  data=draft_data(doc_types, cast), file=checked(draft_pdf, "ke-hoach.pdf"))


@pytest.fixture
def awaiting_signature(cast, draft):
    authority = cast.son.signing_authorities.get()
    documents.submit_for_review(document=draft, acting=cast.quang, signer_authority=authority)
    draft.refresh_from_db()
    return draft
