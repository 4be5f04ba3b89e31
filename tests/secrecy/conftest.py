"""Classified documents at each hand-off, made through the actions (the issue 16 stories)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import api  # noqa: F401  (the `api(person)` fixture)
from tests.conftest import checked
from vanthu.core.choices import Secrecy
from vanthu.documents import actions as documents
from vanthu.documents.models import Document
from vanthu.org.models import Person
from vanthu.org.queries import forget_scope
from vanthu.workflow import actions as workflow

SUBJECT = "V/v kế hoạch tác chiến phòng thủ khu vực năm 2027"


def arrival(cast: Any, doc_types: Any, pdf: bytes, *, secrecy: int = Secrecy.SECRET, present: bool = True,
            subject: str = SUBJECT) -> Document:
    """A classified arrival Hoa registers for the Command and presents to the commander Hùng."""
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Tổng Tham mưu", subject=subject,
                                  code_number="7", code_notation="BTTM-TC", secrecy=secrecy)
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(pdf))
    if present:
        workflow.present(document=doc, acting=cast.hoa, to=cast.hung)
        doc.refresh_from_db()
    return doc


def set_clearance(person: Person, clearance: int) -> None:
    person.clearance = clearance
    person.save(update_fields=["clearance"])
    forget_scope(person)


@pytest.fixture
def dung_cleared_for_mat(cast: Any) -> Person:
    """The division's commander, cleared only for Mật (as the battalion leaders of the issue's story)."""
    set_clearance(cast.dung, Secrecy.CONFIDENTIAL)
    return cast.dung
