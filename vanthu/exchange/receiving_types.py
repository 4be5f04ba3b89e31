"""The types the receive pipeline (receiving.py) and its batch reads (receiving_reads.py) share."""

from __future__ import annotations

from dataclasses import dataclass, field

from vanthu.exchange import edxml
from vanthu.exchange.models import Peer
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
