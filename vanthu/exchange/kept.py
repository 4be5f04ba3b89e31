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

Durable: each envelope is also written to a file of this machine's data folder (`DATA_DIR/exchange-kept/`, one
file per message: a header, the mark, the bytes; written to a temporary name and renamed), so that a worker
restarted between two attempts sends the same bytes again instead of a status with a new hash. The process's
memory is read first; a file is read only when the memory does not have it (a restart, another worker process).
The mark guards it as it guards the memory: a file whose mark differs (another deployment sharing the folder,
a message changed) is removed and the envelope built again. Files older than `KEEP_SECONDS` are swept on the
next `keep` (at most once a minute). A worker on another machine builds again, as before. The folder holds what
the file store holds already (signed envelopes of documents sent), with the same access.

No ORM: the caller passes what the mark covers.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

KEEP_SECONDS = 1800.0  # longer than the delivery job's backoffs (30 + 60 + 120 + 240 s)
KEEP_BYTES = 32 * 1024 * 1024

_lock = threading.Lock()
_kept: OrderedDict[int, tuple[bytes, bytes, float]] = OrderedDict()  # message id → (mark, body, kept at)
_size = [0]
_swept = [0.0]  # when the folder was last swept (time.time())
MAGIC = b"VTKEPT1\n"
SWEEP_SECONDS = 60.0


def folder() -> Path:
    return Path(settings.DATA_DIR) / "exchange-kept"


def _path(message_id: int) -> str:
    return os.path.join(settings.DATA_DIR, "exchange-kept", f"{int(message_id)}.env")


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
        if found is not None:
            if found[0] != made_of or now - found[2] > KEEP_SECONDS:
                _drop(message_id)
                _unlink(message_id)
                return None
            return found[1]
    body = _read(message_id, made_of=made_of)
    if body is not None:
        with _lock:
            _remember(message_id, made_of=made_of, body=body)
    return body


def keep(message_id: int, *, made_of: bytes, body: bytes) -> None:
    if len(body) > KEEP_BYTES // 4:
        return
    with _lock:
        _remember(message_id, made_of=made_of, body=body)
    _write(message_id, made_of=made_of, body=body)
    if time.time() - _swept[0] > SWEEP_SECONDS:
        _sweep()


def forget(message_ids: Iterable[int]) -> None:
    """These messages' outcomes are known (accepted or refused): their envelopes are no longer kept."""
    with _lock:
        for message_id in message_ids:
            _drop(message_id)
            _unlink(message_id)


def clear() -> None:
    with _lock:
        _kept.clear()
        _size[0] = 0
        for path in _files():
            path.unlink(missing_ok=True)


def forget_memory() -> None:
    """This process's memory only, as a restart leaves it (tests)."""
    with _lock:
        _kept.clear()
        _size[0] = 0


def held() -> set[int]:
    """The messages whose envelopes this process keeps in memory (tests)."""
    with _lock:
        return set(_kept)


def filed() -> set[int]:
    """The messages whose envelopes are in the folder (tests)."""
    return {int(p.stem) for p in _files()}


def _remember(message_id: int, *, made_of: bytes, body: bytes) -> None:
    _drop(message_id)
    _kept[message_id] = (made_of, body, time.monotonic())
    _size[0] += len(body)
    while _size[0] > KEEP_BYTES and _kept:
        _drop(next(iter(_kept)))


def _drop(message_id: int) -> None:
    found = _kept.pop(message_id, None)
    if found is not None:
        _size[0] -= len(found[1])


def _files() -> list[Path]:
    try:
        return [p for p in folder().iterdir() if p.suffix == ".env" and p.stem.isdigit()]
    except FileNotFoundError:
        return []


_names = itertools.count()


def _write(message_id: int, *, made_of: bytes, body: bytes) -> None:
    """The envelope in its file (a temporary name, then renamed: a reader sees the whole file or none). A folder
    that cannot be written leaves the memory alone to keep it. The temporary name is this process's and thread's
    own (created exclusively, readable by this user only, as `tempfile.mkstemp` makes it), without its random
    tries: a delivery keeps every envelope of its batch."""
    target = str(folder())
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        for attempt in range(3):  # the folder made on the first write; a name left by a dead process passed
            temporary = os.path.join(target, f".kept-{os.getpid()}-{threading.get_ident()}-{next(_names)}")
            try:
                handle = os.open(temporary, flags, 0o600)
                break
            except FileNotFoundError:
                os.makedirs(target, exist_ok=True)
            except FileExistsError:
                if attempt == 2:
                    raise
        else:
            return
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + made_of + body)
            os.replace(temporary, _path(message_id))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError:
        return


def _read(message_id: int, *, made_of: bytes) -> bytes | None:
    path = _path(message_id)
    try:
        age = time.time() - os.stat(path).st_mtime
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = MAGIC + made_of
    if age > KEEP_SECONDS or not data.startswith(head):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None
    return data[len(head):]


def _unlink(message_id: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(_path(message_id))


def _sweep() -> None:
    """Files older than KEEP_SECONDS go (a message whose outcome was never recorded here: its worker died)."""
    _swept[0] = now = time.time()
    for path in _files():
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink(missing_ok=True)
        except OSError:
            continue
