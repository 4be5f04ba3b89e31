"""The signing capability as the rest of vanthu sees it: sign, seal, validate.

This module is the contract between `documents` (which decides *when* to sign) and the signing
machinery (PKI, key back-ends, PAdES, appearances, validation), which decides *how*. It takes and returns
PDF bytes and plain values; it never changes a Document. Errors a person can fix (wrong PIN, expired
certificate, unreachable TSA) raise `SigningRefused` with a Vietnamese message.

It is also where the deployment's data meets the PAdES adapter: it opens the signer's credential
(backends.py), reads the image size, the trust store and the TSA, and records remote-signing requests
(actions.py), then hands plain values to pades.py, which reads no database. The shared types live in
types.py (re-exported here), so nothing inside `signing` imports this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vanthu.signing.types import (
    LEVELS,
    CredentialInfo,
    Registered,
    SignatureBlock,
    SignatureReport,
    SigningRefused,
    ValidationResult,
)

if TYPE_CHECKING:
    from vanthu.core.actors import SystemActor
    from vanthu.core.models import StoredFile
    from vanthu.org.models import Person, Unit
    from vanthu.signing.credentials import Credential
    from vanthu.signing.long_term import Enriched
    from vanthu.signing.models import RemoteSigningRequest
    from vanthu.signing.pades_engine import Services

__all__ = [
    "LEVELS", "CredentialInfo", "Registered", "SignatureBlock", "SignatureReport", "SigningRefused", "ValidationResult",
    "begin_remote_personal", "check_attachment_sealable", "check_sealable", "configured_level",
    "credential_for_person", "credential_for_unit",
    "enrich", "finish_remote", "fresh_personal_verdict", "layout", "level_of", "needs_enrichment", "pades_services",
    "record_validation", "renew_archive",
    "request_level", "seal_issued", "seal_text_only", "sign_personal", "signed_from_request", "sim_signature",
    "stored_validation",
    "validate",
]


def credential_for_person(person: Person) -> CredentialInfo:
    from vanthu.signing import backends

    return backends.credential_info(owner=person)


def credential_for_unit(unit: Unit) -> CredentialInfo:
    from vanthu.signing import backends

    return backends.credential_info(owner=unit)


# --- what pades.py is given -------------------------------------------------------------------------------


def pades_services(level: str | None = None) -> Services:
    """The deployment's services for `level` (default: the configured one): the timestamper of the TSA (B-T and
    up) and the validation context of the trust store (B-LT and up). Reads the database: call it before the
    event loop runs, never inside it."""
    from django.utils.translation import gettext as _

    from vanthu.signing import pades_engine, trust, tsa_stamper
    from vanthu.signing.runtime import runtime

    level = level or pades_engine.configured_level()
    found = pades_engine.Services(level=level)
    if level == "B-B":
        return found
    found.timestamper = tsa_stamper.timestamper(session=runtime().session())
    if found.timestamper is None:
        raise SigningRefused(_("Mức chữ ký %(level)s cần dịch vụ cấp dấu thời gian (VANTHU_TSA_URL) nhưng chưa "
                               "được cấu hình.") % {"level": level}, code="no_tsa")
    if level in ("B-LT", "B-LTA"):
        found.validation_context = trust.validation_context(allow_fetching=True, session=runtime().session())
    return found


def _size_mm(owner: Person | Unit) -> tuple[float, float] | None:
    """The printed size of the owner's uploaded signature or seal image, if one was given."""
    from vanthu.org.models import Person
    from vanthu.signing.models import SignatureImage

    lookup: dict[str, Person | Unit] = {"person": owner} if isinstance(owner, Person) else {"unit": owner}
    row = SignatureImage.objects.filter(**lookup).only("width_mm", "height_mm").first()
    if row is None or not row.width_mm or not row.height_mm:
        return None
    return float(Decimal(row.width_mm)), float(Decimal(row.height_mm))


def _with_credential(owner: Person | Unit, secret: str | None, work: Callable[[Credential], bytes]) -> bytes:
    from vanthu.signing import backends

    credential = backends.open_credential(owner, secret=secret)
    try:
        return work(credential)
    finally:
        credential.close()


def _check_personal_signature(pdf: bytes) -> None:
    """Refuse a PDF with an object that does not parse (decision 0045: what the seal must not seal, whatever its
    verdict says), then one without a valid personal signature, judged against the deployment's trust store and
    vanthu's own revocations: now, or by the verdict stored for these very bytes while it is fresh
    (verdicts.py)."""
    from vanthu.signing import pades_form, validation, verdicts

    pades_form.check_every_object_signed(pdf)
    if verdicts.fresh_personal(hashlib.sha256(pdf).hexdigest()):  # this very file's stored verdict, still good
        return
    pades_form.open_writer(pdf)  # an unreadable PDF is refused as such, before the signature check
    if not validation.has_valid_personal_signature(pdf):
        raise pades_form.refuse_not_signed()


# --- signing ----------------------------------------------------------------------------------------------


def sign_personal(
    *, pdf: bytes, person: Person, block: SignatureBlock, secret: str | None, reason: str = "",
    level: str | None = None, placed: dict[str, Any] | None = None,
) -> bytes:
    """The authorised person's PAdES signature with the Decree 30 appearance (blue signature image between
    the position line and the name), adding empty form fields where the number and date will be filled at
    issuance. The result's first len(pdf) bytes are `pdf` unchanged (what was approved is what is signed).
    `placed`: positions set by hand on the preview ({"number": [page, x, y], …}, PDF points), used instead of
    the ones found.
    """
    from vanthu.signing import pades, placement

    found = pades_services(level)
    size_mm = _size_mm(person)
    chosen = {k: v for k, v in placement.spots_from(placed).items() if k != "seal"}
    return _with_credential(person, secret, lambda credential: pades.sign_personal_with(
        pdf, credential=credential, block=block, reason=reason, found_services=found, size_mm=size_mm,
        chosen=chosen))


def layout(*, pdf: bytes, name_line: str) -> dict[str, Any]:
    """Where the number, date, signature and seal go on `pdf` (pades.layout), for the preview."""
    from vanthu.signing import pades

    return pades.layout(pdf, name_line=name_line)


def seal_issued(*, pdf: bytes, unit: Unit, number_text: str, date_text: str, secret: str | None) -> bytes:
    """Fill the number and date fields (a permitted change after the personal signature), then apply the
    unit's organisation signature: red seal image overlapping a third of the signer's image on its left,
    signing time ISO 8601 +07:00. Refuses a PDF without a valid personal signature."""
    from vanthu.signing import pades

    _check_personal_signature(pdf)  # an unreadable PDF is refused as such, before the signature check
    found = pades_services()
    size_mm = _size_mm(unit)
    return _with_credential(unit, secret, lambda credential: pades.seal_issued_with(
        pdf, credential=credential, number_text=number_text, date_text=date_text, found_services=found,
        size_mm=size_mm, check_personal=False))


def seal_text_only(*, pdf: bytes, unit: Unit, lines: list[str], secret: str | None) -> bytes:
    """Organisation signature on an attachment or an electronic copy (SAO Y, SAO LỤC, TRÍCH SAO): text only,
    top right of page 1, Times New Roman 10 black, with the signing time in ISO 8601 +07:00."""
    from vanthu.signing import pades, pades_form

    pades_form.open_writer(pdf)
    found = pades_services()
    return _with_credential(unit, secret, lambda credential: pades.seal_text_only_with(
        pdf, credential=credential, lines=lines, found_services=found))


def seal_digitised(*, pdf: bytes, unit: Unit, secret: str | None) -> bytes:
    """Organisation signature on a scan of a paper document (Circular 01/2019 Điều 6.2.c; checklist point 17):
    top right of page 1, the unit's red seal image at actual size and the signing time (ISO 8601 +07:00)."""
    from vanthu.signing import pades, pades_form

    pades_form.open_writer(pdf)
    found = pades_services()
    size_mm = _size_mm(unit)
    return _with_credential(unit, secret, lambda credential: pades.seal_digitised_with(
        pdf, credential=credential, found_services=found, size_mm=size_mm))


# --- long-term signatures (after the request) -------------------------------------------------------------


def configured_level() -> str:
    """The deployment's PAdES level (VANTHU_PADES_LEVEL, or the default of its TSA setting)."""
    from vanthu.signing import pades_engine

    return pades_engine.configured_level()


def request_level() -> str:
    """The level a signature is made at inside a person's request: B-T when the deployment's level has a
    time-stamp and the TSA is vanthu's built-in one (called in-process: no network, a fraction of a
    millisecond), else B-B. What the configured level adds beyond it — a time-stamp from a TSA over the
    network, the OCSP responses and CRLs, the archive time-stamp — is added by a job (`enrich`): a person
    never waits on a TSA or an OCSP responder."""
    from django.conf import settings

    from vanthu.signing import long_term, pades_engine

    configured = pades_engine.configured_level()
    if long_term.rank(configured) >= long_term.rank("B-T") and settings.TSA_URL.strip() == "builtin":
        return "B-T"
    return "B-B"


def needs_enrichment() -> bool:
    """Whether signatures made in a request (`request_level`) fall short of the configured level."""
    from vanthu.signing import long_term, pades_engine

    return long_term.rank(pades_engine.configured_level()) > long_term.rank(request_level())


def enrich(pdf: bytes, *, target: str | None = None) -> Enriched:
    """`pdf` with its signatures brought to `target` (default: the configured level) by incremental updates
    (signing/long_term.py). Calls the TSA and the OCSP/CRL services: never inside a request, a transaction
    or a lock. SigningRefused (tsa_unreachable, revinfo_unreachable) when they do not answer."""
    from vanthu.signing import long_term, pades_engine

    target = target or pades_engine.configured_level()
    return long_term.enrich(pdf, target=target, services=pades_services(target))


def renew_archive(pdf: bytes) -> Enriched:
    """The next archive time-stamp of a B-LTA file (the weekly renewal before the TSA certificate expires)."""
    from vanthu.signing import long_term

    return long_term.renew(pdf, services=pades_services("B-LTA"))


def level_of(pdf: bytes) -> str:
    """The PAdES level the file's signatures have reached, read from the file's structure."""
    from vanthu.signing import long_term

    return long_term.level_of(pdf)


# --- validation -------------------------------------------------------------------------------------------


def validate(pdf: bytes, *, trust_roots: list[bytes] | None = None,
             registered: Registered | None = None) -> ValidationResult:
    """Integrity, chain to the trust store, revocation, timestamp and modification analysis, and vanthu's number
    and date fields (registration.py). `trust_roots` (DER certificates) replace the trust store: the exchange
    validates another deployment's PDFs against the roots configured for that peer. `registered`: the number
    and date the document is known by (the envelope's), which its number and date fields must hold."""
    from vanthu.signing import validation

    if trust_roots is None:
        return validation.validate_pdf(pdf, registered=registered)
    from vanthu.signing import pki

    return validation.validate_pdf(pdf, trust_roots=[pki.to_asn1(der) for der in trust_roots], registered=registered)


def own_revocation(certificate_der: bytes) -> dt.datetime | None:
    """When vanthu revoked the certificate (DER) in its own records; None when it did not (or does not know it)."""
    from asn1crypto import x509 as asn1_x509

    from vanthu.signing import validation

    return validation.own_revocation(asn1_x509.Certificate.load(certificate_der))


def record_validation(file: StoredFile, *, registered: Registered | None = None) -> ValidationResult:
    """Validate a stored file and keep the result with it (shown on every document using the file).
    `registered`: the number and date of the issued document the file is (the check after issuance), which its
    number and date fields must hold."""
    from vanthu.signing import validation

    return validation.validate_and_store(file, registered=registered)


def check_attachment_sealable(file: StoredFile, *, name: str, target: Any = None) -> None:
    """Refuse (SigningRefused, `corrupt_attachment`, naming `target`) an attachment the seal cannot seal or would
    seal over an object that does not parse (decision 0057): issuance calls it before the number is taken."""
    from vanthu.signing import pades_form

    try:
        pades_form.check_attachment_sealable(file.read_bytes(), name=name)
    except SigningRefused as exc:
        exc.target = target
        raise


def check_sealable(file: StoredFile, *, target: Any = None) -> None:
    """Refuse (SigningRefused, `corrupt_pdf`, naming `target`) a signed file with an object the validation's
    parser cannot read (decision 0045): issuance calls it with the personal signature's check, before the number
    is taken. The parse of the upload and of the personal signature (pdfparse.py), for a file signed before
    decision 0036 or elsewhere; the stored verdict does not stand for it (the validation of a signed draft does
    not read what its signature does not cover)."""
    from vanthu.signing import pades_form

    try:
        pades_form.check_every_object_signed(file.read_bytes())
    except SigningRefused as exc:
        exc.target = target
        raise


def fresh_personal_verdict(file: StoredFile) -> bool:
    """Whether the stored verdict of `file` says its personal signature is valid and may still stand for a check
    made now (verdicts.py: these bytes, younger than VANTHU_SIGNATURE_VERDICT_SECONDS, the same trust store, the
    signer not revoked since). False: check it in full (`record_validation`)."""
    from vanthu.signing import verdicts

    return verdicts.fresh_personal(file.sha256)


def stored_validation(file: StoredFile) -> ValidationResult | None:
    """The last stored validation of a file (None when it was never validated)."""
    from vanthu.signing import validation

    return validation.stored_result(file)


# --- remote ("interrupted") signing -----------------------------------------------------------------------


def begin_remote_personal(
    *, pdf: bytes, person: Person, block: SignatureBlock, acting: Person | None, reason: str = "",
    placed: dict[str, Any] | None = None,
) -> RemoteSigningRequest:
    """Remote signing, step 1: prepare the personal signature and record the digest the person's remote
    signing service must sign (CSC signHash style, actions.begin_remote_signing). The PDF is finished by
    `finish_remote`."""
    from django.utils.translation import gettext as _

    from vanthu.signing import actions, backends, pades, placement

    found = pades_services()
    size_mm = _size_mm(person)
    chosen = {k: v for k, v in placement.spots_from(placed).items() if k != "seal"}
    credential = backends.open_credential(person, secret=None)
    try:
        if credential.kind not in ("remote", "sim"):
            raise SigningRefused(_("%(who)s không dùng ký số từ xa.") % {"who": credential.owner_label},
                                 code="not_remote")
        prepared = pades.prepare_personal(pdf, credential=credential, block=block, reason=reason,
                                          found_services=found, size_mm=size_mm, chosen=chosen)
    finally:
        credential.close()
    document, context = prepared.as_state()
    return actions.begin_remote_signing(owner=person, digest=prepared.to_sign, prepared=document,
                                        context=context, acting=acting)


def finish_remote(*, request: RemoteSigningRequest, signature: bytes, acting: Person | None) -> bytes:
    """Remote signing, step 2: accept the signature value (checked against the certificate,
    actions.complete_remote_signing) and return the signed PDF."""
    from vanthu.signing import actions

    completed = actions.complete_remote_signing(request=request, signature=signature, acting=acting)
    return signed_from_request(completed)


def sim_signature(request_id: uuid.UUID | str, *, acting: SystemActor, message: str) -> bytes | None:
    """SIM-PKI: ask the phone and wait for the person (signing/sim.py). Jobs only: it waits on the network."""
    from vanthu.signing import sim

    return sim.sim_signature(request_id, acting=acting, message=message)


def signed_from_request(request: RemoteSigningRequest) -> bytes:
    """The signed PDF of a completed remote-signing request."""
    from django.utils.translation import gettext as _

    from vanthu.signing import pades_engine
    from vanthu.signing.models import RemoteState

    if request.state != RemoteState.COMPLETED or request.signature is None:
        raise SigningRefused(_("Yêu cầu ký số từ xa chưa hoàn tất."), code="remote_pending")
    prepared = pades_engine.PreparedSignature.from_state(bytes(request.prepared), request.context)
    return pades_engine.finish(prepared, signature=bytes(request.signature),
                               found_services=pades_services(prepared.level))



class UnitSeal:
    """A unit's organisation key, unlocked once for one issuance: the number-and-date seal of the main file
    and the text-only seal of each attachment (see `unit_seal`)."""

    def __init__(self, unit: Unit, credential: Credential, level: str | None = None) -> None:
        self.unit = unit
        self.credential = credential
        self.level = level

    def seal_issued(self, *, pdf: bytes, number_text: str, date_text: str,
                    placed: dict[str, Any] | None = None, checked_sha256: str | None = None) -> bytes:
        """As `seal_issued`, with the key already unlocked (the personal signature is checked here too);
        `placed["seal"]`, when set by hand on the preview, is where the seal goes. `checked_sha256`: the
        SHA-256 of the file whose personal signature the caller has just checked (issuance, before taking the
        number, with `check_sealable`): when `pdf` is those very bytes neither check is made again, else both are
        made here (decision 0045)."""
        from vanthu.signing import pades, placement

        if checked_sha256 is None or hashlib.sha256(pdf).hexdigest() != checked_sha256:
            _check_personal_signature(pdf)  # an unreadable PDF is refused as such first
        return pades.seal_issued_with(pdf, credential=self.credential, number_text=number_text, date_text=date_text,
                                      found_services=pades_services(self.level), size_mm=self.credential.image_mm,
                                      check_personal=False, seal_at=placement.spots_from(placed).get("seal"))

    def seal_text_only(self, *, pdf: bytes, lines: list[str]) -> bytes:
        """As `seal_text_only`, with the key already unlocked."""
        from vanthu.signing import pades, pades_form

        pades_form.open_writer(pdf)
        return pades.seal_text_only_with(pdf, credential=self.credential, lines=lines,
                                         found_services=pades_services(self.level))


@contextmanager
def unit_seal(*, unit: Unit, secret: str | None, level: str | None = None) -> Iterator[UnitSeal]:
    """Unlock the unit's organisation key (refusing a missing or wrong PIN or passphrase, or an unusable
    certificate, at once: before the caller commits to anything) and close it at the end. Issuance opens it
    before it takes a number and seals with it outside any transaction, at `level` (default: the configured
    one; issuance passes `request_level()`)."""
    from vanthu.signing import backends

    credential = backends.open_credential(unit, secret=secret)
    try:
        yield UnitSeal(unit, credential, level)
    finally:
        credential.close()


# --- the trust store, for verifiers outside signing (the exchange's envelope signatures) -----------------


def trust_store_der() -> tuple[list[bytes], list[bytes]]:
    """(roots, intermediates) of this deployment's trust store, as DER certificates."""
    from vanthu.signing import trust

    return [c.dump() for c in trust.trust_roots()], [c.dump() for c in trust.intermediates()]
