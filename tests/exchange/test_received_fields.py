"""The receiver's PDF check (exchange/pdfcheck.py) compares the main PDF's number and date fields with the envelope
(decision 0036): each field shows its value, the number is the envelope's Code (number/notation), the date names
its PromulgationInfo date. The PDFs are issued by vanthu's own issuance, with one change made in the seal's
revision by vanthu's own code (tests/signing/fastdiff_corpus.py), or sent under an envelope that names another
number or day."""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import nullcontext

import pytest
from asn1crypto import pem

from tests.outbox_helpers import signed_plan
from tests.signing import fastdiff_corpus
from vanthu.documents import actions
from vanthu.documents.models import Direction, Document, OutboxMessage
from vanthu.exchange import edxml, outgoing, pdfcheck, receiving
from vanthu.exchange.models import Peer, ReceivedEnvelope
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import pades_form
from vanthu.signing.bench import BLOCK, DATE, NUMBER, make_pki, vanthu_issue
from vanthu.signing.service import Registered
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


@pytest.fixture
def issue(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    """The Staff's plan issued (its messages wait), `change` made in the seal's revision; the issued document."""

    def run(change=None) -> Document:
        document = signed_plan(cast, doc_types, draft_pdf)
        equip_cast(cast, people=(), units=("division",))
        tampering = fastdiff_corpus.issuance_sealing_with(change) if change is not None else nullcontext()
        with tampering, django_capture_on_commit_callbacks(execute=False):
            actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
        document.refresh_from_db()
        return document

    return run


def envelope_to_division(cast, document: Document, **header_changes) -> bytes:
    message = OutboxMessage.objects.get(document=document, recipient__unit=cast.division)
    if not header_changes:
        return outgoing.signed_bytes(message, to=outgoing.organization(cast.division))
    envelope = outgoing.envelope_of(document, to=outgoing.organization(cast.division))
    envelope = dataclasses.replace(envelope, header=dataclasses.replace(envelope.header, **header_changes))
    return outgoing.sign_as(message.unit, edxml.build_document(envelope))


def arrived(cast) -> int:
    return Document.objects.filter(unit=cast.division, direction=Direction.INCOMING).count()


def refused_for(receipt: receiving.Receipt, reason: str) -> None:
    assert not receipt.accepted
    assert receipt.code == "bad_pdf_signature", receipt.reason
    row = ReceivedEnvelope.objects.get(pk=receipt.envelope.pk)
    assert row.state == "refused"
    assert reason in row.reason, row.reason


NUMBER_FIELD = pades_form.NUMBER_FIELD
TAMPERED = {
    "value_differs_from_appearance": (fastdiff_corpus.number_value_without_appearance,
                                      "Ô số, ký hiệu ghi giá trị “Số: 99/KH-TM” nhưng trên trang lại hiện "
                                      "“Số: 01/KH-TM”"),
    "appearance_differs_from_value": (fastdiff_corpus.field_appearance_shows(NUMBER_FIELD, "Số: 02/KH-TM"),
                                      "nhưng trên trang lại hiện “Số: 02/KH-TM”"),
    "another_number_value_and_appearance": (fastdiff_corpus.field_refilled(NUMBER_FIELD, "Số: 07/KH-TM"),
                                            "khác số, ký hiệu đã đăng ký của văn bản (“Số: 01/KH-TM”)"),
    "font_map_lies": (fastdiff_corpus.field_drawn_with_lying_map(NUMBER_FIELD, "Số: 07/KH-TM", "Số: 01/KH-TM"),
                      "Ô số, ký hiệu không hiển thị giá trị của nó dưới dạng chữ"),
}


def test_checklist_point_24_the_receiver_accepts_a_genuine_issue_whose_fields_show_the_envelopes_number(cast, issue):
    """Checklist point 24 (verify on receipt): the number and date the PDF shows are the envelope's."""
    document = issue()
    receipt = receiving.receive(envelope_to_division(cast, document), transport="local")
    assert receipt.accepted, receipt.reason
    assert arrived(cast) == 1


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_checklist_point_24_the_receiver_refuses_a_pdf_whose_number_field_shows_otherwise(cast, issue, case):
    """Checklist point 24: the seal's revision is vanthu's own with one change in the number field."""
    change, reason = TAMPERED[case]
    document = issue(change)
    refused_for(receiving.receive(envelope_to_division(cast, document), transport="local"), reason)
    assert arrived(cast) == 0


def test_checklist_point_24_the_receiver_refuses_an_envelope_naming_another_number_or_day_than_its_pdf(cast, issue):
    """Checklist point 24: a genuine PDF under an envelope (signed by its sender) that gives it another number,
    then another day of issue."""
    document = issue()
    header = outgoing.envelope_of(document, to=outgoing.organization(cast.division)).header
    other_number = envelope_to_division(cast, document, code=edxml.Code(number="02", notation=header.code.notation))
    refused_for(receiving.receive(other_number, transport="local"), "khác số, ký hiệu đã đăng ký của văn bản "
                                                                   "(“Số: 02/KH-TM”)")
    day = header.promulgation.date
    assert day is not None
    other_day = envelope_to_division(cast, document, promulgation=dataclasses.replace(
        header.promulgation, date=day - dt.timedelta(days=1)))
    refused_for(receiving.receive(other_day, transport="local"), "khác ngày đã đăng ký của văn bản")
    assert arrived(cast) == 0


# --- the check against a peer's roots ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bench():
    return make_pki("rsa")


def _peer(bench) -> Peer:
    return Peer(pk=7, name="Quân khu 11", organ_ids="*.Q11", base_url="http://127.0.0.1:1",
                trust_roots=pem.armor("CERTIFICATE", bench.root.dump()).decode("ascii"))


def test_a_peers_pdf_is_checked_against_the_number_and_date_its_envelope_gives(bench):
    from vanthu.demo.pdfs import sample_draft

    issued = vanthu_issue(sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line),
                          bench, "B-B")
    assert (NUMBER, DATE) == ("Số: 12/KH-TM", "Đà Nẵng, ngày 05 tháng 3 năm 2026")
    peer = _peer(bench)
    assert pdfcheck.validate(issued, peer=peer).valid
    assert pdfcheck.validate(issued, peer=peer, registered=Registered(NUMBER, dt.date(2026, 3, 5))).valid
    wrong = pdfcheck.validate(issued, peer=peer, registered=Registered("Số: 13/KH-TM", dt.date(2026, 3, 5)))
    assert not wrong.valid
    assert any("“Số: 13/KH-TM”" in p for p in wrong.signatures[-1].problems)
    later = pdfcheck.validate(issued, peer=peer, registered=Registered(NUMBER, dt.date(2026, 3, 6)))
    assert not later.valid
    assert any("06/03/2026" in p for p in later.signatures[-1].problems)
