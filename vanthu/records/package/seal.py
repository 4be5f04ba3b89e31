"""The manifest's seal: a detached CMS signature (DER) over manifest.json made with the unit's organisation key
(any pyHanko signer: a server-held key or a PKCS#11 token), carrying the signer's certificate and chain, with the
TSA's RFC 3161 signature time-stamp as an unsigned attribute (CAdES-T style); and its check against given roots.
Plain objects in, plain values out; no database. `openssl cms -verify -binary -inform DER -in manifest.p7s
-content manifest.json -CAfile roots.pem` checks the same signature with no vanthu at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509

from vanthu.signing.runtime import runtime

if TYPE_CHECKING:  # pyhanko's signers and validation are imported by the calls (process start, the URLconf)
    from pyhanko.sign.signers import Signer
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko_certvalidator import ValidationContext


def sign(data: bytes, *, signer: Signer, timestamper: TimeStamper | None) -> bytes:
    """The DER CMS ContentInfo (SignedData, detached) over `data`, time-stamped when a TSA is given."""

    async def run() -> cms.ContentInfo:
        return await signer.async_sign_general_data(data, "sha256", detached=True, timestamper=timestamper)

    return bytes(runtime().run(run()).dump())


@dataclass(frozen=True)
class SealCheck:
    readable: bool
    intact: bool  # the signature is over these very bytes and verifies with the certificate it carries
    trusted: bool  # that certificate chains to one of the roots (and was valid then)
    signer: str = ""
    certificate_sha256: str = ""
    timestamp: dt.datetime | None = None  # the TSA's time, when the time-stamp is valid and trusted
    timestamp_problem: str = ""  # "" | "absent" | "invalid" | "untrusted"

    @property
    def ok(self) -> bool:
        return self.readable and self.intact and self.trusted


def check(data: bytes, signature_der: bytes, *, roots: list[asn1_x509.Certificate]) -> SealCheck:
    """Does `signature_der` seal `data`, by a certificate chaining to `roots`? Offline: no fetching, the
    revocation of the seal certificate is not asked (soft-fail), so a package can be checked anywhere."""
    try:
        content = cms.ContentInfo.load(signature_der)
        signed_data = content["content"]
        if content["content_type"].native != "signed_data" or not isinstance(signed_data, cms.SignedData):
            return SealCheck(readable=False, intact=False, trusted=False)
        signed_data["signer_infos"][0]["signature"].native  # noqa: B018 - the part checked first
    except (ValueError, TypeError, KeyError):
        return SealCheck(readable=False, intact=False, trusted=False)

    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    def context() -> ValidationContext:
        return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")

    async def run() -> object:
        return await async_validate_detached_cms(data, signed_data, signer_validation_context=context(),
                                                 ts_validation_context=context())

    try:
        status = runtime().run(run())
    except Exception:  # any failure to process a foreign signature means: not verified
        return SealCheck(readable=False, intact=False, trusted=False)
    certificate = getattr(status, "signing_cert", None)
    signer = ""
    if certificate is not None:
        names = certificate.subject.native
        signer = str(names.get("common_name") or certificate.subject.human_friendly)
    stamp = getattr(status, "timestamp_validity", None)
    when, problem = None, "absent"
    if stamp is not None:
        if not (stamp.intact and stamp.valid):
            problem = "invalid"
        elif not stamp.trusted:
            problem = "untrusted"
        else:
            when, problem = stamp.timestamp, ""
    intact = bool(getattr(status, "intact", False) and getattr(status, "valid", False))
    return SealCheck(readable=True, intact=intact, trusted=intact and bool(getattr(status, "trusted", False)),
                     signer=signer, certificate_sha256=certificate.sha256.hex() if certificate is not None else "",
                     timestamp=when, timestamp_problem=problem)
