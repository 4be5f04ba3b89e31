"""The interface between key back-ends (backends.py) and PAdES signing (pades.py).

A back-end opens a `Credential` for a person or unit (unlocking it with a PIN or passphrase when needed);
pades.py signs with `credential.signer` and closes it. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.signers import Signer


@dataclass
class Credential:
    """An unlocked signing key with its certificate and chain.

    kind: "software" (server-held key, encrypted at rest), "pkcs11" (token), or "remote" (the signature value
    comes from an external signer: `signer` is None and pades.py uses the interrupted-signing flow).
    """

    kind: str
    certificate: x509.Certificate
    chain: list[x509.Certificate]  # issuing CA(s) up to, not necessarily including, the root
    signer: Signer | None
    key_algorithm: str  # "rsa" or "ecdsa"
    owner_label: str  # "Trần Quốc Hùng" or "Bộ Tư lệnh Quân khu 10", for messages
    image_png: bytes | None = None  # signer's signature image (blue) or unit's seal image (red), transparent PNG
    close: Callable[[], None] = field(default=lambda: None)
