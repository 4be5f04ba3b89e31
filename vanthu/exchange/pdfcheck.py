"""The PAdES check of the PDFs an envelope carries (issue 8 item 5), as the receive pipeline asks for it: a PDF
from the local transport against this deployment's trust store, a PDF from a peer against the roots configured
for that peer. The peer's roots are parsed once per version of its directory row (the PEM text), not once per
PDF: a batch of fifty envelopes from one peer reads them once (decision 0029). The main PDF's number and date
fields are checked against the envelope's Code and PromulgationInfo (decision 0036)."""

from __future__ import annotations

import hashlib
import threading

from cryptography.hazmat.primitives.serialization import Encoding

from vanthu.documents.formatting import number_line
from vanthu.exchange import edxml
from vanthu.exchange.models import Peer
from vanthu.exchange.trustchain import load_pem_list
from vanthu.signing import service as signing

_lock = threading.Lock()
_roots: dict[tuple[int, str], list[bytes]] = {}
KEEP = 64  # peers' root sets kept (a deployment has a handful of peers)


def peer_roots_der(peer: Peer) -> list[bytes]:
    """The peer's trust roots as DER certificates, parsed once per version of its PEM text."""
    key = (peer.pk, hashlib.sha256(peer.trust_roots.encode("utf-8")).hexdigest())
    with _lock:
        found = _roots.get(key)
    if found is not None:
        return found
    parsed = [c.public_bytes(Encoding.DER) for c in load_pem_list(peer.trust_roots)]
    with _lock:
        if len(_roots) >= KEEP:
            _roots.clear()
        _roots[key] = parsed
    return parsed


def registered_of(header: edxml.MessageHeader) -> signing.Registered | None:
    """The number and date the envelope gives its document (Code: number/notation, PromulgationInfo's date), as
    the seal writes them into the PDF's number and date fields (decision 0036); None without a number."""
    notation = str(header.code).strip()
    if not notation:
        return None
    return signing.Registered(number_text=number_line(notation), issued=header.promulgation.date)


def validate(pdf: bytes, *, peer: Peer | None,
             registered: signing.Registered | None = None) -> signing.ValidationResult:
    """Every signature of `pdf`: integrity, the chain to the roots (the peer's, or this deployment's trust store
    when `peer` is None), revocation as the PDF carries it, what changed after signing; vanthu's number and
    date fields show their values and, with `registered` (the main PDF: `registered_of` its envelope), hold the
    number and date the envelope gives."""
    return signing.validate(pdf, trust_roots=None if peer is None else peer_roots_der(peer), registered=registered)
