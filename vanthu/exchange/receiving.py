"""The one receive pipeline every transport uses (local, HTTP, bundles; decision 0013).

    receipt = receive(data, transport="http", peer=peer)

In order, before anything reaches a register: the size; the same bytes seen before (the first answer again);
parse and validate (field lengths, code sets); the XML signature; the sender's identity (From must be a unit of
this deployment on the local transport, else an organ id of `peer`, the directory's peer that sent it); the
signer's certificate against the trust roots (this deployment's trust store, or the peer's); for a document,
the secrecy the peer may send and the PAdES signatures of every PDF attached. Then the documents actions
(`receive_document`, `apply_status`, `cancel_arrival`), then the evidence row. A failure refuses: the evidence is
kept with the reason, nothing reaches a register, and the caller answers status 02 with that reason.

The documents actions are idempotent by the arrival key (sender, document id, receiver) and the evidence is
written after them, in the same transaction.

    receipts = receive_many([data, ...], transport="http", peer=peer)

does the same for a batch (decision 0029): every envelope checked first, outside any transaction, then the
accepted ones applied in one transaction, each in its own savepoint (an unexpected error rolls back that one
only, whose receipt is None) — but its statuses, applied together with the same outcome (`receiving_statuses`,
decision 0038), and its documents for one of our units and the refusals of its checks, written together with
the same outcome (`receiving_documents`, decision 0043); if writing them together fails, each is concluded
alone as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.errors import ActionRefused
from vanthu.core.models import StoredFile
from vanthu.documents.actions import delivery
from vanthu.documents.models import (
    ReceivedVia,
)
from vanthu.exchange import actions, claims, edxml, outgoing, pdfcheck, revocation
from vanthu.exchange import receiving_documents as documents
from vanthu.exchange import receiving_statuses as statuses
from vanthu.exchange.edxml.model import DocumentId
from vanthu.exchange.models import Peer, PeerCrl, ReceivedEnvelope
from vanthu.exchange.receiving_reads import _Issued, _our_document, _Reads
from vanthu.exchange.receiving_types import Refused, _Checked
from vanthu.exchange.trustchain import chain_problem, load_pem_list
from vanthu.jobs import enqueue_on_commit
from vanthu.org.identifiers import as_qcvn102
from vanthu.org.models import Unit
from vanthu.signing import service as signing

logger = logging.getLogger(__name__)

LOCAL = "local"


@dataclass
class Receipt:
    """What the receiver answers: accepted (with the incoming documents made), or refused with the reason."""

    accepted: bool
    envelope: ReceivedEnvelope
    code: str = ""
    reason: str = ""
    incoming: list[int] = field(default_factory=list)
    duplicate: bool = False

    @classmethod
    def of(cls, row: ReceivedEnvelope, *, duplicate: bool) -> Receipt:
        return cls(accepted=row.state == ReceivedEnvelope.State.ACCEPTED, envelope=row, code=row.reason_code,
                   reason=row.reason, incoming=[row.incoming_id] if row.incoming_id else [], duplicate=duplicate)


@dataclass
class _Seen:
    """What the pipeline learnt before it stopped (kept in the evidence)."""

    kind: str = ""
    from_organ: str = ""
    from_name: str = ""
    to_organ: str = ""
    unit: Unit | None = None
    document_id: str = ""
    subject: str = ""
    status_code: str = ""
    signer: str = ""
    document_sha256: str = ""
    secrecy: int = 0
    revocation: str = ""


def local_unit(organ_id: str) -> Unit | None:
    """The unit of this deployment with this organ id, in the QCVN 102 form or the QĐ 20 one (decision 0034)."""
    return Unit.objects.filter(code=as_qcvn102(organ_id)).first() if organ_id else None


def peer_for(organ_id: str, *, among: list[Peer] | None = None) -> Peer | None:
    """The active peer whose organ ids cover `organ_id` (exact ids before prefixes); `among`: the active peers
    already read (a batch asks for many organ ids). The QĐ 20 form of a known organ id counts as its QCVN 102 one."""
    organ_id = as_qcvn102(organ_id)
    active = among if among is not None else Peer.objects.filter(is_active=True)
    peers = [p for p in active if p.covers(organ_id)]
    peers.sort(key=lambda p: organ_id not in p.organ_patterns)
    return peers[0] if peers else None


def _roots(peer: Peer | None) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    if peer is None:
        roots, intermediates = signing.trust_store_der()
        return [x509.load_der_x509_certificate(d) for d in roots], [x509.load_der_x509_certificate(d)
                                                                     for d in intermediates]
    return load_pem_list(peer.trust_roots), []


def receive(data: bytes, *, transport: str, peer: Peer | None = None, at: dt.datetime | None = None) -> Receipt:
    """Run the pipeline over one envelope or status (see the module docstring). `peer`: the peer that
    sent it, when the transport authenticated one (HTTP); None on the local transport, and for bundles (the
    peer is then found by the envelope's From)."""
    receipt = receive_many([data], transport=transport, peer=peer, at=at, isolate=False)[0]
    assert receipt is not None
    return receipt


def receive_many(items: list[bytes], *, transport: str, peer: Peer | None = None, at: dt.datetime | None = None,
                 isolate: bool = True, answered: list[int] | None = None) -> list[Receipt | None]:
    """The pipeline over several envelopes (a batch, decision 0029), each verified on its own and answered
    with its own receipt. Every check (signatures, chains, the PDFs' PAdES) runs first, outside any
    transaction; then what they let through is applied in one transaction, each envelope in its own savepoint.
    `isolate`: an unexpected error in one envelope rolls back only that one, whose receipt is None (its sender
    tries it again); otherwise it propagates. `answered` (the batch endpoint, when its sender asks for the
    statuses 01 in the answer, decision 0046): the 01s written for the documents made are not handed to their
    delivery job; their ids go there (only those whose envelope's savepoint held), claimed in the batch's
    transaction (`claims.hold`: no deliverer takes them between the commit and the answer). The caller
    delivers each or enqueues its job (`answering.arrivals_for`)."""
    when = at or timezone.now()
    receipts: list[Receipt | None] = [None] * len(items)
    checked: list[tuple[int, bytes, str, _Seen, _Checked | Refused]] = []
    units: dict[str, Unit | None] = {}  # our units by organ id, read once per batch (the actions read them again)
    signers: dict[tuple[object, ...], tuple[str, str]] = {}  # a signer's chain and revocation, once per batch
    issued: dict[DocumentId, _Issued | None] = {}  # our documents the statuses answer, read once per batch
    hashes = [hashlib.sha256(data).hexdigest() for data in items]
    seen_before = {row.sha256: row for row in ReceivedEnvelope.objects.filter(sha256__in=set(hashes))}  # one query
    for index, (data, sha256) in enumerate(zip(items, hashes, strict=True)):
        found = seen_before.get(sha256)
        if found is not None:
            receipts[index] = Receipt.of(found, duplicate=True)
            continue
        seen = _Seen()
        try:
            outcome: _Checked | Refused = _verify(data, transport=transport, peer=peer, seen=seen, at=when,
                                                  units=units, signers=signers)
        except Refused as exc:
            outcome = exc
        except Exception:
            if not isolate:
                raise
            logger.exception("exchange: envelope %s could not be checked", sha256)
            continue
        checked.append((index, data, sha256, seen, outcome))
    if not checked:
        return receipts
    reads = _Reads(issued=issued)
    try:  # the files before the write transaction: not under the database's lock (decision 0050)
        reads.put_all([(data, outcome) for _index, data, _sha256, _seen, outcome in checked])
    except Exception:  # the store down, say: each envelope then stores its own and meets it on its own
        if not isolate:
            raise
        logger.exception("exchange: a batch's files could not be stored together")
        reads.put = []  # each envelope stores its own
    with transaction.atomic():
        reads.prefetch([outcome for *_rest, outcome in checked], transport=transport)
        # the evidence written meanwhile (another request with the same bytes) for all of them at once; a twin
        # earlier in the batch is found by `_conclude` as its row is written
        reads.recorded = {row.sha256: row for row in ReceivedEnvelope.objects.filter(
            sha256__in={sha256 for _index, _data, sha256, _seen, _outcome in checked})}
        try:
            reads.store_all([(data, outcome) for _index, data, _sha256, _seen, outcome in checked])
        except Exception:  # the store down, say: each envelope then stores its own and meets it on its own
            if not isolate:
                raise
            logger.exception("exchange: a batch's files could not be stored together")
        # the audit events of the batch's actions and evidence rows, recorded together (each head locked once),
        # in the envelopes' order
        events: dict[int, list[log.Entry]] = {}
        # its statuses applied together (decision 0038); those left out are concluded alone below
        together = statuses.apply_together(checked, transport=transport, peer=peer, at=when, reads=reads,
                                           unit_of=lambda organ: _unit(organ, units))
        for index, done in together.items():
            receipts[index] = Receipt.of(done.row, duplicate=done.duplicate)
            events[index] = done.events
        # its documents and refusals written together (decision 0043); those left out are concluded alone below
        written = documents.apply_together(
            checked, transport=transport, peer=peer, reads=reads, answered=answered,
            arrival=lambda envelope, outcome: _arrival(envelope, transport=transport, checked=outcome, reads=reads))
        for index, concluded in written.items():
            receipts[index] = Receipt.of(concluded.row, duplicate=concluded.duplicate)
            events[index] = concluded.events
        for index, data, sha256, seen, outcome in checked:
            if index in together or index in written:
                continue
            mine: list[log.Entry] = []
            its_01s: list[int] | None = None if answered is None else []
            try:
                with transaction.atomic():
                    receipts[index] = _conclude(data, sha256=sha256, seen=seen, outcome=outcome,
                                                transport=transport, peer=peer, at=when, reads=reads, events=mine,
                                                answered=its_01s)
            except Exception:
                if not isolate:
                    raise
                logger.exception("exchange: envelope %s could not be applied", sha256)
                continue
            events[index] = mine  # only an envelope whose savepoint held
            if answered is not None and its_01s:
                answered.extend(its_01s)
        log.record_many([entry for index in sorted(events) for entry in events[index]])
        if answered:
            claims.hold(answered)
    return receipts


def _conclude(data: bytes, *, sha256: str, seen: _Seen, outcome: _Checked | Refused, transport: str,
              peer: Peer | None, at: dt.datetime, reads: _Reads, events: list[log.Entry],
              answered: list[int] | None = None) -> Receipt:
    """Apply one checked envelope and keep its evidence (inside the batch's transaction). The envelope's bytes
    are stored once, for the evidence row and, for a status, the sender's trail (the same bytes: one file).
    The audit events of the action and of the evidence row go to `events` (the batch records them together);
    `answered`: see `receive_many`."""
    found = reads.recorded.get(sha256)  # its twin earlier in the batch, or one recorded meanwhile
    if found is not None:
        return Receipt.of(found, duplicate=True)
    receipt = _record(data, sha256=sha256, seen=seen, outcome=outcome, transport=transport, peer=peer, at=at,
                      reads=reads, events=events, answered=answered)
    reads.recorded[sha256] = receipt.envelope
    return receipt


def _record(data: bytes, *, sha256: str, seen: _Seen, outcome: _Checked | Refused, transport: str,
            peer: Peer | None, at: dt.datetime, reads: _Reads, events: list[log.Entry],
            answered: list[int] | None = None) -> Receipt:
    oversize = isinstance(outcome, Refused) and outcome.code == "oversize"  # only its head is kept (the action)
    raw = None if oversize else reads.store(data, content_type="application/xml")
    incoming: list[int] = []
    try:
        if isinstance(outcome, Refused):
            raise outcome
        assert raw is not None
        # no savepoint of our own here: an action that refuses rolls itself back and keeps its refusal's audit
        incoming = _apply(outcome, sha256=sha256, raw=raw, transport=transport, at=at, reads=reads, events=events,
                          answered=answered)
    except Refused as exc:
        row = actions.record_envelope(data=data, sha256=sha256, transport=transport, peer=peer, state="refused",
                                      reason_code=exc.code, reason=exc.reason, raw=raw, events=events,
                                      looked_up=True, **vars(seen))
        return Receipt.of(row, duplicate=False)
    row = actions.record_envelope(data=data, sha256=sha256, transport=transport, peer=peer, state="accepted",
                                  incoming_id=incoming[0] if incoming else None, raw=raw, events=events,
                                  looked_up=True, **vars(seen))
    receipt = Receipt.of(row, duplicate=False)
    receipt.incoming = incoming
    return receipt


def _apply(checked: _Checked, *, sha256: str, raw: StoredFile, transport: str, at: dt.datetime, reads: _Reads,
           events: list[log.Entry], answered: list[int] | None = None) -> list[int]:
    if checked.parsed.status is not None:
        return _apply_status(checked.parsed.status, transport=transport, sha256=sha256, evidence=raw,
                             signer=checked.signer, at=at, peer=checked.peer, reads=reads, events=events)
    assert checked.parsed.envelope is not None
    return _store_document(checked.parsed.envelope, transport=transport, checked=checked, reads=reads,
                           events=events, answered=answered)


def _unit(organ_id: str, units: dict[str, Unit | None]) -> Unit | None:
    if organ_id not in units:
        units[organ_id] = local_unit(organ_id)
    return units[organ_id]


def _verify(data: bytes, *, transport: str, peer: Peer | None, seen: _Seen, at: dt.datetime,
            units: dict[str, Unit | None] | None = None,
            signers: dict[tuple[object, ...], tuple[str, str]] | None = None) -> _Checked:
    """Every check of the module docstring, in order; Refused at the first that fails. No writes but the CRL
    URLs noted for the refresh job. `units`: our units by organ id, as already read in this batch; `signers`: the
    chain's problem and the revocation state found in this batch for a signer's certificate under a peer's roots
    (the batch's envelopes share one moment `at`, so the same certificate under the same roots gets the same
    verdicts: checked once)."""
    units = {} if units is None else units
    if len(data) > settings.EXCHANGE_MAX_BYTES:
        raise Refused("oversize", _("Gói tin %(size)s MB vượt quá giới hạn %(max)s MB.")
                      % {"size": len(data) // (1024 * 1024), "max": settings.EXCHANGE_MAX_BYTES // (1024 * 1024)})
    try:
        root = edxml.load_xml(data, max_bytes=settings.EXCHANGE_MAX_BYTES)  # parsed once: read, then verified
        parsed = edxml.parse(data, max_bytes=settings.EXCHANGE_MAX_BYTES, root=root)
    except edxml.EnvelopeInvalid as exc:
        raise Refused("invalid", _("Gói tin không hợp lệ: %(reason)s") % {"reason": exc.message}) from exc
    seen.kind = parsed.kind
    if parsed.status is not None:
        sender = parsed.status.from_
        seen.to_organ = parsed.status.to[0].organ_id if parsed.status.to else parsed.status.response_for.organ_id
        seen.document_id = parsed.status.response_for.document_id
        seen.status_code = parsed.status.code.value
        seen.document_sha256 = parsed.status.document_sha256
    else:
        assert parsed.envelope is not None
        header = parsed.envelope.header
        sender = header.from_
        seen.to_organ = ",".join(o.organ_id for o in header.to)[:50]
        seen.document_id = header.document_id
        seen.subject = header.subject
        seen.secrecy = header.other.security_level if 0 <= header.other.security_level <= 3 else 3
    seen.from_organ, seen.from_name = sender.organ_id, sender.organ_name
    seen.unit = _unit(seen.to_organ, units)

    # parse read all it needs from the tree: the signature's check takes it over (one parse of the bytes, not two)
    check = edxml.verify(data, at=at, max_bytes=settings.EXCHANGE_MAX_BYTES, root=root, consume=True)
    seen.signer = check.signer  # the subject written out once (read below too)
    if not check.valid:
        raise Refused("bad_signature", check.reason or _("Chữ ký số của gói tin không hợp lệ."))

    if transport == LOCAL:
        if _unit(sender.organ_id, units) is None:
            raise Refused("unknown_sender", _("Nơi gửi %(organ)s không phải đơn vị của hệ thống.")
                          % {"organ": sender.organ_id})
        trusted_peer = None
    else:
        if peer is None:
            peer = peer_for(sender.organ_id)
        if peer is None or not peer.is_active or not peer.covers(as_qcvn102(sender.organ_id)):
            raise Refused("unknown_sender", _("Nơi gửi %(organ)s không có trong danh bạ liên thông.")
                          % {"organ": sender.organ_id})
        trusted_peer = peer
    assert check.certificate is not None
    signer = (None, "") if trusted_peer is None else (trusted_peer.pk, trusted_peer.trust_roots)
    found = signers.get((*signer, check.certificate)) if signers is not None else None
    if found is None:
        roots, intermediates = _roots(trusted_peer)
        problem = chain_problem(check.certificate, intermediates=intermediates, roots=roots, at=at)
        state = "" if problem else _revocation(check.certificate, peer=trusted_peer, roots=roots, at=at)
        found = (problem or "", state)
        if signers is not None:
            signers[(*signer, check.certificate)] = found
    problem, seen.revocation = found
    if problem:
        raise Refused("untrusted", problem)
    if seen.revocation == revocation.REVOKED:
        raise Refused("revoked", _("Chứng thư ký gói tin (%(subject)s) đã bị thu hồi.")
                      % {"subject": check.certificate.subject.rfc4514_string()})

    checked = _Checked(parsed=parsed, peer=trusted_peer, signer=seen.signer)
    if parsed.envelope is not None:
        _verify_document(parsed.envelope, peer=trusted_peer, seen=seen, checked=checked, known=units)
    return checked


def _revocation(certificate: x509.Certificate, *, peer: Peer | None, roots: list[x509.Certificate],
                at: dt.datetime) -> str:
    """The envelope signer's revocation (exchange/revocation.py): this deployment's own records on the local
    transport; for a peer, the CRLs its certificates declare, as the refresh job last fetched them — a URL seen
    for the first time is noted and fetched by a job (this envelope goes on as "unknown", soft-fail)."""
    if peer is None:
        der = certificate.public_bytes(Encoding.DER)
        return revocation.REVOKED if signing.own_revocation(der) is not None else revocation.GOOD
    urls = revocation.crl_urls(certificate)
    if not urls:
        return revocation.UNKNOWN
    rows = list(PeerCrl.objects.filter(peer=peer, url__in=urls).values_list("url", "der"))
    kept = [bytes(der) for _url, der in rows if der]
    found = revocation.verdict(certificate, crls=kept, issuers=roots, at=at)
    noted = {url for url, _der in rows}
    if found.state == revocation.UNKNOWN and any(url[:500] not in noted for url in urls[:5]):
        # only a URL not noted yet needs the action (it notes the first five; the rows read above are theirs)
        for row in actions.note_crl_urls(peer=peer, urls=urls):
            enqueue_on_commit("vanthu.exchange.jobs.fetch_crl", row.pk)
    return found.state


def _verify_document(envelope: edxml.Envelope, *, peer: Peer | None, seen: _Seen, checked: _Checked,
                     known: dict[str, Unit | None]) -> None:
    """The document's own checks: the secrecy the peer may send, the PAdES signatures of every PDF (against
    the peer's roots, parsed once per peer version: `pdfcheck`), a receiver among our units."""
    header = envelope.header
    secrecy = header.other.security_level
    if peer is not None and secrecy > peer.max_secrecy:
        raise Refused("secrecy", _("Nơi gửi không được gửi văn bản có độ mật này qua liên thông."))
    pdfs = [a for a in envelope.attachments if a.kind == "pdf"]
    if not pdfs:
        raise Refused("no_pdf", _("Gói tin không kèm văn bản PDF."))
    for attachment in pdfs:  # the main PDF (the first) shows the envelope's number and date (decision 0036)
        registered = pdfcheck.registered_of(header) if attachment is pdfs[0] else None
        result = pdfcheck.validate(attachment.data, peer=peer, registered=registered)
        if not result.valid:
            problems = result.problem or "; ".join(p for s in result.signatures for p in s.problems)
            raise Refused("bad_pdf_signature", _("Chữ ký số trên tệp “%(name)s” không hợp lệ: %(reason)s")
                          % {"name": attachment.name, "reason": problems})
    seen.document_sha256 = pdfs[0].sha256
    targets = [(org.organ_id, _unit(org.organ_id, known)) for org in header.to]
    units = [(organ, unit) for organ, unit in targets if unit is not None]
    if not units:
        raise Refused("not_for_us", _("Không có nơi nhận nào của gói tin thuộc hệ thống này."))
    seen.unit, seen.to_organ = units[0][1], units[0][0]
    checked.pdfs, checked.units = pdfs, units


def _store_document(envelope: edxml.Envelope, *, transport: str, checked: _Checked, reads: _Reads | None = None,
                    events: list[log.Entry] | None = None, answered: list[int] | None = None) -> list[int]:
    reads = reads or _Reads()
    arrived, reply_to = _arrival(envelope, transport=transport, checked=checked, reads=reads)
    header = envelope.header
    made = []
    for organ, unit in checked.units:
        key = outgoing.arrival_key(from_organ=header.from_.organ_id, document_id=header.document_id, to_organ=organ)
        try:
            document = delivery.receive_document(unit=unit, key=key, transport=transport, reply_to=reply_to,
                                                 arrived=arrived, events=events, answered=answered)
        except ActionRefused as exc:
            raise Refused(exc.code or "refused", exc.message) from exc
        made.append(document.pk)
    return made


def _arrival(envelope: edxml.Envelope, *, transport: str, checked: _Checked,
             reads: _Reads) -> tuple[delivery.Arrived, str]:
    """What a checked document brings (its metadata, its files stored) and where its statuses go back: the same
    for each of our units it is for, alone or with its batch (`receiving_documents`)."""
    header = envelope.header
    secrecy = header.other.security_level
    pdfs = checked.pdfs
    main = reads.store(pdfs[0].data, content_type="application/pdf")
    others = [(a.name[:200], reads.store(a.data, content_type=a.content_type[:100] or "application/octet-stream"),
               index) for index, a in enumerate(envelope.attachments, start=1) if a is not pdfs[0]]
    doc_type = reads.doc_type(header.document_type.type_name)
    structured = DocumentId.parse(header.document_id)
    sender_unit = local_unit(header.from_.organ_id) if transport == LOCAL else None
    source = _our_document(structured) if sender_unit is not None else None
    arrived = delivery.Arrived(
        doc_type=doc_type, organ_name=(header.from_.organ_name or header.from_.organ_id)[:200],
        subject=header.subject[:500], main=main, main_name=pdfs[0].name[:200], code_number=header.code.number[:11],
        code_notation=header.code.notation[:30], issued_date=header.promulgation.date,
        organ_id=header.from_.organ_id[:13], page_amount=header.other.page_amount,
        signer_competence=header.signer.competence[:100], signer_position=header.signer.position[:100],
        signer_name=header.signer.full_name[:50], urgency=header.other.priority, secrecy=secrecy,
        due_date=header.due_date, attachments=others, source=source,
        via=ReceivedVia.INTERNAL if transport == LOCAL else ReceivedVia.EXCHANGE,
    )
    reply_to = str(sender_unit.pk) if sender_unit is not None else header.from_.organ_id
    return arrived, reply_to


def _apply_status(status: edxml.StatusMessage, *, transport: str, sha256: str, evidence: StoredFile, signer: str,
                  at: dt.datetime, peer: Peer | None = None, reads: _Reads | None = None,
                  events: list[log.Entry] | None = None) -> list[int]:
    """One status alone (a batch applies its statuses together: `receiving_statuses`)."""
    reads = reads or _Reads()
    if status.code == edxml.StatusCode.RECALL_REQUESTED:
        return _cancel(status, transport=transport, structured=DocumentId.parse(status.response_for.document_id))
    sender = local_unit(status.from_.organ_id) if transport == LOCAL else None
    told = statuses.status_in(status, transport=transport, sha256=sha256, evidence=evidence, signer=signer, at=at,
                              peer=peer, reads=reads, sender_unit=sender)
    try:
        delivery.apply_status(answers=told.answers, status=told.status, reason=told.reason, transport=transport,
                              evidence=told.evidence, signer=told.signer, verified=told.verified,
                              document_sha256=told.document_sha256, at=told.at, key=told.key, events=events)
    except ActionRefused as exc:
        raise Refused(exc.code or "refused", exc.message) from exc
    return []


def _cancel(status: edxml.StatusMessage, *, transport: str, structured: DocumentId | None) -> list[int]:
    made = []
    for org in status.to:
        unit = local_unit(org.organ_id)
        if unit is None:
            continue
        key = outgoing.arrival_key(from_organ=status.from_.organ_id, document_id=status.response_for.document_id,
                                   to_organ=org.organ_id)
        try:
            document = delivery.cancel_arrival(unit=unit, key=key, transport=transport, reason=status.description)
        except ActionRefused as exc:
            raise Refused(exc.code or "refused", exc.message) from exc
        if document is not None:
            made.append(document.pk)
    return made

