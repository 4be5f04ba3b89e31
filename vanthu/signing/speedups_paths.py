"""Certificate path validation remembered per chain, for validation contexts without revocation data.

Each signature of a validated PDF has its signer's chain validated by pyhanko-certvalidator (RFC 5280 §6.1:
the signature of every certificate of the path, validity periods, names, name constraints, policies,
critical extensions, revocation), and so does the certificate of each time-stamp authority: four path
validations per dual-signed B-T document, over the same three or four chains in every document of a
deployment. `validate_path` remembers a *successful* validation of a path and gives the same outcome without
redoing it, only when the outcome cannot differ:

- the same certificates (SHA-256 of each DER, the trust anchor's included) and the same trust anchor
  qualifiers; no extra PKIX parameters; a certificate (not an attribute certificate) as leaf;
- a context with no revocation data at all: no CRL, no OCSP response, no fetcher, no asserted non-revocation
  (a B-LT/B-LTA document's DSS, `--crl`, fetching: never remembered), the same revocation policy, the same
  algorithm policy (pyhanko-certvalidator's `DisallowWeakAlgorithmsPolicy` with the same settings: it does not
  depend on time), the default signature validator, the same time tolerance. Without revocation data the
  revocation step's outcome depends on the certificates and the policy only; its soft-fail reports are
  replayed into the new context;
- the context's moment within every certificate's validity period (with the tolerance) and within the trust
  anchor's qualifiers: the only time-dependent checks left. Outside them the full validation runs (and fails
  as it would).

A failed validation is never remembered: every invalid chain is validated in full each time. What the
context learns from a validation (`record_validation` of each prefix of the path, the qualified policies set
on the path) is redone on the new context and path. Certificates vanthu revoked are still refused by
validation.py from vanthu's own records, which it reads for every document. The entries live in the process
(at most CACHED, emptied when full).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509

ORIGINAL: dict[str, Any] = {}  # pyhanko-certvalidator's async_validate_path, filled by speedups.install()
CACHED = 1024


@dataclass(frozen=True)
class _Remembered:
    certificates: tuple[asn1_x509.Certificate, ...]  # path[1..n] (the anchor's certificate not included)
    qualified_policies: Any
    soft_fails: tuple[Exception, ...]


_REMEMBERED: dict[tuple[Any, ...], _Remembered] = {}


def _key(context: Any, path: Any, parameters: Any) -> tuple[Any, ...] | None:
    """The key of a validation whose outcome is a function of it and of the moment; None: do not remember."""
    from pyhanko_certvalidator.authority import AuthorityWithCert
    from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    if parameters is not None or not isinstance(path.leaf, asn1_x509.Certificate):
        return None
    revinfo = context.revinfo_manager
    if (getattr(revinfo, "_crls", None) or getattr(revinfo, "_ocsps", None) or getattr(revinfo, "_fetchers", 1)
            is not None or getattr(revinfo, "_assertions", None)):
        return None
    policy = context.algorithm_policy
    if type(policy) is not DisallowWeakAlgorithmsPolicy or type(context.sig_validator) is not DefaultSignatureValidator:
        return None
    anchor = path.trust_anchor
    authority = anchor.authority
    if not isinstance(authority, AuthorityWithCert):
        return None
    return (
        authority.certificate.sha256, repr(anchor.trust_qualifiers),
        tuple(path[i].sha256 for i in range(1, path.pkix_len + 1)),
        repr(context.revinfo_policy), context.time_tolerance,
        frozenset(policy.weak_hash_algos), frozenset(policy.weak_signature_algos),
        policy.rsa_key_size_threshold, policy.dsa_key_size_threshold,
    )


def _in_time(context: Any, path: Any, certificates: tuple[asn1_x509.Certificate, ...]) -> bool:
    """Whether the time checks of intl_validate_path pass at the context's moment."""
    moment = context.moment
    tolerance = context.time_tolerance or dt.timedelta(0)
    qualifiers = path.trust_anchor.trust_qualifiers
    if qualifiers.valid_from is not None and qualifiers.valid_from > moment:
        return False
    if qualifiers.valid_until is not None and qualifiers.valid_until < moment:
        return False
    for cert in certificates:
        validity = cert["tbs_certificate"]["validity"]
        if moment + tolerance < validity["not_before"].native or moment - tolerance > validity["not_after"].native:
            return False
    return True


def _replay(context: Any, path: Any, remembered: _Remembered) -> Any:
    """What a successful validation leaves in the context and on the path, done again."""
    from pyhanko_certvalidator.path import ValidationPath

    completed = ValidationPath(path.trust_anchor, interm=[], leaf=None)
    context.record_validation(path.trust_anchor.authority.certificate, completed)
    for cert in path.iter_certs(include_root=False):
        completed = completed.copy_and_append(cert)
        context.record_validation(cert, completed)
    if remembered.qualified_policies is not None:
        path._set_qualified_policies(remembered.qualified_policies)
        completed._set_qualified_policies(remembered.qualified_policies)
    for failure in remembered.soft_fails:
        context._report_soft_fail(failure)
    return path[path.pkix_len]


async def validate_path(validation_context: Any, path: Any, parameters: Any = None) -> Any:
    """pyhanko_certvalidator.async_validate_path, remembered (see the module docstring)."""
    original = ORIGINAL["async_validate_path"]
    try:
        key = _key(validation_context, path, parameters)
    except Exception:  # anything unusual: pyHanko's own validation, nothing remembered
        key = None
    if key is None:
        return await original(validation_context, path, parameters)
    found = _REMEMBERED.get(key)
    certificates = tuple(path.iter_certs(include_root=False))
    if found is not None and _in_time(validation_context, path, certificates):
        return _replay(validation_context, path, found)
    before = len(validation_context.soft_fail_exceptions)
    result = await original(validation_context, path, parameters)
    if len(_REMEMBERED) >= CACHED:
        _REMEMBERED.clear()
    _REMEMBERED[key] = _Remembered(
        certificates=certificates, qualified_policies=getattr(path, "_qualified_policies", None),
        soft_fails=tuple(validation_context.soft_fail_exceptions[before:]))
    return result


def forget() -> None:
    """Empty the remembered validations (tests)."""
    _REMEMBERED.clear()


def patches() -> list[tuple[str, Any, str, Any]]:
    """(key, owner, attribute, replacement) for speedups.install()."""
    import pyhanko_certvalidator

    return [("async_validate_path", pyhanko_certvalidator, "async_validate_path", validate_path)]
