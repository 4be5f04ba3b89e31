"""The types the receive pipeline (receiving.py) and its batch reads (receiving_reads.py) share."""

from __future__ import annotations

from dataclasses import dataclass, field

from vanthu.audit import log
from vanthu.exchange import edxml
from vanthu.exchange.models import Peer, ReceivedEnvelope
from vanthu.org.models import Unit


class Refused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class _Checked:
    """An envelope that passed every check, with what applying it needs."""

    parsed: edxml.Parsed
    peer: Peer | None
    signer: str
    pdfs: list[edxml.Attachment] = field(default_factory=list)
    units: list[tuple[str, Unit]] = field(default_factory=list)


@dataclass
class Concluded:
    """One envelope of a batch (a document or a status), concluded: its evidence row (the first one's, for a
    duplicate; for a document it names the incoming document made or found) and the audit events it adds, in
    order."""

    row: ReceivedEnvelope
    duplicate: bool
    events: list[log.Entry]
