"""Validation of signed PDFs: what vanthu checks on every PDF that enters or leaves it.

For each signature (pyHanko's validator): integrity (the signed byte ranges hash to the signed digest),
the cryptographic signature, the chain to the trust store, revocation, the RFC 3161 timestamp, and the
difference analysis of everything written after it (pyHanko's default diff policy: filling form fields and
adding signatures are FORM_FILLING; anything else is ANNOTATIONS or OTHER). A signature is valid when it is
intact, cryptographically sound, trusted, not revoked, its timestamp (if any) is valid, and nothing beyond
FORM_FILLING happened after it (reference/signing.md §5: treat modification above FORM_FILLING as a reject).

vanthu's own number and date fields are checked after pyHanko's analysis, which calls any new value and
appearance "form filling": each must show its value, and hold the registered number and date when the caller
gives them (registration.py, decision 0036); what is wrong makes the last signature, the seal, not valid.

Trust and revocation:
- without `trust_roots`: the deployment's trust store (trust.py). Certificates issued by vanthu's own CA are
  checked for revocation in vanthu's own records (the Certificate table; fast, no network, always current);
  revocation data embedded in the PDF (the DSS of a B-LT/B-LTA signature) is used for the others, and OCSP/CRL
  are fetched over the network only with `allow_fetching=True` (soft-fail: an unreachable responder leaves
  revocation "not checked", it does not fail the signature);
- with `trust_roots` (the CLI's --trust): only those roots; the database is not needed.

Kind of signature: "personal" or "organisation" from vanthu's Certificate table (a person's or a unit's
certificate), "timestamp" for a document timestamp, "unknown" for certificates vanthu does not know.
Level: B-B (no timestamp), B-T (signature timestamp, or a later document timestamp), B-LT (and validation data in a
DSS written after it), B-LTA (and a document timestamp after that); see long_term.level_for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from django.db import DatabaseError
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from vanthu.signing import fields, long_term, registration, speedups
from vanthu.signing.pdferrors import UNREADABLE_ERRORS
from vanthu.signing.types import Registered, SignatureReport, ValidationResult

speedups.install()

if TYPE_CHECKING:
    from vanthu.core.models import StoredFile

# UNREADABLE_ERRORS (pdferrors.py): what pyHanko raises on a damaged or hostile file
VALIDATION_ERRORS: tuple[type[Exception], ...] = (SignatureValidationError, *UNREADABLE_ERRORS)

MODIFICATION_NAMES = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "none",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}
ALLOWED_AFTER = ("none", "form_filling")


@dataclasses.dataclass(frozen=True)
class OwnRecord:
    """What vanthu's Certificate table says about a certificate."""

    kind: str  # "personal" or "organisation"
    revoked_at: dt.datetime | None


def _own_records(certificates: Iterable[asn1_x509.Certificate]) -> dict[str, OwnRecord]:
    """Certificate rows by SHA-256 fingerprint (hex); empty when there is no database to ask."""
    fingerprints = {c.sha256.hex() for c in certificates}
    if not fingerprints:
        return {}
    try:
        from vanthu.signing.models import Certificate, CertStatus

        rows = Certificate.objects.filter(fingerprint__in=fingerprints).values_list(
            "fingerprint", "person_id", "unit_id", "status", "revoked_at")
        return {
            fp: OwnRecord(kind="personal" if person else "organisation" if unit else "unknown",
                          revoked_at=(revoked_at or dt.datetime.now(dt.UTC)) if status == CertStatus.REVOKED else None)
            for fp, person, unit, status, revoked_at in rows
        }
    except DatabaseError:
        return {}


def own_revocation(certificate: asn1_x509.Certificate) -> dt.datetime | None:
    """When vanthu revoked this certificate (None: not revoked, or not one of vanthu's)."""
    record = _own_records([certificate]).get(certificate.sha256.hex())
    return record.revoked_at if record is not None else None


def _context(reader: PdfFileReader, trust_roots: list[asn1_x509.Certificate] | None,
             allow_fetching: bool, crls: list[bytes] | None = None) -> ValidationContext:
    """The validation context: the given roots or the deployment's trust store, the given CRLs, plus what the
    PDF's DSS carries (certificates, OCSP responses, CRLs of B-LT/B-LTA signatures). Fetching goes through the
    thread's one aiohttp session (runtime.py), closed with it: no session is left for the garbage collector."""
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    from vanthu.signing.runtime import runtime

    kwargs: dict[str, Any]
    if trust_roots is not None:
        kwargs = {"trust_roots": trust_roots, "other_certs": [], "allow_fetching": allow_fetching,
                  "revocation_mode": "soft-fail", "crls": list(crls or [])}
    else:
        from vanthu.signing import trust

        kwargs = trust.validation_context_kwargs(allow_fetching=allow_fetching, revocation_mode="soft-fail",
                                                 crls=crls)
    if allow_fetching and kwargs.get("fetcher_backend") is None:
        kwargs["fetcher_backend"] = AIOHttpFetcherBackend(session=runtime().session())
    kwargs["trust_roots"] = [speedups.intern_certificate(c) for c in kwargs["trust_roots"]]
    kwargs["other_certs"] = [speedups.intern_certificate(c) for c in kwargs.get("other_certs") or ()]
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (NoDSSFoundError, KeyError, ValueError, PdfError):
        return ValidationContext(**kwargs)
    return dss.as_validation_context(kwargs)


def _common_name(certificate: asn1_x509.Certificate | None) -> str:
    if certificate is None:
        return ""
    names = certificate.subject.native
    return str(names.get("common_name") or certificate.subject.human_friendly)


def _modification(status: Any) -> str:
    level = status.modification_level
    if level is None:
        return "other" if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE,
                                                  SignatureCoverageLevel.ENTIRE_REVISION) else "none"
    return MODIFICATION_NAMES.get(level, "other")


def _problems(*, intact: bool, crypto_ok: bool, trusted: bool, revoked: bool, modified: str, docmdp_ok: bool,
              timestamp_ok: bool, coverage_ok: bool, expired: bool) -> list[str]:
    problems: list[str] = []
    if not intact:
        problems.append(_("Nội dung được ký đã bị thay đổi (mã băm không khớp): văn bản không còn nguyên vẹn."))
    elif not crypto_ok:
        problems.append(_("Giá trị chữ ký không đúng với chứng thư số của người ký."))
    if not coverage_ok:
        problems.append(_("Chữ ký không bao trùm toàn bộ phiên bản văn bản đã ký."))
    if revoked:
        problems.append(_("Chứng thư số của người ký đã bị thu hồi."))
    elif expired:
        problems.append(_("Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra."))
    elif not trusted and intact and crypto_ok:
        problems.append(_("Chứng thư số không được cấp bởi tổ chức cung cấp dịch vụ chứng thực tin cậy "
                          "(không xây dựng được chuỗi tin cậy đến CA gốc)."))
    if modified == "annotations":
        problems.append(_("Văn bản đã bị thêm chú thích (ghi chú, đánh dấu) sau khi ký."))
    elif modified == "other":
        problems.append(_("Văn bản đã bị sửa đổi sau khi ký theo cách không được phép (ngoài việc điền số, ngày "
                          "và ký tiếp)."))
    elif not docmdp_ok:
        problems.append(_("Văn bản đã bị thay đổi trái với quyền mà chữ ký chứng thực cho phép."))
    if not timestamp_ok:
        problems.append(_("Dấu thời gian của chữ ký không hợp lệ."))
    return problems


def _expired(status: Any) -> bool:
    indic = status.trust_problem_indic
    return (indic is not None and "EXPIRED" in str(indic).upper()) or "NOT_YET_VALID" in str(indic).upper()


async def _validate_one(sig: EmbeddedPdfSignature, context: ValidationContext, records: dict[str, OwnRecord], *,
                        level: str, proof: dt.datetime | None, skip_diff: bool) -> SignatureReport:
    """One signature's report. `proof`: the time of the first valid document time-stamp after it (its time
    when it has no signature time-stamp of its own)."""
    if sig.sig_object_type == "/DocTimeStamp":
        ts_status = await async_validate_pdf_timestamp(sig, validation_context=context, diff_policy=DEFAULT_DIFF_POLICY)
        modified = _modification(ts_status) if not skip_diff else "none"
        trusted = bool(ts_status.trusted)
        problems = _problems(intact=ts_status.intact, crypto_ok=ts_status.valid, trusted=trusted, revoked=False,
                             modified=modified, docmdp_ok=True, timestamp_ok=True, coverage_ok=True,
                             expired=_expired(ts_status))
        return SignatureReport(
            signer=_common_name(ts_status.signing_cert), intact=ts_status.intact, trusted=trusted, revoked=False,
            timestamp=ts_status.timestamp, signing_time=ts_status.timestamp, modified_after=modified, level="B-LTA",
            kind="timestamp", valid=not problems, problems=problems,
        )
    status = await async_validate_pdf_signature(
        sig, signer_validation_context=context, ts_validation_context=context, diff_policy=DEFAULT_DIFF_POLICY,
        skip_diff=skip_diff,
    )
    record = records.get(sig.signer_cert.sha256.hex()) if sig.signer_cert is not None else None
    ts = status.timestamp_validity
    timestamp_time = ts.timestamp if ts is not None else proof
    revoked = status.revoked
    if record is not None and record.revoked_at is not None:
        revoked = revoked or timestamp_time is None or record.revoked_at <= timestamp_time
    trusted = bool(status.trusted) or (revoked and status.validation_path is not None)
    modified = "none" if skip_diff else _modification(status)
    coverage_ok = status.coverage in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
    timestamp_ok = ts is None or bool(ts.intact and ts.valid and ts.trusted)
    docmdp_ok = skip_diff or status.docmdp_ok is not False
    problems = _problems(intact=status.intact, crypto_ok=status.valid, trusted=trusted and not revoked,
                         revoked=revoked, modified=modified, docmdp_ok=docmdp_ok, timestamp_ok=timestamp_ok,
                         coverage_ok=coverage_ok, expired=_expired(status))
    return SignatureReport(
        signer=_common_name(status.signing_cert), intact=bool(status.intact and status.valid), trusted=trusted,
        revoked=revoked, timestamp=timestamp_time, signing_time=status.signer_reported_dt,
        modified_after=modified, level=level,
        kind=record.kind if record is not None else "unknown", valid=not problems, problems=problems,
    )


async def _validate_all(reader: PdfFileReader, context: ValidationContext, records: dict[str, OwnRecord],
                        skip_diff: bool) -> list[SignatureReport]:
    signatures = list(reader.embedded_signatures)
    dss = long_term.dss_revisions(reader) if any(s.sig_object_type == "/Sig" for s in signatures) else []
    stamps = {}  # the document time-stamps first: a valid one later than a signature gives it its time (B-T)
    for sig in signatures:
        if sig.sig_object_type == "/DocTimeStamp":
            stamps[sig.signed_revision] = await _validate_one(sig, context, records, level="B-LTA", proof=None,
                                                              skip_diff=skip_diff)
    valid_stamps = [revision for revision, report in stamps.items() if report.valid]
    reports = []
    for sig in signatures:
        revision = sig.signed_revision
        if sig.sig_object_type == "/DocTimeStamp":
            reports.append(stamps[revision])
            continue
        later = sorted(r for r in valid_stamps if r > revision)
        proof = stamps[later[0]].timestamp if later else None
        level = long_term.level_for(revision, signature_timestamp=long_term.has_signature_timestamp(sig), dss=dss,
                                    doc_ts=valid_stamps)
        reports.append(await _validate_one(sig, context, records, level=level, proof=proof, skip_diff=skip_diff))
    return _unsigned_filling(signatures, reports)


def _unsigned_filling(signatures: list[EmbeddedPdfSignature], reports: list[SignatureReport]) -> list[SignatureReport]:
    """Form filling after a signature is allowed when a later signature covers it (the seal over the number and
    date filled after the personal signature); after the last signature no one signed it — the number or date
    of an issued document changed afterwards — so the last signature's report says so and is not valid."""
    last = _last_signature(signatures)
    if last is None or reports[last].modified_after != "form_filling":
        return reports
    problem = _("Trường biểu mẫu (số, ngày…) đã bị điền hoặc sửa sau chữ ký cuối cùng: phần thay đổi này không "
                "được ai ký.")
    reports = list(reports)
    reports[last] = dataclasses.replace(reports[last], valid=False, problems=[*reports[last].problems, problem])
    return reports


def _last_signature(signatures: list[EmbeddedPdfSignature]) -> int | None:
    return max((i for i, s in enumerate(signatures) if s.sig_object_type == "/Sig"),
               key=lambda i: signatures[i].signed_revision, default=None)


def _fields_checked(reader: PdfFileReader, signatures: list[EmbeddedPdfSignature], reports: list[SignatureReport],
                    registered: Registered | None) -> list[SignatureReport]:
    """vanthu's number and date fields (registration.py): each must show its value, and, when the registered
    number and date are given, hold them. What is wrong makes the last signature — the seal that vouched for the
    filled fields — not valid, with the reasons (as _unsigned_filling does for a filling after it)."""
    found = registration.problems(fields.filled_fields(reader), registered)
    if not found or not reports:
        return reports
    last = _last_signature(signatures)
    index = last if last is not None else len(reports) - 1
    reports = list(reports)
    reports[index] = dataclasses.replace(reports[index], valid=False, problems=[*reports[index].problems, *found])
    return reports


def _unreadable(problem: str) -> ValidationResult:
    return ValidationResult(valid=False, signatures=[], readable=False, problem=problem)


def validate_pdf(pdf: bytes, *, trust_roots: list[asn1_x509.Certificate] | None = None,
                 allow_fetching: bool = False, skip_diff: bool = False,
                 crls: list[bytes] | None = None, registered: Registered | None = None) -> ValidationResult:
    """Validate every signature in `pdf` (see the module docstring). `crls`: revocation lists (DER) given by
    the caller, used beside what the PDF carries and, with `allow_fetching`, what is fetched. `registered`: the
    number and date the register gives the document, checked against its number and date fields
    (registration.py; the fields are checked against their appearance in any case)."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        return _unreadable(_("Tệp không phải PDF hoặc bị hỏng, không đọc được."))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except UNREADABLE_ERRORS:
        return _unreadable(_("Tệp PDF bị hỏng, không đọc được."))
    return validate_reader(reader, trust_roots=trust_roots, allow_fetching=allow_fetching, skip_diff=skip_diff,
                           crls=crls, registered=registered)


def validate_reader(reader: PdfFileReader, *, trust_roots: list[asn1_x509.Certificate] | None = None,
                    allow_fetching: bool = False, skip_diff: bool = False,
                    crls: list[bytes] | None = None, registered: Registered | None = None) -> ValidationResult:
    """validate_pdf over a PDF already opened (the signer's writer reads it too: parsed once)."""
    from vanthu.signing.runtime import runtime

    try:
        if reader.encrypted or reader.security_handler is not None:
            return _unreadable(_("Tệp PDF đã được mã hóa (đặt mật khẩu), không kiểm tra được chữ ký."))
        signatures = list(reader.embedded_signatures)
    except UNREADABLE_ERRORS:
        return _unreadable(_("Tệp PDF bị hỏng, không đọc được."))
    if not signatures:
        return ValidationResult(valid=False, signatures=[], readable=True,
                                problem=_("Tệp PDF không có chữ ký số."))
    try:
        certificates = [s.signer_cert for s in signatures if s.signer_cert is not None]
    except (ValueError, KeyError, TypeError) as exc:
        return _unreadable(_("Chữ ký số trong tệp PDF bị hỏng: %(reason)s") % {"reason": str(exc)})
    records = {} if trust_roots is not None else _own_records(certificates)
    context = _context(reader, trust_roots, allow_fetching, crls)
    try:
        reports = runtime().run(_validate_all(reader, context, records, skip_diff))
        reports = _fields_checked(reader, signatures, reports, registered)
    except VALIDATION_ERRORS as exc:
        return _unreadable(_("Không kiểm tra được chữ ký số trong tệp PDF: %(reason)s") % {"reason": str(exc)})
    fingerprints = [s.signer_cert.sha256.hex() if s.signer_cert is not None else "" for s in signatures]
    return ValidationResult(valid=all(r.valid for r in reports), signatures=reports,
                            fingerprints=fingerprints if len(fingerprints) == len(reports) else [])


def has_valid_personal_signature(pdf: bytes | PdfFileReader, *,
                                 trust_roots: list[asn1_x509.Certificate] | None = None) -> bool:
    """A quick check before the organisation signature: some signature other than an organisation's or a
    timestamp is intact, sound, trusted and not revoked (the full diff analysis is left to validate_pdf)."""
    if isinstance(pdf, PdfFileReader):
        result = validate_reader(pdf, trust_roots=trust_roots, skip_diff=True)
    else:
        result = validate_pdf(pdf, trust_roots=trust_roots, skip_diff=True)
    return result.readable and any(s.valid and s.kind not in ("organisation", "timestamp") for s in result.signatures)


# --- storing and showing ---------------------------------------------------------------------------------


def report_dict(result: ValidationResult) -> dict[str, Any]:
    """The result as JSON-safe data (FileValidation.report)."""
    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "valid": result.valid, "readable": result.readable, "problem": result.problem,
        "signatures": [
            {**dataclasses.asdict(s), "timestamp": when(s.timestamp), "signing_time": when(s.signing_time)}
            for s in result.signatures
        ],
    }


def result_from_report(report: dict[str, Any]) -> ValidationResult:
    """FileValidation.report back into a ValidationResult (for the page and the template partial)."""
    def when(value: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(value) if value else None

    fields = {f.name for f in dataclasses.fields(SignatureReport)}
    signatures = [
        SignatureReport(**{**{k: v for k, v in item.items() if k in fields},
                           "timestamp": when(item.get("timestamp")), "signing_time": when(item.get("signing_time"))})
        for item in report.get("signatures", [])
    ]
    return ValidationResult(valid=bool(report.get("valid")), signatures=signatures,
                            readable=bool(report.get("readable", True)), problem=str(report.get("problem", "")))


def validate_and_store(file: StoredFile, *, registered: Registered | None = None) -> ValidationResult:
    """Validate a stored file and keep the result with it (one FileValidation row per file, replaced);
    `registered`: as for validate_pdf (the check after issuance passes the document's)."""
    from django.utils import timezone

    from vanthu.signing import trust
    from vanthu.signing.models import FileValidation

    judged_under = trust.version()  # read first: a store changed meanwhile only makes the verdict look older
    result = validate_pdf(file.read_bytes(), registered=registered)
    report = {**report_dict(result), "trust": judged_under, "fingerprints": result.fingerprints}
    FileValidation.objects.update_or_create(
        file=file,
        defaults={"validated_at": timezone.now(), "valid": result.valid, "readable": result.readable,
                  "problem": result.problem[:500], "report": report},
    )
    return result


def stored_result(file: StoredFile) -> ValidationResult | None:
    """The last stored validation of `file`, or None when it was never validated."""
    from vanthu.signing.models import FileValidation

    row = FileValidation.objects.filter(file=file).first()
    if row is None:
        return None
    return result_from_report(row.report)
