"""The interface between key back-ends (backends.py) and PAdES signing (pades.py).

A back-end opens a `Credential` for a person or unit (unlocking it with a PIN or passphrase when needed);
pades.py signs with `credential.signer` and closes it; `verify_raw_signature` checks a raw signature value
(remote signing) against a certificate. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509 as crypto_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

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
    image_mm: tuple[float, float] | None = None  # its printed size (width, height), when one was given
    close: Callable[[], None] = field(default=lambda: None)


HASHES: dict[str, hashes.HashAlgorithm] = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(),
                                           "sha512": hashes.SHA512()}


def verify_raw_signature(certificate: crypto_x509.Certificate, *, digest: bytes, signature: bytes,
                         digest_algorithm: str = "sha256") -> bool:
    """True when `signature` (raw value: PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for ECDSA) signs the
    already-computed `digest` with the certificate's key."""
    algorithm = HASHES[digest_algorithm]
    public_key = certificate.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(algorithm))
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, digest, ec.ECDSA(utils.Prehashed(algorithm)))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True
