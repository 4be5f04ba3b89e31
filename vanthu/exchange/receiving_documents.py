"""The documents of a received batch, written together (decision 0043): what `receiving._conclude` does for each
document envelope that passed its checks — the incoming document made at our unit (its arrival, its files, the
01 back to the sender, its audit event), the evidence kept — and for each envelope its checks refused (the
evidence with the reason), done for all of them at once: the documents through `delivery_batch.receive_documents`
(one call a receiving unit), the evidence rows through `actions.record_envelopes`, each table written once.

Nothing here verifies: every envelope was checked on its own before, outside any transaction (`receiving._verify`:
signature, sender, chain, revocation, the PDFs' PAdES); only what passed reaches `receive_documents`, and an
envelope refused by its checks gets its refused evidence row and nothing else.

The outcome is the one of concluding them one by one in the batch's order: the same incoming documents, arrivals,
01s, evidence rows and receipts (the same bytes twice in a batch: the second a duplicate of the first; another
envelope of the same document to the same unit: the one document, as `receive_document` finds it), the same
audit events for the caller to record in the envelopes' order. What one by one would treat otherwise is left out
and concluded alone by the caller, in its place, as before:

- a document for several of our units (each unit's document is made alone, all or none with its envelope);
- a document `receive_documents` leaves out (a unit inactive or not cleared for the mark, an arrival of another
  unit or transport, a cancellation that came first: refused or handled there, with its audit);
- an envelope refused for its size (only its head is kept, stored alone);
- the whole batch when anything fails while writing it (its savepoint rolls back: a twin committed meanwhile by
  another request meets the unique hash, say) — then each envelope is concluded alone in its own savepoint, and
  an unexpected error rolls back that one only, as before.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vanthu.audit import log
from vanthu.core.models import StoredFile
from vanthu.documents.actions import delivery_batch
from vanthu.documents.actions.delivery import Arrived
from vanthu.exchange import actions, edxml, outgoing
from vanthu.exchange.models import Peer
from vanthu.exchange.receiving_reads import _Reads
from vanthu.exchange.receiving_types import Concluded, Refused, _Checked
from vanthu.org.models import Unit

logger = logging.getLogger(__name__)

Arrival = Callable[[edxml.Envelope, _Checked], tuple[Arrived, str]]  # what it brings, where its statuses go


def takes(outcome: _Checked | Refused) -> bool:
    """An envelope the batch writes: a checked document for one of our units, or a refusal of the checks (but
    for the size: its evidence is its head only, stored alone)."""
    if isinstance(outcome, Refused):
        return outcome.code != "oversize"
    return outcome.parsed.envelope is not None and len(outcome.units) == 1


@dataclass
class _Item:
    index: int
    sha256: str
    seen: Any  # receiving._Seen: what the pipeline learnt, kept in the evidence
    outcome: _Checked | Refused
    raw: StoredFile
    key: uuid.UUID | None = None  # a document's arrival key at its unit
    incoming: int | None = None


def apply_together(checked: Sequence[tuple[int, bytes, str, Any, _Checked | Refused]], *, transport: str,
                   peer: Peer | None, reads: _Reads, arrival: Arrival,
                   answered: list[int] | None = None) -> dict[int, Concluded]:
    """Conclude the batch's document envelopes and refusals (of `checked`: index in the batch, bytes, SHA-256,
    what was seen, the outcome of the checks) together, inside the caller's transaction; the answer by index.
    An index missing from the answer was not concluded here: the caller concludes it alone (see the module).
    `arrival`: what a checked document brings, its files stored (`receiving._arrival`). `answered`: the ids of
    the statuses 01 written go there instead of to their delivery jobs (`receiving.receive_many`)."""
    items = [(index, data, sha256, seen, outcome) for index, data, sha256, seen, outcome in checked
             if takes(outcome)]
    if not items:
        return {}
    written: list[int] | None = None if answered is None else []  # kept only if the savepoint holds
    try:
        with transaction.atomic():
            done = _apply(items, transport=transport, peer=peer, reads=reads, arrival=arrival, answered=written)
    except Exception:  # rolled back: each is concluded alone, where what failed here meets it on its own
        logger.warning("exchange: a batch's documents could not be written together; each goes alone",
                       exc_info=True)
        return {}
    if answered is not None and written:
        answered.extend(written)
    return done


def _apply(items: Sequence[tuple[int, bytes, str, Any, _Checked | Refused]], *, transport: str,
           peer: Peer | None, reads: _Reads, arrival: Arrival, answered: list[int] | None) -> dict[int, Concluded]:
    done: dict[int, Concluded] = {}
    first: dict[str, _Item] = {}  # by SHA-256: the first of the same bytes in the batch
    twins: list[tuple[int, str]] = []
    by_unit: dict[int, tuple[Unit, list[delivery_batch.Incoming]]] = {}
    for index, data, sha256, seen, outcome in items:
        found = reads.recorded.get(sha256)  # recorded since the batch was looked up: the first answer again
        if found is not None:
            done[index] = Concluded(found, duplicate=True, events=[])
            continue
        if sha256 in first:
            twins.append((index, sha256))
            continue
        # the envelope's bytes as its evidence, stored with the batch (`_Reads.store_all`)
        item = first[sha256] = _Item(index, sha256, seen, outcome,
                                     raw=reads.store(data, content_type="application/xml"))
        if isinstance(outcome, Refused):
            continue
        envelope = outcome.parsed.envelope
        assert envelope is not None
        brought, reply_to = arrival(envelope, outcome)
        organ, unit = outcome.units[0]
        item.key = outgoing.arrival_key(from_organ=envelope.header.from_.organ_id,
                                        document_id=envelope.header.document_id, to_organ=organ)
        by_unit.setdefault(unit.pk, (unit, []))[1].append(
            delivery_batch.Incoming(key=item.key, reply_to=reply_to, arrived=brought))
    made: dict[uuid.UUID, log.Entry] = {}
    applied: dict[uuid.UUID, int] = {}
    for unit, incoming in by_unit.values():  # in the order the batch first names each unit
        applied.update(delivery_batch.receive_documents(unit=unit, transport=transport, items=incoming,
                                                        events=made, answered=answered))
    concluded: list[_Item] = []
    for item in first.values():
        if item.key is not None:
            if item.key not in applied:
                continue  # left out: concluded alone
            item.incoming = applied[item.key]
        concluded.append(item)
    rows = actions.record_envelopes(transport=transport, peer=peer, items=[_evidence(item) for item in concluded])
    for item, (row, entry) in zip(concluded, rows, strict=True):
        # the document's event goes with the first envelope of its key (another one finds the document made)
        arrived = made.pop(item.key, None) if item.key is not None else None
        reads.recorded[item.sha256] = row
        done[item.index] = Concluded(row, duplicate=False, events=[*([arrived] if arrived is not None else []), entry])
    for index, sha256 in twins:
        if sha256 in first and first[sha256].index in done:  # its first was concluded here; else both go alone
            done[index] = Concluded(done[first[sha256].index].row, duplicate=True, events=[])
    return done


def _evidence(item: _Item) -> actions.Evidence:
    refused = item.outcome if isinstance(item.outcome, Refused) else None
    return actions.Evidence(sha256=item.sha256, raw=item.raw, state="refused" if refused is not None else "accepted",
                            reason_code=refused.code if refused is not None else "",
                            reason=refused.reason if refused is not None else "", incoming_id=item.incoming,
                            **vars(item.seen))
