"""Private keys at rest: AES-256-GCM, under a passphrase (people's and units' keys) or the server key (CAs, TSA).

Two kinds of protection, both stored as one opaque blob in the database:

- **passphrase**: the key-encryption key is scrypt(passphrase, salt), so the key can only be used by someone
  who types the passphrase at each signing. When `settings.KEY_ENCRYPTION_SECRET` is set it is mixed in as a
  pepper (a stolen database alone is then not enough for an offline guessing attack); when empty the key is
  derived from the passphrase only.
- **server**: the key-encryption key comes from `settings.KEY_ENCRYPTION_SECRET`, or, when that is empty (the
  embedded default), from a random 32-byte file `SIGNING_DIR/server-key` created on first use (mode 0600).
  vanthu's own CA and TSA keys are kept this way, because the OCSP responder, the CRL and the TSA must sign
  without anyone typing a passphrase. **Back up SIGNING_DIR with the database**; deployments with several
  app servers must set VANTHU_KEY_ENCRYPTION_SECRET (the same on every server) instead.

Blob layout: b"VK1" | mode (b"p" passphrase, b"P" peppered passphrase, b"s" server) | log2 of scrypt's N (1) |
salt (16) | nonce (12) | ciphertext+tag. The private key inside is PKCS#8 DER. The header is bound as
associated data. scrypt's cost is settings.KEY_SCRYPT_LOG2N when set (tests lower it), else 14 (~16 MiB,
~50 ms, paid once per signing); it is stored per blob, so changing it never locks anyone out.

Proven passphrases (`settings.KEY_UNLOCK_CACHE_SECONDS`, default 300; 0 turns it off): after a passphrase has
opened a blob through scrypt, this process keeps, for that many seconds, the opened key with a keyed hash of
the passphrase (HMAC-SHA256 under a random key of the process, never stored). Within that time the same
passphrase opens the same blob by the hash alone; anything else goes through scrypt and is refused as before.
The passphrase is still asked at each signing and a guess still costs a scrypt; what is saved is the scrypt of
a clerk who issues several documents in a row (~45 ms of CPU and 16 MiB each, the largest cost of an
issuance after the seal itself, see docs/benchmarks.md).
"""

from __future__ import annotations

import hmac
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

MAGIC = b"VK1"
PASSPHRASE = b"p"
PEPPERED = b"P"
SERVER = b"s"
SCRYPT_LOG2N = 14
HEADER = 33
SERVER_KEY_FILE = "server-key"


class WrongSecret(Exception):
    """The passphrase (or the server key) does not open this blob."""


_PROCESS_KEY = os.urandom(32)
_PROVEN: dict[bytes, tuple[bytes, float, PrivateKey]] = {}  # sha256(blob) -> (proof, until (monotonic), key)
_PROVEN_LOCK = threading.Lock()


def _proof(ident: bytes, passphrase: str) -> bytes:
    return hmac.new(_PROCESS_KEY, ident + passphrase.encode("utf-8"), sha256).digest()


def _proven(blob: bytes, passphrase: str) -> PrivateKey | None:
    ident = sha256(blob).digest()
    with _PROVEN_LOCK:
        found = _PROVEN.get(ident)
    if found is None or found[1] < time.monotonic():
        return None
    return found[2] if hmac.compare_digest(found[0], _proof(ident, passphrase)) else None


def _remember(blob: bytes, passphrase: str, key: PrivateKey) -> None:
    seconds = float(getattr(settings, "KEY_UNLOCK_CACHE_SECONDS", 0))
    if seconds <= 0:
        return
    ident = sha256(blob).digest()
    now = time.monotonic()
    with _PROVEN_LOCK:
        for stale in [k for k, v in _PROVEN.items() if v[1] < now]:
            del _PROVEN[stale]
        _PROVEN[ident] = (_proof(ident, passphrase), now + seconds, key)


def forget_proven() -> None:
    """Drop every proven passphrase of this process (tests; a key's passphrase changed)."""
    with _PROVEN_LOCK:
        _PROVEN.clear()


def _server_secret() -> bytes:
    configured: str = settings.KEY_ENCRYPTION_SECRET
    if configured:
        return configured.encode("utf-8")
    path = Path(settings.SIGNING_DIR) / SERVER_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(32))
    return path.read_bytes()


def _kek(mode: bytes, log2n: int, salt: bytes, passphrase: str | None) -> bytes:
    if mode == SERVER:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"vanthu-server-kek").derive(
            _server_secret()
        )
    if passphrase is None:
        raise WrongSecret("passphrase required")
    material = passphrase.encode("utf-8")
    if mode == PEPPERED:
        material = hmac.new(settings.KEY_ENCRYPTION_SECRET.encode("utf-8"), material, sha256).digest()
    return Scrypt(salt=salt, length=32, n=2**log2n, r=8, p=1).derive(material)


def _key_der(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def lock(key: PrivateKey, *, passphrase: str | None) -> bytes:
    """Encrypt `key`: under `passphrase` when given, else under the server key."""
    mode = SERVER
    if passphrase is not None:
        mode = PEPPERED if settings.KEY_ENCRYPTION_SECRET else PASSPHRASE
    log2n = int(getattr(settings, "KEY_SCRYPT_LOG2N", SCRYPT_LOG2N))
    salt, nonce = os.urandom(16), os.urandom(12)
    header = MAGIC + mode + bytes([log2n]) + salt + nonce
    return header + AESGCM(_kek(mode, log2n, salt, passphrase)).encrypt(nonce, _key_der(key), header)


def needs_passphrase(blob: bytes) -> bool:
    return blob[3:4] in (PASSPHRASE, PEPPERED)


def unlock(blob: bytes, *, passphrase: str | None) -> PrivateKey:
    """Decrypt a blob made by `lock`. Raises WrongSecret when the passphrase or server key does not fit.

    RSA keys are loaded without cryptography's slow consistency check (59 ms): GCM already proved the bytes
    are the ones we stored.
    """
    if blob[:3] != MAGIC or len(blob) <= HEADER:
        raise ValueError("not a vanthu key blob")
    mode, log2n, salt, nonce = blob[3:4], blob[4], blob[5:21], blob[21:HEADER]
    if not 8 <= log2n <= 20:
        raise ValueError("scrypt cost out of range")
    if mode == PEPPERED and not settings.KEY_ENCRYPTION_SECRET:
        raise WrongSecret("key was peppered with KEY_ENCRYPTION_SECRET, which is not configured")
    by_passphrase = mode in (PASSPHRASE, PEPPERED) and passphrase is not None
    if not by_passphrase or float(getattr(settings, "KEY_UNLOCK_CACHE_SECONDS", 0)) <= 0:
        return _open(blob, mode, log2n, salt, nonce, passphrase)
    assert passphrase is not None
    known = _proven(blob, passphrase)
    if known is not None:
        return known
    # Threads of this process opening the same blob at once (clerks of one unit issuing together) wait for
    # the first one's scrypt, then find its proof, instead of each paying a scrypt (16 MiB, ~50 ms of CPU).
    with _opening(blob):
        known = _proven(blob, passphrase)
        if known is not None:
            return known
        key = _open(blob, mode, log2n, salt, nonce, passphrase)
        _remember(blob, passphrase, key)
        return key


class _Opening:
    """The lock of one blob being opened by passphrase, alive while a thread holds or awaits it."""

    __slots__ = ("__weakref__", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()


# sha256(blob) -> its _Opening while some thread opens the blob or waits to: an entry goes with the last thread
# that holds it (weak values), so the map holds only the blobs being opened now, not every blob ever opened
_OPENING: weakref.WeakValueDictionary[bytes, _Opening] = weakref.WeakValueDictionary()


@contextmanager
def _opening(blob: bytes) -> Iterator[None]:
    ident = sha256(blob).digest()
    with _PROVEN_LOCK:
        opening = _OPENING.get(ident)
        if opening is None:
            opening = _OPENING[ident] = _Opening()
    with opening.lock:  # `opening` is referenced by this frame until the lock is released
        yield


def _open(blob: bytes, mode: bytes, log2n: int, salt: bytes, nonce: bytes, passphrase: str | None) -> PrivateKey:
    try:
        der = AESGCM(_kek(mode, log2n, salt, passphrase)).decrypt(nonce, blob[HEADER:], blob[:HEADER])
    except InvalidTag as exc:
        raise WrongSecret("wrong passphrase") from exc
    key = serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("unsupported key type")
    return key


def relock(blob: bytes, *, old: str | None, new: str | None) -> bytes:
    """Change the passphrase of a blob (or move it between passphrase and server protection)."""
    return lock(unlock(blob, passphrase=old), passphrase=new)
