"""Fixtures of the records' tests: the Staff's catalogue of last year and this year, documents to file (made
through the actions), and a second person of the Staff (Việt) to hand over to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy
from vanthu.documents import actions as documents
from vanthu.org import actions as org
from vanthu.org.models import Rank, Role
from vanthu.records import actions, catalogue_actions

YEAR = timezone.localdate().year


def incoming(cast, doc_types, pdf, *, subject="V/v tổ chức huấn luyện năm", secrecy=Secrecy.NONE, unit=None,
             clerk=None, number="125"):
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng", subject=subject,
                                  code_number=number, code_notation="BQP-TM", issued_date=dt.date(YEAR, 1, 5),
                                  secrecy=secrecy)
    return documents.register_incoming(unit=unit or cast.staff, acting=clerk or cast.lan, data=data,
                                       file=checked(pdf, f"cv-{number}.pdf"))


@pytest.fixture
def catalogue(cast):
    """The Staff's catalogue of this year, approved by Sơn: heading I, entries 01.TC (10 years, Quang; suggested
    for QĐ and "huấn luyện") and 02.TC (permanent)."""
    cat = catalogue_actions.create_catalogue(unit=cast.staff, year=YEAR, acting=cast.lan, copy_previous=False)
    heading = catalogue_actions.add_heading(catalogue=cat, title="Công tác tác chiến, huấn luyện", code="I",
                                            acting=cast.lan)
    catalogue_actions.add_entry(catalogue=cat, code="01.TC", title="Hồ sơ huấn luyện năm", retention_years=10,
                                responsible=cast.lan, heading=heading, suggest_types=["QĐ"],
                                suggest_words="huấn luyện", acting=cast.lan)
    catalogue_actions.add_entry(catalogue=cat, code="02.TC", title="Hồ sơ diễn tập phòng thủ", retention_years=None,
                                heading=heading, acting=cast.lan)
    return catalogue_actions.approve_catalogue(catalogue=cat, acting=cast.son)


@pytest.fixture
def record(cast, catalogue):
    return actions.open_record(entry=catalogue.entries.get(code="01.TC"), acting=cast.lan)


@pytest.fixture
def doc(cast, doc_types, incoming_pdf):
    return incoming(cast, doc_types, incoming_pdf)


@pytest.fixture
def viet(cast):
    return org.create_person(username="viet", password="x", full_name="Mai Quốc Việt", unit=cast.staff,
                             acting=TEST_FIXTURES, rank=Rank.DAI_UY, position="Trợ lý", clearance=Secrecy.SECRET,
                             roles=(Role.OFFICER,))
