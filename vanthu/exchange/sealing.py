"""The units' seal keys as the exchange uses them: opened once per process (with the configured
`EXCHANGE_SEAL_SECRET`, or none for server-held keys) and kept open, since every envelope, status and HTTP
request a unit sends is signed with its key. A key that cannot be opened is `SigningRefused`."""

from __future__ import annotations

import atexit
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

from cryptography import x509
from django.conf import settings
from django.utils.translation import gettext as _

from vanthu.org.models import Unit
from vanthu.signing import service as signing

KEEP_SECONDS = 600  # a renewed or revoked seal certificate is picked up within this time


@dataclass(frozen=True)
class Seal:
    certificate_der: bytes
    chain_der: tuple[bytes, ...]
    _seal: signing.UnitSeal
    # the certificate and its chain as read once when the seal is opened (every signature carries them); empty
    # when the library cannot read them: the signature is then given the DER, and refuses as before
    certificates: tuple[x509.Certificate, ...] = field(default=(), compare=False, repr=False)

    def signed_with(self) -> tuple[x509.Certificate | bytes, list[x509.Certificate | bytes]]:
        """(certificate, chain) for `edxml.sign`: read once, else as DER."""
        if self.certificates:
            return self.certificates[0], list(self.certificates[1:])
        return self.certificate_der, list(self.chain_der)

    def sign(self, data: bytes) -> bytes:
        signer = self._seal.credential.signer
        assert signer is not None  # a remote credential is refused by `seal_for`
        raw: bytes = signer.sign_raw(data, "sha256")  # type: ignore[attr-defined]
        return raw


_lock = threading.Lock()
_open: dict[int, tuple[Seal, ExitStack, float]] = {}


def seal_for(unit: Unit) -> Seal:
    """The unit's open seal (cached per process for KEEP_SECONDS)."""
    now = time.monotonic()
    with _lock:
        found = _open.get(unit.pk)
        if found is not None and now - found[2] < KEEP_SECONDS:
            return found[0]
        stack = ExitStack()
        opened = stack.enter_context(signing.unit_seal(unit=unit, secret=settings.EXCHANGE_SEAL_SECRET or None))
        credential = opened.credential
        if credential.signer is None:
            stack.close()
            raise signing.SigningRefused(_("Khóa dấu của đơn vị ở dịch vụ ký từ xa, không ký được gói tin."),
                                         code="remote_seal")
        certificate_der = credential.certificate.dump()
        chain_der = tuple(c.dump() for c in credential.chain)
        try:
            certificates = tuple(x509.load_der_x509_certificate(d) for d in (certificate_der, *chain_der))
        except ValueError:
            certificates = ()
        seal = Seal(certificate_der=certificate_der, chain_der=chain_der, _seal=opened, certificates=certificates)
        if found is not None:
            found[1].close()
        _open[unit.pk] = (seal, stack, now)
        return seal


def highest_sealed() -> tuple[Unit, Seal] | None:
    """The deployment's voice when no one unit is concerned: the top unit's seal, else the highest unit's that
    opens (bundles' manifests, a refusal for an organ id none of our units has). None when no unit's does."""
    level = list(Unit.objects.filter(parent__isnull=True).exclude(code="").exclude(code=None).order_by("pk"))
    while level:
        for unit in level:
            try:
                return unit, seal_for(unit)
            except signing.SigningRefused:
                continue
        level = list(Unit.objects.filter(parent__in=level).exclude(code="").exclude(code=None).order_by("pk"))
    return None


def forget() -> None:
    """Close every open seal (tests; process exit)."""
    with _lock:
        for _seal, stack, _at in _open.values():
            stack.close()
        _open.clear()


atexit.register(forget)
