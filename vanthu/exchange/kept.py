"""The signed envelopes the HTTP sender keeps between the delivery attempts of one message (issue 8).

A message whose delivery is tried again (the peer did not answer, answered 5xx, or could not apply that envelope
now: the outbox counts an attempt and the job retries after its backoff) goes again with the same bytes instead
of an envelope built and signed again. Why that is safe, and better than a new envelope:

- The receiver keeps no freshness rule for an envelope: the replay window (±300 s) and the nonce belong to the
  HTTP request, which `sending.send` signs afresh for every try. The envelope's signer certificate is checked at
  its arrival, as a new envelope's would be.
- The same bytes meet the receiver's evidence on their SHA-256: an envelope that was applied there but whose
  answer was lost is answered "duplicate" with its first outcome. A status built again would have another hash,
  hence another key, and would be recorded a second time in the sender's trail.
- What an envelope says is fixed for its message, except what the mark covers: the message (kind, status, reason,
  address), the recipient's name, the document's current file, and the seal's certificate and chain (a renewed
  or revoked seal, as `sealing` picks it up, gives a new envelope).
- Kept only while the outcome is open: forgotten when the peer accepted or refused it, after `KEEP_SECONDS`, and
  when space runs out (oldest first). A refused message retried by hand is therefore built again.

In this process only (a restarted worker builds again, as before). No ORM: the caller passes what the mark covers.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

KEEP_SECONDS = 1800.0  # longer than the delivery job's backoffs (30 + 60 + 120 + 240 s)
KEEP_BYTES = 32 * 1024 * 1024

_lock = threading.Lock()
_kept: OrderedDict[int, tuple[bytes, bytes, float]] = OrderedDict()  # message id → (mark, body, kept at)
_size = [0]


def mark(*parts: object) -> bytes:
    """What an envelope was made from (the caller lists it): a kept envelope is used only for the same mark."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.digest()


def get(message_id: int, *, made_of: bytes) -> bytes | None:
    """The envelope kept for this message, if it was made of the same things and is not too old."""
    now = time.monotonic()
    with _lock:
        found = _kept.get(message_id)
        if found is None:
            return None
        if found[0] != made_of or now - found[2] > KEEP_SECONDS:
            _drop(message_id)
            return None
        return found[1]


def keep(message_id: int, *, made_of: bytes, body: bytes) -> None:
    if len(body) > KEEP_BYTES // 4:
        return
    with _lock:
        _drop(message_id)
        _kept[message_id] = (made_of, body, time.monotonic())
        _size[0] += len(body)
        while _size[0] > KEEP_BYTES and _kept:
            _drop(next(iter(_kept)))


def forget(message_ids: Iterable[int]) -> None:
    """These messages' outcomes are known (accepted or refused): their envelopes are no longer kept."""
    with _lock:
        for message_id in message_ids:
            _drop(message_id)


def clear() -> None:
    with _lock:
        _kept.clear()
        _size[0] = 0


def held() -> set[int]:
    """The messages whose envelopes are kept (tests)."""
    with _lock:
        return set(_kept)


def _drop(message_id: int) -> None:
    found = _kept.pop(message_id, None)
    if found is not None:
        _size[0] -= len(found[1])
