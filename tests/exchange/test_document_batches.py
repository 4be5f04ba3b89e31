"""A batch's documents written together (decision 0043): the document envelopes a peer sends are verified each on
its own, outside any transaction, then the accepted ones written together — their incoming documents, arrivals,
files and 01s through `delivery_batch.receive_documents`, their evidence and that of the envelopes the checks
refused through `actions.record_envelopes`, their audit events under one lock of each chain head. Whatever the
mix — a tampered signature, a tampered PDF, an unknown sender, an envelope over the size, the same bytes twice,
another envelope of the same document, one received in an earlier batch — the rows, receipts and audit events
are those of concluding each envelope alone, in the batch's order; a failure while writing them together undoes
the lot and each is concluded alone; and the statements do not grow with the batch.

The peer is this deployment's own Q10 units reached over HTTP (test_batch.py's `make_peer`): the Staff's plans
went to the division and the province."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.exchange.test_batch import make_peer
from tests.outbox_helpers import signed_plan
from vanthu.audit import log
from vanthu.audit.models import AuditEvent
from vanthu.core.models import StoredFile
from vanthu.documents import actions
from vanthu.documents.actions import delivery_batch
from vanthu.documents.models import Arrival, Direction, Document, DocumentFile, MessageKind, OutboxMessage
from vanthu.exchange import edxml, outgoing, receiving, receiving_documents
from vanthu.exchange.models import Peer, ReceivedEnvelope
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

pytestmark = pytest.mark.usefixtures("seals")  # the units' seals opened with the test secret (conftest)


@pytest.fixture
def plans(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks) -> list[Document]:
    """Two plans of the Staff issued to the division and the province (and an outside body)."""
    equip_cast(cast, people=(), units=("division", "province"))
    made = []
    for subject in ("Kế hoạch huấn luyện năm 2027", "Kế hoạch hậu cần năm 2027"):
        document = signed_plan(cast, doc_types, draft_pdf)
        if subject != document.subject:
            Document.objects.filter(pk=document.pk).update(subject=subject)
        with django_capture_on_commit_callbacks(execute=False):
            actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET,
                                   otp=code_for(cast.lan))
        document.refresh_from_db()
        made.append(document)
    return made


@pytest.fixture
def peer(plans) -> Peer:
    return make_peer()


def envelope(document: Document, unit, *, padding: int = 0, **header: object) -> bytes:
    """The signed envelope of `document` for `unit`, as the Staff sends it, with `header` changed (and a text
    attachment of `padding` bytes)."""
    to = outgoing.organization(unit)
    built = outgoing.envelope_of(document, to=to)
    if header:
        built = dataclasses.replace(built, header=dataclasses.replace(built.header, **header))
    if padding:
        extra = edxml.Attachment(content_id="cid:phu-luc", name="phu-luc.txt", content_type="text/plain",
                                 data=b"x" * padding)
        built = dataclasses.replace(built, attachments=(*built.attachments, extra))
    message = OutboxMessage.objects.get(document=document, recipient__unit=unit)
    return outgoing.sign_as(message.unit, edxml.build_document(built))


def tampered_pdf(document: Document, unit) -> bytes:
    good = outgoing.envelope_of(document, to=outgoing.organization(unit))
    pdf = good.attachments[0].data
    position = pdf.index(b"/Contents", len(pdf) // 3)
    bad_pdf = pdf[:position - 40] + bytes([pdf[position - 40] ^ 0x01]) + pdf[position - 39:]
    bad = dataclasses.replace(good, attachments=(dataclasses.replace(good.attachments[0], data=bad_pdf),))
    return outgoing.sign_as(document.unit, edxml.build_document(bad))


def outcome(receipts: list[receiving.Receipt | None], since: int) -> dict[str, object]:
    """What a batch left: receipts, evidence, incoming documents, their files, arrivals and 01s, audit events —
    all but the times the database or the clock takes, and the ids of the rows a batch inserts together before
    those concluded alone, or one unit's after another's: an evidence row is named by its envelope's SHA-256, an
    incoming document by its unit and number, and so are the rows and audit events pointing at them."""
    evidence = dict(ReceivedEnvelope.objects.values_list("pk", "sha256"))
    named = {pk: (unit, number) for pk, unit, number in Document.objects.filter(direction=Direction.INCOMING)
             .values_list("pk", "unit_id", "code_number")}

    def name(pk: int | str | None) -> object:
        return named[int(pk)] if pk is not None else None

    def target(kind: str, pk: str) -> object:
        return {"exchange.receivedenvelope": evidence, "documents.document": named}.get(kind, {}).get(int(pk), pk)

    return {
        "receipts": [None if r is None else (r.accepted, r.duplicate, r.code, r.reason, r.envelope.sha256,
                                             [name(pk) for pk in r.incoming]) for r in receipts],
        "evidence": [(*row[:-2], name(row[-2]), row[-1]) for row in ReceivedEnvelope.objects.order_by("sha256")
                     .values_list("sha256", "raw_id", "transport", "peer_id", "kind", "from_organ", "from_name",
                                  "to_organ", "unit_id", "document_id", "subject", "status_code", "signer",
                                  "document_sha256", "secrecy", "state", "reason_code", "reason", "incoming_id",
                                  "revocation")],
        "documents": sorted((name(row[0]), *row[1:]) for row in Document.objects.filter(
            direction=Direction.INCOMING).values_list(
            "pk", "unit_id", "status", "subject", "code_number", "code_notation", "organ_id", "organ_name",
            "received_via", "current_file_id", "secrecy", "source_id")),
        "files": sorted((name(document), *rest) for document, *rest in DocumentFile.objects.filter(
            document__direction=Direction.INCOMING).values_list("document_id", "kind", "name", "file_id", "ordinal")),
        "arrivals": sorted((key, unit, transport, reply_to, name(document)) for key, unit, transport, reply_to, document
                           in Arrival.objects.values_list("key", "unit_id", "transport", "reply_to", "document_id")),
        "statuses": sorted((unit, name(document), *rest) for unit, document, *rest in OutboxMessage.objects.filter(
            kind=MessageKind.STATUS).values_list("unit_id", "document_id", "answers", "status", "transport",
                                                 "address", "state")),
        "stored": StoredFile.objects.count(),
        "audit": [(chain, seq, verb, kind, target(kind, pk), unit, data)
                  for chain, seq, verb, kind, pk, unit, data in AuditEvent.objects.filter(
                      pk__gt=since).order_by("chain", "seq").values_list(
                      "chain", "seq", "verb", "target_type", "target_id", "unit_id", "data")],
    }


class _Undo(Exception):
    pass


def both_ways(items: list[bytes], peer: Peer, monkeypatch, *, before: list[bytes] = (),
              limit: int | None = None) -> tuple[dict, dict]:
    """The outcome of receiving `items` as one batch, and of receiving them in one batch the way it was before
    the documents went together (each concluded alone in its savepoint): each from the same start, undone
    after."""
    results = []
    at = timezone.now()
    for together in (True, False):
        with monkeypatch.context() as patch:
            if not together:
                patch.setattr(receiving_documents, "takes", lambda outcome: False)
            try:
                with transaction.atomic(), override_settings(EXCHANGE_MAX_BYTES=limit or 25 * 1024 * 1024):
                    for data in before:
                        receiving.receive(data, transport="http", peer=peer, at=at)
                    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                    receipts = receiving.receive_many(items, transport="http", peer=peer, at=at)
                    results.append(outcome(receipts, since))
                    raise _Undo
            except _Undo:
                pass
    return results[0], results[1]


def test_documents_written_together_leave_what_one_by_one_leaves(cast, plans, peer, monkeypatch):
    first, second = plans
    items = [envelope(first, cast.division), envelope(first, cast.province), envelope(second, cast.division),
             envelope(second, cast.province)]
    together, alone = both_ways(items, peer, monkeypatch)
    assert together == alone
    assert [r[:4] for r in together["receipts"]] == [(True, False, "", "")] * 4
    division, province = cast.division.pk, cast.province.pk
    assert [(unit, subject) for _name, unit, _status, subject, *_rest in together["documents"]] == [
        (division, first.subject), (division, second.subject), (province, first.subject), (province, second.subject)]
    made = [[(division, "01")], [(province, "01")], [(division, "02")], [(province, "02")]]
    assert [r[5] for r in together["receipts"]] == made
    incoming = {row[0]: row[18] for row in together["evidence"]}
    assert [[incoming[r[4]]] for r in together["receipts"]] == made
    assert len(together["statuses"]) == 4  # a 01 back for each
    verbs = [row[2] for row in together["audit"]]
    assert (verbs.count("documents.incoming.arrived"), verbs.count("exchange.envelope.accepted")) == (4, 4)


def test_bad_envelopes_are_refused_each_with_its_reason_and_the_good_ones_kept(cast, plans, peer, monkeypatch):
    first, second = plans
    good = envelope(first, cast.division)
    items = [
        good,
        good.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode()),  # the signature broken
        tampered_pdf(second, cast.division),
        envelope(first, cast.province, from_=edxml.Organization(organ_id="000.00.01.Q11", organ_name="Ngoài"),
                 document_id=outgoing.document_id_of(first).replace(cast.staff.code, "000.00.01.Q11")),
        envelope(second, cast.province, padding=200_000),  # over the size below
        envelope(first, cast.province),
    ]
    limit = len(items[4]) - 1
    assert max(len(data) for index, data in enumerate(items) if index != 4) <= limit
    together, alone = both_ways(items, peer, monkeypatch, limit=limit)
    assert together == alone
    assert [(r[0], r[2]) for r in together["receipts"]] == [
        (True, ""), (False, "bad_signature"), (False, "bad_pdf_signature"), (False, "unknown_sender"),
        (False, "oversize"), (True, "")]
    assert all(r[3] for r in together["receipts"][1:5])  # each refusal with its reason
    assert [(unit, subject) for _name, unit, _status, subject, *_rest in together["documents"]] == [
        (cast.division.pk, first.subject), (cast.province.pk, first.subject)]
    states = {row[0]: (row[15], row[16]) for row in together["evidence"]}
    assert [states[r[4]] for r in together["receipts"]] == [
        ("accepted", ""), ("refused", "bad_signature"), ("refused", "bad_pdf_signature"),
        ("refused", "unknown_sender"), ("refused", "oversize"), ("accepted", "")]
    verbs = [row[2] for row in together["audit"]]
    assert (verbs.count("exchange.envelope.refused"), verbs.count("documents.incoming.arrived")) == (4, 2)


def test_the_same_document_twice_in_a_batch_or_before_makes_one_incoming_document(cast, plans, peer, monkeypatch):
    first, second = plans
    good = envelope(first, cast.division)
    again = envelope(first, cast.division, subject=first.subject + " (gửi lại)")  # other bytes, the same message
    earlier = envelope(second, cast.province)
    items = [good, again, good, earlier, envelope(second, cast.division), again]
    together, alone = both_ways(items, peer, monkeypatch, before=[earlier])
    assert together == alone
    assert [r[:2] for r in together["receipts"]] == [(True, False), (True, False), (True, True), (True, True),
                                                     (True, False), (True, True)]
    assert [(unit, subject) for _name, unit, _status, subject, *_rest in together["documents"]] == [
        (cast.division.pk, first.subject), (cast.division.pk, second.subject), (cast.province.pk, second.subject)]
    # both envelopes of the division's first plan name its one document; one 01 for it
    assert together["receipts"][0][5] == together["receipts"][1][5] == [(cast.division.pk, "01")]
    assert len(together["statuses"]) == 3
    verbs = [row[2] for row in together["audit"]]
    assert (verbs.count("documents.incoming.arrived"), verbs.count("exchange.envelope.accepted")) == (2, 3)


def test_a_failure_while_writing_together_undoes_the_lot_and_each_goes_alone(cast, plans, peer, monkeypatch):
    first, second = plans
    items = [envelope(first, cast.division), envelope(second, cast.division), envelope(first, cast.province)]
    received = delivery_batch.receive_documents

    def failing(**kwargs):
        received(**kwargs)  # its rows written, then undone with the batch's savepoint
        raise RuntimeError("disk full")

    monkeypatch.setattr(delivery_batch, "receive_documents", failing)
    together, alone = both_ways(items, peer, monkeypatch)
    assert together == alone
    assert len(together["documents"]) == 3
    assert len(together["evidence"]) == 3


def fail_arrival_of(document: Document, monkeypatch) -> None:
    """Storing what the envelope of `document` brings fails (its savepoint is undone); the others' succeeds."""
    arrival = receiving._arrival

    def failing(envelope, *, transport, checked, reads):
        if envelope.header.subject == document.subject:
            raise RuntimeError("disk full")
        return arrival(envelope, transport=transport, checked=checked, reads=reads)

    monkeypatch.setattr(receiving, "_arrival", failing)


def test_an_envelope_that_fails_alone_after_the_batch_failed_loses_only_itself(cast, plans, peer, monkeypatch):
    first, second = plans
    fail_arrival_of(second, monkeypatch)
    receipts = receiving.receive_many([envelope(first, cast.division), envelope(second, cast.division),
                                       envelope(first, cast.province)], transport="http", peer=peer)
    assert [r is not None and r.accepted for r in receipts] == [True, False, True]
    assert receipts[1] is None  # not applied: its sender tries it again
    assert sorted(Document.objects.filter(direction=Direction.INCOMING).values_list("subject", flat=True)) == [
        first.subject, first.subject]
    assert ReceivedEnvelope.objects.count() == 2
    assert all(report.ok for report in log.verify_all())


def test_a_batch_keeps_every_audit_chain_valid(cast, plans, peer):
    first, second = plans
    good = envelope(first, cast.division)
    receipts = receiving.receive_many(
        [good, good.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode()),
         envelope(second, cast.division), envelope(first, cast.province), good], transport="http", peer=peer)
    assert [r is not None and r.accepted for r in receipts] == [True, False, True, True, True]
    reports = log.verify_all()
    assert reports
    assert all(report.ok for report in reports), [r for r in reports if not r.ok]
    arrived = AuditEvent.objects.filter(verb="documents.incoming.arrived").values_list("chain", flat=True)
    assert sorted(arrived) == sorted([f"u{cast.division.pk}", f"u{cast.division.pk}", f"u{cast.province.pk}"])


def test_a_batch_of_documents_takes_the_same_statements_however_many_it_carries(cast, plans, peer):
    """Fails before decision 0043: each document took about seventeen statements of its own."""
    first, second = plans
    # what the first envelope of a signer notes once (its CRL URLs): not counted
    assert not receiving.receive(tampered_pdf(first, cast.division), transport="http", peer=peer).accepted
    counts = []
    for items in ([envelope(first, cast.division), envelope(first, cast.province)],
                  [envelope(first, cast.division), envelope(second, cast.division), envelope(first, cast.province),
                   envelope(second, cast.province)]):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as queries:
                    receipts = receiving.receive_many(items, transport="http", peer=peer, at=timezone.now())
                assert all(r is not None and r.accepted and r.incoming for r in receipts)
                counts.append(len(queries))
                raise _Undo
        except _Undo:
            pass
    assert counts[1] == counts[0], counts
    assert counts[0] <= 40, counts  # two units: each its own arrivals, documents, files, 01s


def test_a_batchs_files_are_put_in_the_store_before_its_transaction_and_their_rows_in_it(cast, plans, peer,
                                                                                       monkeypatch):
    """Decision 0050: no file is written while the batch holds the database's write lock (on SQLite, every
    writer's); the rows are written with the documents, and are those the files' bytes make."""
    from vanthu.exchange import receiving_reads

    depths: dict[str, int] = {}
    put_many, rows_for = receiving_reads.put_many, receiving_reads.rows_for

    def put(items):
        depths["files"] = len(connection.atomic_blocks)
        return put_many(items)

    def rows(made):
        depths["rows"] = len(connection.atomic_blocks)
        return rows_for(made)

    monkeypatch.setattr(receiving_reads, "put_many", put)
    monkeypatch.setattr(receiving_reads, "rows_for", rows)
    first, second = plans
    before = len(connection.atomic_blocks)
    receipts = receiving.receive_many([envelope(first, cast.division), envelope(second, cast.division)],
                                      transport="http", peer=peer)
    assert all(r is not None and r.accepted and r.incoming for r in receipts)
    assert depths == {"files": before, "rows": before + 1}
    for document in Document.objects.filter(unit=cast.division, direction=Direction.INCOMING):
        main = DocumentFile.objects.get(document=document, kind=DocumentFile.Kind.MAIN)
        assert StoredFile.objects.filter(sha256=main.file_id).exists()
        assert main.file.read_bytes()[:5] == b"%PDF-"


def _arrival_statuses() -> list[int]:
    return list(OutboxMessage.objects.filter(kind=MessageKind.STATUS, status="arrived").order_by("pk")
                .values_list("pk", flat=True))


@pytest.mark.parametrize("way", ["together", "alone"])
def test_the_01s_a_batch_answers_are_listed_and_claimed_in_its_transaction_not_given_jobs(
        cast, plans, peer, monkeypatch, enqueued, way):
    """Decision 0046: the batch endpoint carries the 01s in its answer; `receive_many(answered=…)` lists them and
    claims them before its transaction commits, whether the documents were written together or each alone."""
    from vanthu.exchange.models import BatchClaim

    first, second = plans
    if way == "alone":
        monkeypatch.setattr(receiving_documents, "apply_together", lambda *a, **k: {})
    held: list[int] = []
    receipts = receiving.receive_many([envelope(first, cast.division), envelope(second, cast.division),
                                       envelope(first, cast.province)], transport="http", peer=peer, answered=held)
    assert [r is not None and r.accepted for r in receipts] == [True, True, True]
    written = _arrival_statuses()
    assert len(written) == 3
    assert sorted(held) == written
    assert sorted(BatchClaim.objects.values_list("message_id", flat=True)) == written
    assert not set(written) & set(enqueued)  # no deliverer is handed them: the answer carries them


def test_without_a_list_the_01s_get_their_enqueued_and_no_claim(cast, plans, peer, enqueued):
    from vanthu.exchange.models import BatchClaim

    first, second = plans
    receiving.receive_many([envelope(first, cast.division), envelope(second, cast.division)], transport="http",
                           peer=peer)
    written = _arrival_statuses()
    assert len(written) == 2
    assert set(written) <= set(enqueued)
    assert not BatchClaim.objects.exists()


def test_an_envelope_undone_alone_leaves_no_01_in_the_list(cast, plans, peer, monkeypatch, enqueued):
    first, second = plans
    fail_arrival_of(second, monkeypatch)
    held: list[int] = []
    receipts = receiving.receive_many([envelope(first, cast.division), envelope(second, cast.division),
                                       envelope(first, cast.province)], transport="http", peer=peer, answered=held)
    assert [r is not None and r.accepted for r in receipts] == [True, False, True]
    assert sorted(held) == _arrival_statuses()  # the two documents made; none of the one undone
    assert len(held) == 2


def test_a_batch_written_together_that_fails_lists_only_the_01s_written_alone_after(cast, plans, peer, monkeypatch,
                                                                                 enqueued):
    first, second = plans
    received = delivery_batch.receive_documents

    def failing(**kwargs):
        received(**kwargs)  # its 01s written and listed, then undone with the batch's savepoint
        raise RuntimeError("disk full")

    monkeypatch.setattr(delivery_batch, "receive_documents", failing)
    held: list[int] = []
    receiving.receive_many([envelope(first, cast.division), envelope(second, cast.division)], transport="http",
                           peer=peer, answered=held)
    assert sorted(held) == _arrival_statuses()
    assert len(held) == 2
