"""The pyHanko signer over a server-held private key parsed once (signing.md trap 1).

Its own module so that importing `backends` (every view that shows what a person can sign with) does not import
pyhanko.sign and aiohttp: only a process that signs pays for them.
"""

from __future__ import annotations

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.signing.credentials import HASHES
from vanthu.signing.keystore import PrivateKey


class CachedKeySigner(Signer):
    """pyHanko signer over a private key parsed once (RSA PKCS#1 v1.5 or ECDSA), for server-held keys."""

    def __init__(self, *, signing_cert: asn1_x509.Certificate, key: PrivateKey,
                 chain: list[asn1_x509.Certificate], registry: SimpleCertificateStore | None = None) -> None:
        if registry is None:
            registry = SimpleCertificateStore()
            registry.register_multiple([signing_cert, *chain])
        super().__init__(signing_cert=signing_cert, cert_registry=registry)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        algorithm = HASHES.get(digest_algorithm.lower())
        if algorithm is None:
            raise SigningError(f"unsupported digest algorithm {digest_algorithm}")
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        return self._key.sign(data, ec.ECDSA(algorithm))
