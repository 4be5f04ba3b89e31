"""The statuses of a received batch, applied together (decision 0038): what `receiving._conclude` does for each
status envelope that passed its checks — the status resolved to the document message it answers (or refused:
no such document, another file's hash, not sent to that organ, a code a sender does not take), applied to the
sender's trail, and its evidence kept — done for all of a batch's statuses at once: the trail through
`delivery_batch.apply_statuses` (with what the pipeline proved: signer, verified signature, document hash, the
signed envelope), the evidence rows through `actions.record_envelopes`, each table read and written once.

The outcome is the one of concluding them one by one in the batch's order: the same rows, the same receipts
(the same bytes twice in a batch: the second a duplicate of the first), the same audit events for the caller to
record in the envelopes' order. What one by one would treat otherwise is left out and concluded alone by the
caller, as before: a recall (13), a status `apply_statuses` leaves out (an unknown message, a status that does
not apply to a sender: refused there with its audit), and the whole batch when anything fails in it (its
savepoint rolls back: a twin committed meanwhile by another request, say).

`status_in` is the resolution itself, which the one-by-one path (`receiving._apply_status`) uses too.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.models import StoredFile
from vanthu.documents.actions import delivery_batch
from vanthu.documents.models import MessageKind, MessageStatus, OutboxMessage
from vanthu.exchange import actions, edxml
from vanthu.exchange.edxml.model import DocumentId
from vanthu.exchange.models import Peer, ReceivedEnvelope
from vanthu.exchange.receiving_reads import _issued, _Reads
from vanthu.exchange.receiving_types import Concluded, Refused, _Checked
from vanthu.org.models import Unit

logger = logging.getLogger(__name__)

LOCAL = "local"
STATUS_KEYS = uuid.UUID("0d7c2a4e-5b8f-4f63-a1e2-9c4b7d3e6f15")  # status message keys from envelope hashes


def status_key(sha256: str) -> uuid.UUID:
    """The key of a received status in the sender's trail: its envelope's hash (the same envelope twice is
    recorded once)."""
    return uuid.uuid5(STATUS_KEYS, sha256)


def takes(outcome: _Checked | Refused) -> bool:
    """A status the batch applies (a checked one, not a recall: `cancel_arrival` answers those alone)."""
    return (isinstance(outcome, _Checked) and outcome.parsed.status is not None
            and outcome.parsed.status.code != edxml.StatusCode.RECALL_REQUESTED)


def status_in(status: edxml.StatusMessage, *, transport: str, sha256: str, evidence: StoredFile, signer: str,
              at: dt.datetime, peer: Peer | None, reads: _Reads, sender_unit: Unit | None) -> delivery_batch.StatusIn:
    """The status as the sender's trail takes it: the document message it answers, its code, what the pipeline
    proved; Refused with the reason when it answers nothing of ours. `sender_unit`: on the local transport, our
    unit that sent it (its address is the unit's id)."""
    structured = DocumentId.parse(status.response_for.document_id)
    document = _issued(structured, reads.issued)
    if document is None:
        raise Refused("unknown_document", _("Không có văn bản nào của hệ thống ứng với trạng thái này (%(id)s).")
                      % {"id": status.response_for.document_id})
    if status.document_sha256 and status.document_sha256 != document.current_file_id:
        raise Refused("hash_mismatch", _("Trạng thái gắn với một tệp khác tệp văn bản đã phát hành."))
    sender = status.from_.organ_id
    address = str(sender_unit.pk) if transport == LOCAL and sender_unit is not None else sender
    answers = reads.answer(document.pk, address=address, transport=transport)
    if answers is None and peer is not None and status.code == edxml.StatusCode.REFUSED:
        answers = _refused_by_peer(document.pk, transport=transport, peer=peer)
    if answers is None:
        raise Refused("unknown_document", _("Văn bản này không gửi cho %(organ)s.") % {"organ": sender})
    try:
        told = MessageStatus.from_edxml_code(status.code.value)
    except ValueError as exc:
        raise Refused("wrong_status", _("Mã trạng thái %(code)s không dùng cho nơi gửi.")
                      % {"code": status.code.value}) from exc
    # one trail row per envelope: its hash is the status message's key (the same envelope twice is recorded once)
    return delivery_batch.StatusIn(key=status_key(sha256), answers=answers, status=told.value,
                                   reason=status.description, at=at, evidence=evidence, signer=signer, verified=True,
                                   document_sha256=status.document_sha256)


def _refused_by_peer(document_pk: int, *, transport: str, peer: Peer) -> uuid.UUID | None:
    """A peer refuses a document sent to an organ id none of its units has: its top unit signs the 02. It
    answers the one message of this document still waiting for an address of that peer (its key; None if not
    one)."""
    waiting = [key for key, address in OutboxMessage.objects.filter(
        kind=MessageKind.DOCUMENT, document_id=document_pk, transport=transport,
        state=OutboxMessage.State.WAITING).values_list("key", "address") if peer.covers(address)]
    return waiting[0] if len(waiting) == 1 else None


@dataclass
class _Item:
    index: int
    data: bytes
    sha256: str
    seen: Any  # receiving._Seen: what the pipeline learnt, kept in the evidence
    checked: _Checked
    raw: StoredFile | None = None
    told: delivery_batch.StatusIn | None = None
    refused: Refused | None = None


def apply_together(checked: Sequence[tuple[int, bytes, str, Any, _Checked | Refused]], *, transport: str,
                   peer: Peer | None, at: dt.datetime, reads: _Reads,
                   unit_of: Callable[[str], Unit | None]) -> dict[int, Concluded]:
    """Conclude the batch's checked status envelopes (of `checked`: index in the batch, bytes, SHA-256, what was
    seen, the outcome of the checks) together, inside the caller's transaction; the answer by index. An index
    missing from the answer was not concluded here: the caller concludes it alone (documents, refusals of the
    checks, and what the module says). `unit_of`: our unit by organ id (the batch's reads)."""
    items = [(index, data, sha256, seen, outcome) for index, data, sha256, seen, outcome in checked
             if isinstance(outcome, _Checked) and takes(outcome)]
    if not items:
        return {}
    try:
        with transaction.atomic():
            return _apply(items, transport=transport, peer=peer, at=at, reads=reads, unit_of=unit_of)
    except Exception:  # rolled back: each is concluded alone, where what failed here meets it on its own
        logger.warning("exchange: a batch's statuses could not be applied together; each goes alone",
                       exc_info=True)
        return {}


def _apply(items: Sequence[tuple[int, bytes, str, Any, _Checked]], *, transport: str, peer: Peer | None,
           at: dt.datetime, reads: _Reads, unit_of: Callable[[str], Unit | None]) -> dict[int, Concluded]:
    before = {row.sha256: row for row in ReceivedEnvelope.objects.filter(sha256__in={i[2] for i in items})}
    done: dict[int, Concluded] = {}
    first: dict[str, _Item] = {}  # by SHA-256: the first of the same bytes in the batch
    twins: list[_Item] = []
    for index, data, sha256, seen, checked in items:
        item = _Item(index, data, sha256, seen, checked)
        if sha256 in before:  # applied since the batch was looked up: the first answer again
            done[index] = Concluded(before[sha256], duplicate=True, events=[])
        elif sha256 in first:
            twins.append(item)
        else:
            first[sha256] = item
    for item in first.values():
        status = item.checked.parsed.status
        assert status is not None
        item.raw = reads.store(item.data, content_type="application/xml")
        sender = unit_of(status.from_.organ_id) if transport == LOCAL else None
        try:
            item.told = status_in(status, transport=transport, sha256=item.sha256, evidence=item.raw,
                                  signer=item.checked.signer, at=at, peer=item.checked.peer, reads=reads,
                                  sender_unit=sender)
        except Refused as exc:
            item.refused = exc
    trail: dict[uuid.UUID, log.Entry] = {}
    told = [item.told for item in first.values() if item.told is not None]
    applied = delivery_batch.apply_statuses(unit=None, transport=transport, items=told, events=trail) if told else set()
    concluded = [item for item in first.values() if item.refused is not None
                 or (item.told is not None and item.told.key in applied)]
    records = []
    for item in concluded:
        assert item.raw is not None
        refused = item.refused
        records.append(actions.Evidence(sha256=item.sha256, raw=item.raw,
                                        state="refused" if refused is not None else "accepted",
                                        reason_code=refused.code if refused is not None else "",
                                        reason=refused.reason if refused is not None else "", **vars(item.seen)))
    rows = actions.record_envelopes(transport=transport, peer=peer, items=records)
    by_sha: dict[str, ReceivedEnvelope] = {}
    for item, (row, entry) in zip(concluded, rows, strict=True):
        events = [trail[item.told.key]] if item.told is not None and item.told.key in trail else []
        done[item.index] = Concluded(row, duplicate=False, events=[*events, entry])
        by_sha[item.sha256] = row
    for twin in twins:
        if twin.sha256 in by_sha:  # its first was concluded here; else both go alone, in order
            done[twin.index] = Concluded(by_sha[twin.sha256], duplicate=True, events=[])
    return done
