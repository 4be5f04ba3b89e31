"""The signing app's shared types: the refusal and the plain values that cross between its modules.

Every module of `signing` imports these from here (never from `service.py`, which sits above them all), so
the modules around `service.py` form no circle. `service.py` re-exports them for the rest of vanthu.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from vanthu.core.errors import ActionRefused

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")  # the PAdES baseline levels, lowest first


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
    # the SHA-256 (hex) of each signature's certificate, in the order of `signatures` ("" when unknown): kept
    # with a stored verdict, so that a later use of it can ask whether a signer was revoked since (verdicts.py)
    fingerprints: list[str] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class Registered:
    """What the register says of an issued document, for the check of its number and date fields
    (registration.py): the number line as the seal writes it ("Số: 12/QĐ-BTL") and the date of issue (None:
    not known, not compared)."""

    number_text: str
    issued: dt.date | None
