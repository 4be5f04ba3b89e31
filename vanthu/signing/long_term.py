"""Long-term signatures after the fact: bring the signatures of an issued PDF from the level it was sealed at
(B-B, or B-T with vanthu's built-in TSA) to the deployment's level (B-T, B-LT, B-LTA), with incremental updates
only — the file starts with the sealed bytes unchanged, so every earlier signature stays valid.

An adapter like pades.py: it takes PDF bytes and the `Services` of the level (a timestamper, a validation
context) and neither queries the database nor calls an action. The issuance job (`documents.jobs.enrich_issued`)
calls it outside any transaction or lock: this is where the TSA, the OCSP responders and the CRLs are asked.

What each level adds (ETSI EN 319 142-1 §5: the time of a signature may come from its signature time-stamp
or from a document time-stamp covering it; EU DSS extends B-B to B-T the same way):
- B-T:   a document time-stamp over the whole file, unless every signature already has a signature time-stamp;
- B-LT:  as B-T, then one DSS revision with the certificates, OCSP responses and CRLs of every signature
         (and of the time-stamps), fetched now;
- B-LTA: the DSS of every signature, then a document time-stamp, then the DSS of that time-stamp's TSA.
`level_of` reads the level a file has reached from its structure alone (no cryptography): a file already at
the level is returned unchanged, so running the enrichment twice has the effect of running it once.
`renew` adds a new archive time-stamp (with the validation data of the previous one) before the last TSA
certificate expires.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import cms
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import async_add_validation_info
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from vanthu.signing.runtime import runtime
from vanthu.signing.types import LEVELS, SigningRefused

ARCHIVE_FIELD = "vanthu_luu_tru"  # the document time-stamps' fields: vanthu_luu_tru, vanthu_luu_tru_2, …


def rank(level: str) -> int:
    return LEVELS.index(level)


def dss_revisions(reader: PdfFileReader) -> list[int]:
    """Revisions that wrote the document security store (its dictionary, or the catalog pointing at a new one)."""
    if "/DSS" not in reader.root:
        return []
    revisions = []
    for revision in range(reader.total_revisions):
        root = reader.get_historical_root(revision)
        if "/DSS" not in root:
            continue
        dss = root.raw_get("/DSS")
        written = reader.xrefs.explicit_refs_in_revision(revision)
        changed = dss.reference if isinstance(dss, generic.IndirectObject) else reader.root_ref
        if changed in written:
            revisions.append(revision)
    return revisions


def level_for(revision: int, *, signature_timestamp: bool, dss: list[int], doc_ts: list[int]) -> str:
    """The PAdES baseline level of the signature signed in `revision`: timed by its own signature time-stamp
    or a later document time-stamp (B-T), with validation data written after it (B-LT), and a document
    time-stamp after that validation data (B-LTA)."""
    if not signature_timestamp and not any(r > revision for r in doc_ts):
        return "B-B"
    later_dss = [r for r in dss if r >= revision]
    if not later_dss:
        return "B-T"
    return "B-LTA" if any(r > min(later_dss) for r in doc_ts) else "B-LT"


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise SigningRefused(_("Tệp PDF bị hỏng hoặc không đúng định dạng, không ký được."),
                             code="corrupt_pdf") from exc


def has_signature_timestamp(signature: EmbeddedPdfSignature) -> bool:
    attributes = signature.signer_info["unsigned_attrs"]
    if not isinstance(attributes, cms.CMSAttributes):
        return False
    return any(a["type"].native == "signature_time_stamp_token" for a in attributes)


def level_of(pdf: bytes) -> str:
    """The lowest level of the file's signatures (approval and seal signatures, not document time-stamps),
    read from its structure: "B-B" for an unsigned file too."""
    reader = _reader(pdf)
    signatures = list(reader.embedded_signatures)
    doc_ts = [s.signed_revision for s in signatures if s.sig_object_type == "/DocTimeStamp"]
    dss = dss_revisions(reader)
    levels = [
        level_for(s.signed_revision, signature_timestamp=has_signature_timestamp(s), dss=dss,
                  doc_ts=doc_ts)
        for s in signatures if s.sig_object_type == "/Sig"
    ]
    return min(levels, key=rank) if levels else "B-B"


@dataclass(frozen=True)
class Enriched:
    pdf: bytes
    level: str  # the level reached (level_of the result)
    changed: bool  # False: the file was at the level already, returned as it was
    archive_expires: dt.datetime | None  # the last archive time-stamp's TSA certificate ends then (B-LTA)


def _field_name(reader: PdfFileReader) -> str:
    taken = {s.field_name for s in reader.embedded_signatures}
    if ARCHIVE_FIELD not in taken:
        return ARCHIVE_FIELD
    n = 2
    while f"{ARCHIVE_FIELD}_{n}" in taken:
        n += 1
    return f"{ARCHIVE_FIELD}_{n}"


async def _document_timestamp(pdf: bytes, services: object, *, with_dss: bool) -> bytes:
    timestamper = getattr(services, "timestamper", None)
    if timestamper is None:
        raise SigningRefused(_("Không có dịch vụ cấp dấu thời gian để hoàn tất chữ ký."), code="no_tsa")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    stamper = signers.PdfTimeStamper(timestamper, field_name=_field_name(writer.prev))
    context = getattr(services, "validation_context", None) if with_dss else None
    output = await stamper.async_timestamp_pdf(
        writer, "sha256", validation_context=context, output=io.BytesIO(),
        dss_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=False),
        embed_roots=False,
    )
    return bytes(output.getvalue())


async def _add_dss(pdf: bytes, services: object) -> bytes:
    """One DSS update per signature that needs data not in the store yet (certificates, OCSP, CRLs)."""
    context = getattr(services, "validation_context", None)
    if context is None:
        raise _unreachable(ValueError("no validation context"))
    count = len(list(_reader(pdf).embedded_signatures))
    for index in range(count):
        reader = _reader(pdf)
        signature = list(reader.embedded_signatures)[index]
        output = await async_add_validation_info(signature, context, add_vri_entry=False, output=io.BytesIO(),
                                                 embed_roots=False)
        pdf = bytes(output.getvalue())
    return pdf


def _archive_expiry(pdf: bytes) -> dt.datetime | None:
    reader = _reader(pdf)
    stamps = [s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    if not stamps:
        return None
    certificate = stamps[-1].signer_cert
    return certificate["tbs_certificate"]["validity"]["not_after"].native if certificate is not None else None


async def _enrich(pdf: bytes, target: str, services: object) -> bytes:
    have = level_of(pdf)
    if rank(have) >= rank(target):
        return pdf
    if target == "B-T":
        return await _document_timestamp(pdf, services, with_dss=False)
    if target == "B-LT":
        if have == "B-B":
            pdf = await _document_timestamp(pdf, services, with_dss=False)
        return await _add_dss(pdf, services)
    # B-LTA: the validation data of every signature, covered by an archive time-stamp, and that time-stamp's.
    if rank(have) < rank("B-LT"):
        pdf = await _add_dss(pdf, services)
    return await _document_timestamp(pdf, services, with_dss=True)


def _unreachable(exc: BaseException) -> SigningRefused:
    if isinstance(exc, TimestampRequestError):
        return SigningRefused(_("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA): %(reason)s")
                              % {"reason": str(exc)[:300]}, code="tsa_unreachable")
    return SigningRefused(_("Không lấy được dữ liệu kiểm tra chứng thư số (OCSP/CRL): %(reason)s")
                          % {"reason": f"{type(exc).__name__}: {exc}"[:300]}, code="revinfo_unreachable")


def _run(coro: object) -> bytes:
    try:
        return runtime().run(coro)  # type: ignore[arg-type]
    except SigningRefused:
        raise
    except (TimestampRequestError, PathBuildingError, PathValidationError, SigningError, OSError,
            TimeoutError) as exc:
        raise _unreachable(exc) from exc


def enrich(pdf: bytes, *, target: str, services: object) -> Enriched:
    """`pdf` brought to `target` (see the module's text) with the TSA and the validation context of
    `services` (pades_engine.Services of `target`). Raises SigningRefused (code tsa_unreachable or
    revinfo_unreachable) when a service does not answer: nothing is returned half done."""
    if target not in LEVELS:
        raise SigningRefused(_("Cấu hình mức chữ ký PAdES “%(level)s” không hợp lệ (B-B, B-T, B-LT, B-LTA).")
                             % {"level": target}, code="bad_level")
    result = _run(_enrich(pdf, target, services))
    return Enriched(pdf=result, level=level_of(result), changed=result != pdf,
                    archive_expires=_archive_expiry(result) if target == "B-LTA" else None)


async def _renew(pdf: bytes, services: object) -> bytes:
    pdf = await _add_dss(pdf, services)  # the validation data of the previous archive time-stamp, now
    return await _document_timestamp(pdf, services, with_dss=True)


def renew(pdf: bytes, *, services: object) -> Enriched:
    """A B-LTA file's next archive time-stamp (before the last one's TSA certificate expires)."""
    result = _run(_renew(pdf, services))
    return Enriched(pdf=result, level=level_of(result), changed=True, archive_expires=_archive_expiry(result))


__all__ = ["LEVELS", "Enriched", "dss_revisions", "enrich", "level_for", "level_of", "rank", "renew"]
