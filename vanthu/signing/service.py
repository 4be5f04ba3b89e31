"""The signing capability as the rest of vanthu sees it: sign, seal, validate.

This module is the contract between `documents` (which decides *when* to sign) and the signing
machinery (PKI, key back-ends, PAdES, appearances, validation), which decides *how*. It takes and returns
PDF bytes and plain values; it never changes a Document. Errors a person can fix (wrong PIN, expired
certificate, unreachable TSA) raise `SigningRefused` with a Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vanthu.core.errors import ActionRefused

if TYPE_CHECKING:
    from vanthu.core.models import StoredFile
    from vanthu.org.models import Person, Unit
    from vanthu.signing.credentials import Credential
    from vanthu.signing.models import RemoteSigningRequest


class SigningRefused(ActionRefused):
    """Signing could not be done; the message says why, in the person's language."""


@dataclass(frozen=True)
class SignatureBlock:
    """The signature block of Decree 30 Phụ lục I, as printed around the signer's image.

    competence: 'KT. TƯ LỆNH' (or 'TƯ LỆNH' when signing directly); title: 'PHÓ TƯ LỆNH' (empty when signing
    directly); name_line: 'Thiếu tướng Nguyễn Văn An'.
    """

    competence: str
    title: str
    name_line: str


@dataclass(frozen=True)
class CredentialInfo:
    """What a person or unit can sign with now."""

    available: bool
    backend: str  # "software", "pkcs11", "remote", or "" when none
    needs_secret: bool  # a PIN or passphrase must be entered at each signing
    subject: str = ""
    not_after: dt.datetime | None = None
    problem: str = ""  # why not available, translated


@dataclass(frozen=True)
class SignatureReport:
    signer: str
    intact: bool
    trusted: bool
    revoked: bool
    timestamp: dt.datetime | None
    signing_time: dt.datetime | None
    modified_after: str  # "none", "form_filling", "annotations", "other"
    level: str  # "B-B", "B-T", "B-LT", "B-LTA"
    kind: str  # "personal", "organisation", "timestamp", "unknown"
    valid: bool
    problems: list[str] = field(default_factory=list)  # translated reasons when not valid


@dataclass(frozen=True)
class ValidationResult:
    valid: bool  # every signature valid (and at least one signature)
    signatures: list[SignatureReport]
    readable: bool = True
    problem: str = ""  # translated: unreadable, unsigned…


def credential_for_person(person: Person) -> CredentialInfo:
    from vanthu.signing import backends

    return backends.credential_info(owner=person)


def credential_for_unit(unit: Unit) -> CredentialInfo:
    from vanthu.signing import backends

    return backends.credential_info(owner=unit)


def sign_personal(
    *, pdf: bytes, person: Person, block: SignatureBlock, secret: str | None, reason: str = ""
) -> bytes:
    """The authorised person's PAdES signature with the Decree 30 appearance (blue signature image between
    the position line and the name), adding empty form fields where the number and date will be filled at
    issuance. The result's first len(pdf) bytes are `pdf` unchanged (what was approved is what is signed).
    """
    from vanthu.signing import pades

    return pades.sign_personal(pdf=pdf, person=person, block=block, secret=secret, reason=reason)


def seal_issued(*, pdf: bytes, unit: Unit, number_text: str, date_text: str, secret: str | None) -> bytes:
    """Fill the number and date fields (a permitted change after the personal signature), then apply the
    unit's organisation signature: red seal image overlapping a third of the signer's image on its left,
    signing time ISO 8601 +07:00. Refuses a PDF without a valid personal signature."""
    from vanthu.signing import pades

    return pades.seal_issued(pdf=pdf, unit=unit, number_text=number_text, date_text=date_text, secret=secret)


def seal_text_only(*, pdf: bytes, unit: Unit, lines: list[str], secret: str | None) -> bytes:
    """Organisation signature on an attachment or an electronic copy (SAO Y, SAO LỤC, TRÍCH SAO): text only,
    top right of page 1, Times New Roman 10 black, with the signing time in ISO 8601 +07:00."""
    from vanthu.signing import pades

    return pades.seal_text_only(pdf=pdf, unit=unit, lines=lines, secret=secret)


def validate(pdf: bytes) -> ValidationResult:
    """Integrity, chain to the trust store, revocation, timestamp and modification analysis."""
    from vanthu.signing import validation

    return validation.validate_pdf(pdf)


def record_validation(file: StoredFile) -> ValidationResult:
    """Validate a stored file and keep the result with it (shown on every document using the file)."""
    from vanthu.signing import validation

    return validation.validate_and_store(file)


def stored_validation(file: StoredFile) -> ValidationResult | None:
    """The last stored validation of a file (None when it was never validated)."""
    from vanthu.signing import validation

    return validation.stored_result(file)


def begin_remote_personal(
    *, pdf: bytes, person: Person, block: SignatureBlock, acting: Person | None, reason: str = ""
) -> RemoteSigningRequest:
    """Remote signing, step 1: prepare the personal signature and record the digest the person's remote
    signing service must sign (CSC signHash style). The PDF is finished by `finish_remote`."""
    from vanthu.signing import pades

    return pades.begin_remote_personal(pdf=pdf, person=person, block=block, acting=acting, reason=reason)


def finish_remote(*, request: RemoteSigningRequest, signature: bytes, acting: Person | None) -> bytes:
    """Remote signing, step 2: accept the signature value (checked against the certificate) and return the
    signed PDF."""
    from vanthu.signing import actions, pades

    completed = actions.complete_remote_signing(request=request, signature=signature, acting=acting)
    return pades.finish_remote(completed)



class UnitSeal:
    """A unit's organisation key, unlocked once for one issuance: the number-and-date seal of the main file
    and the text-only seal of each attachment (see `unit_seal`)."""

    def __init__(self, unit: Unit, credential: Credential) -> None:
        self.unit = unit
        self.credential = credential

    def seal_issued(self, *, pdf: bytes, number_text: str, date_text: str) -> bytes:
        """As `seal_issued`, with the key already unlocked."""
        from vanthu.signing import pades

        return pades.seal_issued_with(pdf, credential=self.credential, number_text=number_text, date_text=date_text,
                                      found_services=pades.services(), size_mm=pades._size_mm(self.unit))

    def seal_text_only(self, *, pdf: bytes, lines: list[str]) -> bytes:
        """As `seal_text_only`, with the key already unlocked."""
        from vanthu.signing import pades

        return pades.seal_text_only_with(pdf, credential=self.credential, lines=lines)


@contextmanager
def unit_seal(*, unit: Unit, secret: str | None) -> Iterator[UnitSeal]:
    """Unlock the unit's organisation key (refusing a missing or wrong PIN or passphrase, or an unusable
    certificate, at once: before the caller commits to anything) and close it at the end. Issuance opens it
    before it takes a number and seals with it outside any transaction."""
    from vanthu.signing import backends

    credential = backends.open_credential(unit, secret=secret)
    try:
        yield UnitSeal(unit, credential)
    finally:
        credential.close()
