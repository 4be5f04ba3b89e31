"""Issue 7, sixth pass: fewer statements per issuance and per delivery, the same outcomes. The check before the
number reads without a transaction and still records its refusals; the personal signature's verdict is read once,
and the seal proves it seals the very bytes checked (else it checks again); the hand-placed seal position and the
recipients are the ones read for the check; a delivery reads its own long-term hold with its companions."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.outbox_helpers import issue_as_clerk
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, delivering
from vanthu.documents.actions import placement
from vanthu.documents.models import Document, LongTermSignature, OutboxMessage, Placement, Recipient, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET

pytestmark = pytest.mark.django_db


issue = issue_as_clerk


def _statements(queries, table):
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"] or f" {table} " in q["sql"]]


def test_a_refusal_before_the_number_is_recorded_without_a_transaction(signed, cast):
    code = code_for(cast.quang)
    with pytest.raises(ActionRefused) as refused:  # the drafter is not the issuing unit's clerk
        actions.issue_outgoing(document=signed, acting=cast.quang, secret=SIGNING_SECRET, otp=code)
    assert refused.value.code == "forbidden"
    stored = Document.objects.get(pk=signed.pk)
    assert (stored.status, stored.number, stored.version) == (Status.SIGNED, None, signed.version)
    event = AuditEvent.objects.get(verb="documents.outgoing.issued.refused", target_id=str(signed.pk))
    assert event.actor_id == cast.quang.pk


def test_the_signature_is_checked_once_and_the_recipients_read_once(signed, cast, monkeypatch):
    checks = []
    real = signing._check_personal_signature
    monkeypatch.setattr(signing, "_check_personal_signature", lambda pdf: checks.append(real(pdf)))
    with CaptureQueriesContext(connection) as queries:
        issued = issue(signed, cast)
    assert issued.status == Status.ISSUED
    assert checks == []  # checked before the number (`_has_valid_personal_signature`), on the bytes sealed
    sql = [q["sql"] for q in queries.captured_queries]
    finalising = next(i for i, q in enumerate(sql) if "SET current_file_id" in q)
    # the recipients are read for the check (and again under the lock where the number is taken in a locked
    # transaction: SQLite, or inside an outer transaction as in the tests), never again to write the outbox rows
    assert not [q for q in sql[finalising:] if q.startswith("SELECT") and '"documents_recipient"' in q]
    # the placement is read with the document (the locked path re-reads the document, then its placement once)
    assert len([q for q in sql if 'FROM "documents_placement"' in q]) <= 1
    # every recipient is sent to as before: units by the outbox, the outside body waits for paper
    states = dict(Recipient.objects.filter(document=signed).values_list("unit_id", "state"))
    assert states[cast.division.pk] == states[cast.province.pk] == Recipient.State.SENT
    assert states[None] == Recipient.State.PAPER_PENDING
    assert OutboxMessage.objects.filter(document=signed).count() == 2


def test_the_seal_goes_where_it_was_placed_by_hand(signed, cast, monkeypatch):
    Placement.objects.create(document=signed, positions={"seal": [0, 300.0, 200.0]},
                             approved_sha256=signed.approved_sha256)
    seen = {}
    real = signing.UnitSeal.seal_issued

    def spy(self, **kwargs):
        seen.update(kwargs)
        return real(self, **kwargs)

    monkeypatch.setattr(signing.UnitSeal, "seal_issued", spy)
    issue(signed, cast)
    assert seen["placed"] == {"seal": [0, 300.0, 200.0]}
    assert seen["placed"] == placement.current_positions(signed)


def test_the_seal_checks_again_unless_it_seals_the_bytes_checked(signed, cast, monkeypatch):
    checks = []
    monkeypatch.setattr(signing, "_check_personal_signature", lambda pdf: checks.append(pdf))
    assert signed.current_file is not None
    pdf = signed.current_file.read_bytes()
    equipped = signing.unit_seal(unit=signed.unit, secret=SIGNING_SECRET)
    with equipped as seal:
        seal.seal_issued(pdf=pdf, number_text="Số: 1/KH-BTL", date_text="Hà Nội, ngày 1 tháng 1 năm 2027",
                         checked_sha256=hashlib.sha256(pdf).hexdigest())
        assert checks == []  # these very bytes were checked by the caller
        seal.seal_issued(pdf=pdf, number_text="Số: 1/KH-BTL", date_text="Hà Nội, ngày 1 tháng 1 năm 2027",
                         checked_sha256="0" * 64)
        assert checks == [pdf]  # other bytes than those checked: checked here
        seal.seal_issued(pdf=pdf, number_text="Số: 1/KH-BTL", date_text="Hà Nội, ngày 1 tháng 1 năm 2027")
        assert checks == [pdf, pdf]


def test_a_held_message_alone_is_not_delivered_and_its_hold_is_read_with_its_companions(signed, cast):
    issue(signed, cast)
    document = Document.objects.get(pk=signed.pk)
    assert document.current_file is not None
    LongTermSignature.objects.create(document=document, target="B-LT", level="B-T",
                                     sealed_file=document.current_file)
    messages = list(OutboxMessage.objects.filter(document=signed).order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        delivering.deliver_message(messages[0].pk)
    assert OutboxMessage.objects.get(pk=messages[0].pk).state == OutboxMessage.State.WAITING
    assert len(_statements(queries.captured_queries, "documents_longtermsignature")) == 1
    LongTermSignature.objects.filter(document=document).delete()  # the enrichment is done
    with CaptureQueriesContext(connection) as queries:
        delivering.deliver_message(messages[0].pk)  # its companion (the other unit) is not the same destination
    assert OutboxMessage.objects.get(pk=messages[0].pk).state == OutboxMessage.State.DELIVERED
    assert len(_statements(queries.captured_queries, "documents_longtermsignature")) == 1
    assert OutboxMessage.objects.get(pk=messages[1].pk).state == OutboxMessage.State.WAITING

