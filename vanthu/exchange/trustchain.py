"""Does a certificate chain to one of the given roots? An adapter: certificates in, a reason out; no database.

The XML signature of an envelope carries the signer's certificate and, from vanthu, its chain (issuing CA).
The receiver decides trust: vanthu's own trust store for units of this deployment, the peer's configured
roots for another deployment. Revocation is not checked here (the PAdES check of the attached PDFs asks for
it with the receiver's trust store; see docs/exchange.md).
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from django.utils.translation import gettext as _

MAX_DEPTH = 6


def load_pem_list(text: str) -> list[x509.Certificate]:
    """Every certificate of a PEM text (a peer's trust roots); an empty list when there is none."""
    data = text.strip().encode("ascii", errors="ignore")
    if not data:
        return []
    return x509.load_pem_x509_certificates(data)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _in_time(cert: x509.Certificate, at: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


def chain_problem(leaf: x509.Certificate, *, intermediates: list[x509.Certificate],
                  roots: list[x509.Certificate], at: dt.datetime | None = None) -> str:
    """'' when `leaf` chains to one of `roots` through `intermediates`, each valid at `at` (default now);
    else the reason (translated)."""
    when = at or dt.datetime.now(dt.UTC)
    if not roots:
        return _("Chưa cấu hình chứng thư CA tin cậy cho nơi gửi.")
    current = leaf
    for _depth in range(MAX_DEPTH):
        if not _in_time(current, when):
            return _("Chứng thư “%(subject)s” không còn hiệu lực.") % {"subject": current.subject.rfc4514_string()}
        for root in roots:
            if current == root or _issued_by(current, root):
                return "" if _in_time(root, when) else _("Chứng thư CA gốc đã hết hiệu lực.")
        parent = next((c for c in intermediates if c != current and _issued_by(current, c)), None)
        if parent is None:
            break
        current = parent
    return _("Chứng thư ký gói tin (%(subject)s) không do CA tin cậy của nơi gửi cấp.") % {
        "subject": leaf.subject.rfc4514_string()}
