"""The trust store: which CA certificates vanthu trusts, as pyhanko-certvalidator objects.

Trusted roots are vanthu's own root CA(s) (`CertificateAuthority`, role root) and the *enabled* imported
`TrustAnchor` rows that are self-signed. Intermediates — vanthu's issuing CA and enabled imported
non-self-signed anchors — are not trusted on their own; they are handed to path building as `other_certs`.

Contracts used by PAdES signing and validation (all read the database, so call them outside pyHanko's event
loop, i.e. before `sign_pdf` / `validate_pdf_signature`, never from inside an async callback):

- `trust_roots()` / `intermediates()` → lists of asn1crypto certificates (deduplicated, stable order).
- `validation_context(allow_fetching=..., ...)` → a fresh `ValidationContext` for one operation.
  * allow_fetching=True: OCSP/CRL are fetched over HTTP from the URLs in the certificates (B-LT signing,
    online validation). Default revocation mode then "hard-fail": a declared OCSP/CRL that cannot be reached
    fails the check.
  * allow_fetching=False: only what is passed (`crls`, `ocsps`) or embedded in the PDF's DSS is used.
    Default revocation mode then "soft-fail" (missing revocation info is not an error; a revocation found
    in given data still is).
  * `moment` validates at a point in time (cannot be combined with fetching, certvalidator rule).
  * `session`: an aiohttp ClientSession to reuse for fetching in a long-lived event loop (signing.md trap 3).
    Without it certvalidator opens a session per operation; async callers must then
    `await context.aclose()` (pyHanko notes, issue 7).
- `dss_validation_context(reader, ...)` → the same, preloaded with the PDF's DSS (certificates, OCSP, CRLs):
  offline proof of a B-LT document. Raises pyHanko's NoDSSFoundError when the PDF has no DSS.
- `validation_context_kwargs(...)` → the keyword arguments behind `validation_context`.
- `trust_manager()` → `SimpleTrustManager` over the same roots, for pyHanko's AdES engine
  (`CertValidationPolicySpec(trust_manager=...)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.authority import CertTrustAnchor
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.registry import SimpleTrustManager

from vanthu.signing import pki
from vanthu.signing.models import CaRole, CertificateAuthority, TrustAnchor

if TYPE_CHECKING:
    import aiohttp


def _unique(certs: Iterable[bytes | memoryview]) -> list[asn1_x509.Certificate]:
    seen: set[str] = set()
    result: list[asn1_x509.Certificate] = []
    for raw in certs:
        cert = pki.to_asn1(raw)
        if cert.sha256.hex() not in seen:
            seen.add(cert.sha256.hex())
            result.append(cert)
    return result


def trust_roots() -> list[asn1_x509.Certificate]:
    """vanthu's own root CA certificate(s) and the enabled imported self-signed anchors."""
    own = CertificateAuthority.objects.filter(role=CaRole.ROOT).order_by("pk").values_list("certificate_der",
                                                                                          flat=True)
    imported = TrustAnchor.objects.filter(enabled=True, is_root=True).order_by("pk").values_list(
        "certificate_der", flat=True)
    return _unique([*own, *imported])


def intermediates() -> list[asn1_x509.Certificate]:
    """vanthu's issuing CA certificate(s) and the enabled imported intermediates (for path building only)."""
    own = CertificateAuthority.objects.exclude(role=CaRole.ROOT).order_by("pk").values_list("certificate_der",
                                                                                           flat=True)
    imported = TrustAnchor.objects.filter(enabled=True, is_root=False).order_by("pk").values_list(
        "certificate_der", flat=True)
    return _unique([*own, *imported])


def trust_manager() -> SimpleTrustManager:
    """The trusted roots as a trust manager, for pyHanko's AdES validation engine."""
    return SimpleTrustManager.build(trust_roots=[CertTrustAnchor(c) for c in trust_roots()])


class ContextOptions(TypedDict, total=False):
    """Optional arguments of `validation_context` (see the module docstring)."""

    revocation_mode: str | None
    moment: dt.datetime | None
    crls: Iterable[bytes | asn1_crl.CertificateList] | None
    ocsps: Iterable[bytes | asn1_ocsp.OCSPResponse] | None
    other_certs: Iterable[asn1_x509.Certificate]
    session: aiohttp.ClientSession | None


def validation_context_kwargs(*, allow_fetching: bool, **options: Unpack[ContextOptions]) -> dict[str, Any]:
    """The keyword arguments of `validation_context`, for pyHanko APIs that build the context themselves
    (e.g. `DocumentSecurityStore.as_validation_context(kwargs)`)."""
    mode = options.get("revocation_mode") or ("hard-fail" if allow_fetching else "soft-fail")
    crls, ocsps = options.get("crls"), options.get("ocsps")
    if not allow_fetching and crls is None and ocsps is None:
        crls, ocsps = [], []  # certvalidator refuses "hard-fail"/"require" offline without any revocation data
    session = options.get("session")
    return {
        "trust_roots": trust_roots(),
        "other_certs": [*intermediates(), *options.get("other_certs", ())],
        "allow_fetching": allow_fetching,
        "revocation_mode": mode,
        "moment": options.get("moment"),
        "crls": list(crls) if crls is not None else None,
        "ocsps": list(ocsps) if ocsps is not None else None,
        "fetcher_backend": AIOHttpFetcherBackend(session=session) if session is not None else None,
    }


def validation_context(*, allow_fetching: bool, **options: Unpack[ContextOptions]) -> ValidationContext:
    """A new ValidationContext over vanthu's trust store (see the module docstring for the contract).

    revocation_mode: "soft-fail", "hard-fail" or "require"; None chooses "hard-fail" when fetching and
    "soft-fail" when not. One context per signing or validation: it caches fetched revocation data.
    """
    return ValidationContext(**validation_context_kwargs(allow_fetching=allow_fetching, **options))


def dss_validation_context(handler: PdfFileReader, *, allow_fetching: bool = False,
                           revocation_mode: str | None = None, moment: dt.datetime | None = None) -> ValidationContext:
    """A ValidationContext over vanthu's trust store preloaded with the certificates, OCSP responses and CRLs
    of a PDF's Document Security Store (B-LT/B-LTA): with `allow_fetching=False` and
    `revocation_mode="hard-fail"` this proves a B-LT document offline, from what it carries."""
    kwargs = validation_context_kwargs(allow_fetching=allow_fetching, revocation_mode=revocation_mode,
                                       moment=moment)
    dss = DocumentSecurityStore.read_dss(handler)
    return dss.as_validation_context(kwargs)
