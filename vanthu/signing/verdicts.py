"""A stored verdict on a personal signature, used again when it is fresh (issuance's re-check before the seal).

The validation job stores the full verdict of every signed file (`validation.validate_and_store`: integrity,
chain to the trust store, vanthu's own revocations, time-stamp, what changed after each signature), with the
version of the trust store it was judged under and the fingerprint of each signer's certificate. Sealing a
file re-checks its personal signature at sealing time; that verdict stands for the re-check when, and only
when, all of these hold (else the full check runs, as before):

- it is the verdict of exactly these bytes (the stored file's SHA-256 is the sealed PDF's);
- it is younger than VANTHU_SIGNATURE_VERDICT_SECONDS (default 600; 0: never used);
- the trust store has the version it was judged under (no CA or trusted anchor added, enabled or disabled);
- a personal signature was valid in it, and its certificate is not revoked in vanthu's records *now*.

What it trades: the check is made up to that many seconds before the seal instead of at the seal, for what
the three conditions do not cover — a certificate that expires in between (certificates last years; the bound
is minutes), and revocation data from outside vanthu, which the sealing check does not fetch either (it reads
only what the PDF carries, the same bytes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from vanthu.signing import trust
from vanthu.signing.models import Certificate, CertStatus, FileValidation


def personal_fingerprints(report: Any) -> list[str]:
    """The certificates of the valid personal signatures a stored report names ([] when it names none)."""
    if not isinstance(report, dict):
        return []
    signatures, fingerprints = report.get("signatures") or [], report.get("fingerprints") or []
    if len(signatures) != len(fingerprints):
        return []
    return [fp for item, fp in zip(signatures, fingerprints, strict=True)
            if isinstance(item, dict) and item.get("valid") and item.get("kind") == "personal" and fp]


def fresh_personal(sha256: str) -> bool:
    """Whether the stored verdict of the file `sha256` may stand for the check of its personal signature now
    (see the module docstring). False: check it in full."""
    bound = settings.SIGNATURE_VERDICT_SECONDS
    if bound <= 0:
        return False
    row = FileValidation.objects.filter(file_id=sha256).values_list("validated_at", "report").first()
    if row is None:
        return False
    validated_at, report = row
    age = timezone.now() - validated_at
    if not dt.timedelta(0) <= age <= dt.timedelta(seconds=bound):
        return False
    personal = personal_fingerprints(report)
    if not personal or report.get("trust") != trust.version():
        return False
    revoked = set(Certificate.objects.filter(fingerprint__in=personal, status=CertStatus.REVOKED)
                  .values_list("fingerprint", flat=True))
    return any(fp not in revoked for fp in personal)
