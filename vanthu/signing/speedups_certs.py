"""One parsed certificate per DER encoding, shared by the speed-ups (speedups.py, speedups_cms.py).

The same few certificates (the signers', the CAs', the time-stamp authority's) come in every signed PDF, and
asn1crypto parses lazily: every validation would decode their names and extensions again. `intern_certificate`
keeps one parsed object per DER encoding (bounded); a parsed certificate is immutable in use, so sharing it
changes nothing but the time.
"""

from __future__ import annotations

from asn1crypto import x509 as asn1_x509

_CERTIFICATES: dict[bytes, asn1_x509.Certificate] = {}
_INTERNED_DER: dict[int, bytes] = {}  # id of an interned certificate -> its DER (the object is kept by _CERTIFICATES)
KEPT = 2048


def intern_certificate(cert: asn1_x509.Certificate) -> asn1_x509.Certificate:
    """The shared parsed certificate with the same DER encoding as `cert`."""
    key = cert.dump()
    found = _CERTIFICATES.get(key)
    if found is None:
        if len(_CERTIFICATES) > KEPT:
            _CERTIFICATES.clear()
            _INTERNED_DER.clear()
        found = _CERTIFICATES[key] = asn1_x509.Certificate.load(key)
        _INTERNED_DER[id(found)] = key
    return found


def der_of(cert: asn1_x509.Certificate) -> bytes:
    """cert.dump(): for an interned certificate, the DER it was interned under (asn1crypto's dump of a parsed
    certificate walks every part parsed so far to see whether one was changed; an interned one never is)."""
    key = _INTERNED_DER.get(id(cert))
    if key is not None and _CERTIFICATES.get(key) is cert:
        return key
    return cert.dump()
