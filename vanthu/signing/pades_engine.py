"""Signing one PAdES signature for the adapter (pades.py, which decides what it looks like and where it goes):
the level and its services, the CMS container, the reserved size, the timestamp, and what can go wrong outside
vanthu turned into SigningRefused. An adapter like pades.py: no database, no action.

Levels (settings.PADES_LEVEL, default B-LT when a TSA is configured, else B-B): B-B; B-T adds an RFC 3161
token over the signature value (tsa_stamper.timestamper()); B-LT also embeds the certificates, OCSP responses and
CRLs in the DSS; B-LTA adds a document timestamp after the DSS.

Speed (reference/signing.md §0): the CMS container is written as DER by cms_der.py (no asn1crypto object
building), `/Contents` is reserved at the exact size (no dry-run signature; the retry covers a timestamp
token larger than expected, pyHanko #515), the signer's parsed key is kept by the back-end (backends.py,
CachedKeySigner), images are decoded and font subsets built once per process (appearance.py), and every
signing runs on one event loop per thread with one shared aiohttp session (`runtime.runtime()`), so timestamp and
OCSP/CRL requests reuse connections. Call these functions from synchronous code (views, actions, tasks,
commands); async code must run them in a thread (`asgiref.sync.sync_to_async`), since a thread's loop cannot
be run inside another running loop. speedups.install() is called on import of pades_form.py: faster pyHanko
parsing, same results (see speedups.py).

Remote ("interrupted") signing — when the key is not here (`Credential.kind == "remote"`): pades.py's
`prepare_personal` / `prepare_issued` / `prepare_text_only` return a `PreparedSignature` (the document with
its placeholder, the byte-range digest, the CMS signed attributes and the sha256 the external signer must
sign: `to_sign`). It is plain data (`as_state()` / `from_state()`, JSON-safe plus the PDF bytes), meant to be
kept in `RemoteSigningRequest.prepared` (the PDF) and `.context` (the rest); `finish(prepared,
signature=…)` completes the PDF when the raw signature value comes back (PKCS#1 v1.5 for RSA, DER
ECDSA-Sig-Value for ECDSA). The B-T token and the B-LT DSS are added at `finish`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import ExternalSigner, Signer
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.signing import appearance, cms_der
from vanthu.signing.credentials import Credential, verify_raw_signature
from vanthu.signing.pades_form import open_writer, refuse_corrupt
from vanthu.signing.runtime import runtime
from vanthu.signing.types import SigningRefused

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


# --- levels, services, event loop ------------------------------------------------------------------------


def configured_level() -> str:
    """settings.PADES_LEVEL; by default B-LT with a TSA service, B-T with vanthu's built-in TSA (the embedded
    default: its OCSP/CRL responders are the server itself, not reachable while it signs its demo), else B-B."""
    level = (settings.PADES_LEVEL or "").strip().upper()
    if level:
        if level not in LEVELS:
            raise SigningRefused(_("Cấu hình mức chữ ký PAdES “%(level)s” không hợp lệ (B-B, B-T, B-LT, B-LTA).")
                                 % {"level": level}, code="bad_level")
        return level
    tsa = settings.TSA_URL.strip()
    if not tsa:
        return "B-B"
    return "B-T" if tsa == "builtin" else "B-LT"


@dataclass
class Services:
    """What a level needs from outside: a timestamper (B-T and up) and a validation context (B-LT and up)."""

    level: str
    timestamper: TimeStamper | None = None
    validation_context: ValidationContext | None = None


# --- signing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visible:
    """Where a signature goes and how it looks: page index, box, and a function drawing the canvas for a
    box of the given size and the signing time."""

    field_name: str
    page: int
    box: tuple[float, float, float, float]
    draw: Callable[[float, float, dt.datetime], appearance.Canvas]


def _signer_for(credential: Credential) -> Signer:
    if credential.signer is not None:
        return credential.signer
    registry = SimpleCertificateStore()
    registry.register_multiple([credential.certificate, *credential.chain])
    return ExternalSigner(signing_cert=credential.certificate, cert_registry=registry, signature_value=b"")


def _pieces(credential: Credential, signer: Signer) -> cms_der.SignerPieces:
    chain = [c for c in credential.chain if c.self_signed == "no"]
    return cms_der.signer_pieces(credential.certificate, chain, signer.get_signature_mechanism_for_digest("sha256"))


def _signature_length(certificate: asn1_x509.Certificate) -> int:
    key = certificate.public_key
    if key.algorithm == "rsa":
        return (key.bit_size + 7) // 8
    return 2 * ((key.bit_size + 7) // 8) + 9  # DER ECDSA-Sig-Value, at most


_token_sizes: dict[str, int] = {}


def _token_budget(timestamper: TimeStamper | None) -> int:
    if timestamper is None:
        return 0
    return _token_sizes.get(type(timestamper).__name__, 6000) + 64


def vietnam_now() -> dt.datetime:
    return dt.datetime.now(VIETNAM).replace(microsecond=0)


def iso_time(moment: dt.datetime) -> str:
    """'2026-11-27T15:04:05+07:00' — ISO 8601 in Vietnam time, as Decree 30 asks."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


class _TooSmall(Exception):
    def __init__(self, needed: int) -> None:
        super().__init__(needed)
        self.needed = needed


@dataclass
class PreparedSignature:
    """A document waiting for its signature value (see the module docstring: remote signing)."""

    pdf: bytes
    document_digest: bytes
    reserved_start: int
    reserved_end: int
    signed_attrs: bytes
    certificate: bytes
    chain: list[bytes]
    signature_algorithm: bytes
    level: str
    field_name: str
    signing_time: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def to_sign(self) -> bytes:
        """The sha256 digest the external signer signs (CSC signHash style)."""
        return hashlib.sha256(self.signed_attrs).digest()

    def as_state(self) -> tuple[bytes, dict[str, Any]]:
        """(PDF bytes, JSON-safe context) for RemoteSigningRequest.prepared / .context."""
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode("ascii")

        return self.pdf, {
            "document_digest": b64(self.document_digest), "reserved": [self.reserved_start, self.reserved_end],
            "signed_attrs": b64(self.signed_attrs), "certificate": b64(self.certificate),
            "chain": [b64(c) for c in self.chain], "signature_algorithm": b64(self.signature_algorithm),
            "level": self.level, "field_name": self.field_name, "signing_time": self.signing_time,
            "extra": self.extra,
        }

    @classmethod
    def from_state(cls, pdf: bytes, context: dict[str, Any]) -> PreparedSignature:
        def raw(text: str) -> bytes:
            return base64.b64decode(text)

        return cls(
            pdf=bytes(pdf), document_digest=raw(context["document_digest"]),
            reserved_start=int(context["reserved"][0]), reserved_end=int(context["reserved"][1]),
            signed_attrs=raw(context["signed_attrs"]), certificate=raw(context["certificate"]),
            chain=[raw(c) for c in context["chain"]], signature_algorithm=raw(context["signature_algorithm"]),
            level=context["level"], field_name=context["field_name"], signing_time=context["signing_time"],
            extra=dict(context.get("extra") or {}),
        )


@dataclass
class Job:
    """One signature to make: the input, what to change before signing (`modify`, applied to a writer over
    the input), the field, the level. `first` is the writer already opened (and read by placement), used by
    the first attempt; a retry opens a fresh one."""

    pdf: bytes
    modify: Callable[[IncrementalPdfFileWriter], None]
    credential: Credential
    visible: Visible
    services: Services
    reason: str = ""
    location: str = ""
    now: dt.datetime = field(default_factory=vietnam_now)
    first: IncrementalPdfFileWriter | None = None

    def writer(self) -> IncrementalPdfFileWriter:
        writer, self.first = self.first or open_writer(self.pdf), None
        self.modify(writer)
        return writer


def _metadata(job: Job) -> signers.PdfSignatureMetadata:
    level = job.services.level
    return signers.PdfSignatureMetadata(
        field_name=job.visible.field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=job.reason or None,
        location=job.location or None,
        name=job.credential.owner_label or None,
        embed_validation_info=level in ("B-LT", "B-LTA"),
        use_pades_lta=level == "B-LTA",
        validation_context=job.services.validation_context if level in ("B-LT", "B-LTA") else None,
    )


async def _prepare(job: Job, reserve: int) -> tuple[PreparedByteRangeDigest, PdfTBSDocument, io.BytesIO, Signer]:
    writer = job.writer()
    signer = _signer_for(job.credential)
    visible = job.visible
    style = appearance.CanvasStampStyle(make=lambda w, h: visible.draw(w, h, job.now))
    pdf_signer = signers.PdfSigner(
        _metadata(job), signer, timestamper=job.services.timestamper, stamp_style=style,
        new_field_spec=SigFieldSpec(visible.field_name, on_page=visible.page,
                                    box=tuple(round(v, 2) for v in visible.box)),  # type: ignore[arg-type]
    )
    session = pdf_signer.init_signing_session(writer)
    session.system_time = job.now
    validation_info = await session.perform_presign_validation(writer)
    tbs = session.prepare_tbs_document(validation_info=validation_info, bytes_reserved=reserve)
    prepared, output = tbs.digest_tbs_document()
    assert isinstance(output, io.BytesIO)
    return prepared, tbs, output, signer


def _reserve(job: Job, pieces: cms_der.SignerPieces) -> int:
    size = cms_der.size_without_timestamp(pieces, _signature_length(job.credential.certificate))
    return 2 * (size + _token_budget(job.services.timestamper)) + 32


async def _timestamp(timestamper: TimeStamper, signature: bytes) -> bytes:
    token = await timestamper.async_timestamp(hashlib.sha256(signature).digest(), "sha256")
    der = token.dump()
    _token_sizes[type(timestamper).__name__] = max(len(der), _token_sizes.get(type(timestamper).__name__, 0))
    return der


async def _sign_once(job: Job, reserve: int) -> bytes:
    prepared, tbs, output, signer = await _prepare(job, reserve)
    pieces = _pieces(job.credential, signer)
    signed_attrs = cms_der.signed_attributes(pieces, prepared.document_digest)
    signature = await signer.async_sign_raw(signed_attrs, "sha256")
    unsigned = None
    if job.services.timestamper is not None:
        unsigned = cms_der.signature_timestamp_attributes(await _timestamp(job.services.timestamper, signature))
    container = cms_der.content_info(pieces, signed_attrs=signed_attrs, signature=signature, unsigned_attrs=unsigned)
    if 2 * len(container) > prepared.reserved_region_end - prepared.reserved_region_start - 2:
        raise _TooSmall(2 * len(container) + 2048)
    await PdfTBSDocument.async_finish_signing(
        output, prepared, container, post_sign_instr=tbs.post_sign_instructions,
        validation_context=tbs.validation_context,
    )
    return output.getvalue()


async def _sign_async(job: Job) -> bytes:
    signer = _signer_for(job.credential)
    reserve = _reserve(job, _pieces(job.credential, signer))
    try:
        return await _sign_once(job, reserve)
    except _TooSmall as exc:
        return await _sign_once(job, exc.needed)


def run_signing(job: Job) -> bytes:
    """Sign, translating what can go wrong outside vanthu into SigningRefused (nothing half-done: the input
    bytes are never modified, and nothing is returned on failure)."""
    try:
        return runtime().run(_sign_async(job))
    except SigningRefused:
        raise
    except TimestampRequestError as exc:
        raise SigningRefused(_("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA). Chưa ký; hãy "
                               "thử lại sau hoặc báo quản trị."), code="tsa_unreachable") from exc
    except SigningError as exc:
        text = str(exc)
        if "could not be validated" in text:
            raise SigningRefused(_("Không kiểm tra được tình trạng chứng thư số (máy chủ OCSP/CRL không phản hồi "
                                   "hoặc chứng thư không hợp lệ). Chưa ký."), code="revinfo_unreachable") from exc
        if "forbids all changes" in text:
            raise SigningRefused(_("Tệp PDF đã được chứng thực bằng chữ ký số không cho phép bất kỳ thay đổi "
                                   "nào, không thể ký thêm."), code="certified_no_changes") from exc
        raise SigningRefused(_("Không ký được tệp PDF: %(reason)s") % {"reason": text}, code="signing_failed") from exc
    except (OSError, TimeoutError) as exc:
        raise SigningRefused(_("Không kết nối được dịch vụ ký số (TSA/OCSP/CRL). Chưa ký; hãy thử lại sau."),
                             code="service_unreachable") from exc
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise refuse_corrupt() from exc


# --- remote ("interrupted") signing ----------------------------------------------------------------------


async def _prepare_remote(job: Job) -> PreparedSignature:
    signer = _signer_for(job.credential)
    pieces = _pieces(job.credential, signer)
    reserve = _reserve(job, pieces)
    prepared, _tbs, output, _signer = await _prepare(job, reserve)
    return PreparedSignature(
        pdf=output.getvalue(), document_digest=prepared.document_digest,
        reserved_start=prepared.reserved_region_start, reserved_end=prepared.reserved_region_end,
        signed_attrs=cms_der.signed_attributes(pieces, prepared.document_digest),
        certificate=job.credential.certificate.dump(), chain=[c.dump() for c in job.credential.chain],
        signature_algorithm=pieces.signature_algorithm, level=job.services.level,
        field_name=job.visible.field_name, signing_time=iso_time(job.now),
    )


def prepare_job(job: Job) -> PreparedSignature:
    if job.services.level == "B-LTA":
        raise SigningRefused(_("Ký từ xa chưa hỗ trợ mức B-LTA; hãy cấu hình B-LT hoặc thấp hơn."),
                             code="remote_level")
    try:
        return runtime().run(_prepare_remote(job))
    except SigningRefused:
        raise
    except SigningError as exc:
        raise SigningRefused(_("Không chuẩn bị được tệp PDF để ký: %(reason)s") % {"reason": str(exc)},
                             code="signing_failed") from exc


async def _finish_async(prepared: PreparedSignature, signature: bytes, found: Services) -> bytes:
    certificate = asn1_x509.Certificate.load(prepared.certificate)
    chain = [asn1_x509.Certificate.load(c) for c in prepared.chain]
    pieces = cms_der.signer_pieces(certificate, [c for c in chain if c.self_signed == "no"],
                                   _algorithm(prepared.signature_algorithm))
    unsigned = None
    if prepared.level != "B-B":
        if found.timestamper is None:
            raise SigningRefused(_("Không có dịch vụ cấp dấu thời gian để hoàn tất chữ ký."), code="no_tsa")
        unsigned = cms_der.signature_timestamp_attributes(await _timestamp(found.timestamper, signature))
    container = cms_der.content_info(pieces, signed_attrs=prepared.signed_attrs, signature=signature,
                                     unsigned_attrs=unsigned)
    if 2 * len(container) > prepared.reserved_end - prepared.reserved_start - 2:
        raise SigningRefused(_("Chữ ký trả về lớn hơn chỗ dành sẵn trong tệp PDF; hãy ký lại."), code="too_large")
    output = io.BytesIO(prepared.pdf)
    digest = PreparedByteRangeDigest(document_digest=prepared.document_digest,
                                     reserved_region_start=prepared.reserved_start,
                                     reserved_region_end=prepared.reserved_end)
    digest.fill_with_cms(output, container)
    if prepared.level in ("B-LT", "B-LTA") and found.validation_context is not None:
        from pyhanko.sign.validation import DocumentSecurityStore
        from pyhanko_certvalidator import CertificateValidator

        validator = CertificateValidator(certificate, intermediate_certs=chain,
                                         validation_context=found.validation_context)
        path = await validator.async_validate_usage(set())
        DocumentSecurityStore.add_dss(output_stream=output, sig_contents=None, paths=[path],
                                      validation_context=found.validation_context)
    return output.getvalue()


def _algorithm(der: bytes) -> Any:
    from asn1crypto import algos

    return algos.SignedDigestAlgorithm.load(der)


def finish(prepared: PreparedSignature, *, signature: bytes, found_services: Services) -> bytes:
    """Step 2 of remote signing: embed the external signature value (checked against the certificate)."""
    if not verify_raw_signature(x509.load_der_x509_certificate(prepared.certificate), digest=prepared.to_sign,
                                signature=signature):
        raise SigningRefused(_("Giá trị chữ ký trả về không khớp với chứng thư số; chưa ký."), code="bad_signature")
    found = found_services
    try:
        return runtime().run(_finish_async(prepared, signature, found))
    except SigningRefused:
        raise
    except TimestampRequestError as exc:
        raise SigningRefused(_("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA). Chưa ký; hãy "
                               "thử lại sau hoặc báo quản trị."), code="tsa_unreachable") from exc
    except (SigningError, OSError) as exc:
        raise SigningRefused(_("Không hoàn tất được chữ ký: %(reason)s") % {"reason": str(exc)},
                             code="signing_failed") from exc


__all__ = [
    "LEVELS", "Job", "PreparedSignature", "Services", "Visible", "configured_level", "finish", "iso_time",
    "prepare_job", "run_signing", "vietnam_now",
]
