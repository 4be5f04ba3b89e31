"""Is the certificate that signed an envelope revoked? An adapter: certificates and CRLs in, a verdict out; no
database. `fetch` is the one network call, made only by the job that refreshes the peers' CRLs (exchange/jobs.py),
never inside a request: the receive pipeline reads the CRLs the job kept.

The verdict is soft-fail, as pyHanko's for the attached PDFs: "revoked" refuses the envelope; "good" needs a CRL
of the certificate's issuer, signed by that issuer, still current (nextUpdate not passed); anything else is
"unknown" (no CRL yet, stale, or none declared) and the envelope goes on with that noted in its evidence.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature

GOOD, REVOKED, UNKNOWN = "good", "revoked", "unknown"
MAX_CRL_BYTES = 10 * 1024 * 1024


class CrlInvalid(Exception):
    pass


@dataclass(frozen=True)
class Verdict:
    state: str  # good | revoked | unknown
    revoked_at: dt.datetime | None = None
    next_update: dt.datetime | None = None


def crl_urls(certificate: x509.Certificate) -> list[str]:
    """The http(s) CRL distribution points the certificate declares (none: an empty list)."""
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    urls = []
    for point in points:
        for name in point.full_name or ():
            if isinstance(name, x509.UniformResourceIdentifier) and name.value.startswith(("http://", "https://")):
                urls.append(name.value)
    return urls


def load_crl(der: bytes, *, issuers: list[x509.Certificate]) -> tuple[x509.CertificateRevocationList,
                                                                          x509.Certificate]:
    """The CRL and the issuer among `issuers` whose key signed it (CrlInvalid otherwise)."""
    try:
        crl = x509.load_der_x509_crl(der)
    except ValueError as exc:
        raise CrlInvalid("not a DER CRL") from exc
    for issuer in issuers:
        if issuer.subject != crl.issuer:
            continue
        try:
            if crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
                return crl, issuer
        except (TypeError, ValueError, InvalidSignature):
            continue
    raise CrlInvalid("the CRL is not signed by a trusted issuer")


def verdict(certificate: x509.Certificate, *, crls: list[bytes], issuers: list[x509.Certificate],
            at: dt.datetime) -> Verdict:
    """What the kept CRLs say of `certificate` at `at` (see the module docstring)."""
    current = None
    for der in crls:
        try:
            crl, _issuer = load_crl(der, issuers=issuers)
        except CrlInvalid:
            continue
        if crl.issuer != certificate.issuer:
            continue
        entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
        if entry is not None:
            return Verdict(REVOKED, revoked_at=entry.revocation_date_utc, next_update=crl.next_update_utc)
        if crl.next_update_utc is not None and crl.next_update_utc >= at:
            current = crl
    if current is not None:
        return Verdict(GOOD, next_update=current.next_update_utc)
    return Verdict(UNKNOWN)


def fetch(url: str, *, timeout: float) -> bytes:
    """GET a CRL (OSError on any network or HTTP failure). Only the refresh job calls it."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"not an http(s) URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a peer certificate's CRL DP
            data: bytes = response.read(MAX_CRL_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code}") from exc
    if len(data) > MAX_CRL_BYTES:
        raise OSError("CRL too large")
    return data
