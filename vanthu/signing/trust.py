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
import hashlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.db import connection
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


# The trust store is read on every signature check: parsed once per version and kept in this process. The
# version is a digest of what the store is made of (each CA's role and fingerprint, each enabled imported
# anchor's), read in one small query, so any change — a CA created, an anchor imported, enabled or disabled —
# gives a new version, in every process at its next read.
_VERSION_SQL = (
    "SELECT role, fingerprint FROM {ca} UNION ALL "
    "SELECT CASE WHEN is_root THEN 'anchor-root' ELSE 'anchor' END, fingerprint FROM {anchor} WHERE enabled = %s"
)
_stores: dict[str, tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate]]] = {}
_stores_lock = threading.Lock()


def _digest(rows: Iterable[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(sorted(f"{kind}:{fp}" for kind, fp in rows)).encode()).hexdigest()[:32]


def version() -> str:
    """The trust store's version (see above): equal versions, equal trust store. One query."""
    sql = _VERSION_SQL.format(ca=CertificateAuthority._meta.db_table, anchor=TrustAnchor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [True])
        return _digest((str(kind), str(fp)) for kind, fp in cursor.fetchall())


def _load() -> tuple[str, list[asn1_x509.Certificate], list[asn1_x509.Certificate]]:
    own = list(CertificateAuthority.objects.order_by("pk").values_list("role", "fingerprint", "certificate_der"))
    imported = list(TrustAnchor.objects.filter(enabled=True).order_by("pk").values_list(
        "is_root", "fingerprint", "certificate_der"))
    rows = [(role, fp) for role, fp, _der in own]
    rows += [("anchor-root" if is_root else "anchor", fp) for is_root, fp, _der in imported]
    roots = _unique([*(der for role, _fp, der in own if role == CaRole.ROOT),
                     *(der for is_root, _fp, der in imported if is_root)])
    middle = _unique([*(der for role, _fp, der in own if role != CaRole.ROOT),
                      *(der for is_root, _fp, der in imported if not is_root)])
    return _digest(rows), roots, middle


def store() -> tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate]]:
    """(trust roots, intermediates), parsed once per version of the trust store in this process."""
    current = version()
    with _stores_lock:
        hit = _stores.get(current)
    if hit is None:
        loaded, roots, middle = _load()  # what was read is kept under the version it was read at
        hit = (roots, middle)
        with _stores_lock:
            _stores.clear()
            _stores[loaded] = hit
    return list(hit[0]), list(hit[1])


def trust_roots() -> list[asn1_x509.Certificate]:
    """vanthu's own root CA certificate(s) and the enabled imported self-signed anchors."""
    return store()[0]


def intermediates() -> list[asn1_x509.Certificate]:
    """vanthu's issuing CA certificate(s) and the enabled imported intermediates (for path building only)."""
    return store()[1]


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
    roots, middle = store()
    return {
        "trust_roots": roots,
        "other_certs": [*middle, *options.get("other_certs", ())],
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
