"""PAdES signatures with the Decree 30 appearance: the personal signature at approval, the organisation
signature at issuance, and the text-only organisation signature on attachments and electronic copies.

An adapter: every function takes what it needs as arguments — PDF bytes, an open `credentials.Credential`, the
`Services` of the level (timestamper, validation context), the image size, trust roots — and neither queries
the database nor calls an action. `service.py` gathers those (opens the credential, reads the image size, the
trust store and the TSA) and records remote-signing requests.

Every function takes PDF bytes and returns PDF bytes that *start with the input unchanged*: each signature is
one incremental update, so what was approved is byte for byte what was signed.

1. `sign_personal_with` — one update holding: two empty, read-only text fields over the number and date
   placeholders on page 1 (`vanthu_so`, `vanthu_ngay`), and the signature field `vanthu_chu_ky` whose
   appearance is the signer's blue signature image centred in the gap between the position line and the
   name (found by placement.py). Filling the two fields later is a FORM_FILLING change, which validators
   (pyHanko's diff analysis, Adobe) report as permitted after an approval signature.
2. `seal_issued_with` — refuses a PDF without a valid personal signature, then one update holding: the two
   fields filled (a new appearance: white over the placeholder, "Số: 12/QĐ-BTL" upright 13 pt, the date
   line italic 13 pt, centred where the placeholder was), and the signature field `vanthu_dau`: the unit's
   red seal at actual size, its right edge a third of the way into the signature image (so it covers the
   left third of it), vertically centred on it, with the signing time (ISO 8601, +07:00) in a small line
   under the seal.
3. `seal_text_only_with` — the field `vanthu_dau_sao` at the top right of page 1: the caller's lines and the
   signing time, Times New Roman (serif) 10 pt black, no image.

Levels (settings.PADES_LEVEL, default B-LT when a TSA is configured, else B-B): B-B; B-T adds an RFC 3161
token over the signature value (tsa.timestamper()); B-LT also embeds the certificates, OCSP responses and
CRLs in the DSS; B-LTA adds a document timestamp after the DSS.

Speed (reference/signing.md §0): the CMS container is written as DER by cms_der.py (no asn1crypto object
building), `/Contents` is reserved at the exact size (no dry-run signature; the retry covers a timestamp
token larger than expected, pyHanko #515), the signer's parsed key is kept by the back-end (backends.py,
CachedKeySigner), images are decoded and font subsets built once per process (appearance.py), and every
signing runs on one event loop per thread with one shared aiohttp session (`runtime.runtime()`), so timestamp and
OCSP/CRL requests reuse connections. Call these functions from synchronous code (views, actions, tasks,
commands); async code must run them in a thread (`asgiref.sync.sync_to_async`), since a thread's loop cannot
be run inside another running loop. speedups.install() is called on import: faster pyHanko parsing, same
results (see speedups.py).

Remote ("interrupted") signing — when the key is not here (`Credential.kind == "remote"`):
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
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import ExternalSigner, Signer
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import read_certification_data
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.core.fonts import serif
from vanthu.signing import appearance, cms_der, placement, speedups
from vanthu.signing.appearance import MM
from vanthu.signing.credentials import Credential, verify_raw_signature
from vanthu.signing.runtime import runtime
from vanthu.signing.types import SignatureBlock, SigningRefused

speedups.install()

PERSONAL_FIELD = "vanthu_chu_ky"
SEAL_FIELD = "vanthu_dau"
COPY_FIELD = "vanthu_dau_sao"
NUMBER_FIELD = "vanthu_so"
DATE_FIELD = "vanthu_ngay"
LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
DEFAULT_SEAL_MM = 36.0  # a round unit seal when neither the upload nor the PNG says its size
DEFAULT_SIGNATURE_MM = 45.0
MAX_SIGNATURE_W = 60 * MM
STAMP_SIZE = 10.0
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


# --- reading and refusing --------------------------------------------------------------------------------


def _refuse_corrupt() -> SigningRefused:
    return SigningRefused(_("Tệp PDF bị hỏng hoặc không đúng định dạng, không ký được."), code="corrupt_pdf")


def open_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over `pdf`; refuses corrupt, encrypted, and certified-no-changes PDFs."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise _refuse_corrupt()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        reader = writer.prev
        if reader.encrypted or reader.security_handler is not None:
            raise SigningRefused(_("Tệp PDF đã được mã hóa (đặt mật khẩu). Hãy gỡ mã hóa rồi tải lên lại."),
                                 code="encrypted_pdf")
        reader.root  # noqa: B018 - force the catalog to be read
        certification = read_certification_data(reader)
        writer.find_page_for_modification(0)
    except SigningRefused:
        raise
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise _refuse_corrupt() from exc
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningRefused(_("Tệp PDF đã được chứng thực bằng chữ ký số không cho phép bất kỳ thay đổi nào, "
                               "không thể ký thêm."), code="certified_no_changes")
    return writer


def _fields(writer: IncrementalPdfFileWriter) -> dict[str, generic.IndirectObject]:
    """Top-level form fields by name."""
    try:
        found = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return {}
    result = {}
    for ref in found:
        obj = ref.get_object()
        name = obj.get("/T")
        if name is not None:
            result[str(name)] = ref
    return result


def _free_name(existing: dict[str, Any], base: str) -> str:
    if base not in existing:
        return base
    n = 2
    while f"{base}_{n}" in existing:
        n += 1
    return f"{base}_{n}"


# --- the number and date fields --------------------------------------------------------------------------


def _font_for(field_name: str) -> Path:
    return serif().italic if field_name == DATE_FIELD else serif().regular


def _add_text_fields(writer: IncrementalPdfFileWriter, where: placement.Placement) -> None:
    """Add the empty, read-only number and date fields over their placeholders (if not there already)."""
    existing = _fields(writer)
    wanted = [(NUMBER_FIELD, where.number), (DATE_FIELD, where.date)]
    if all(name in existing for name, _place in wanted):
        return
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(generic.DictionaryObject({
            pdf_name("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    acroform = root["/AcroForm"]
    form_dict = acroform.get_object() if isinstance(acroform, generic.IndirectObject) else acroform
    resources = form_dict.get("/DR")
    if resources is None:
        form_dict[pdf_name("/DR")] = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject({
            pdf_name("/Helv"): generic.DictionaryObject({
                pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"), pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
            })})})
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        annots = generic.ArrayObject()
        page[pdf_name("/Annots")] = annots
    annots_list = annots.get_object() if isinstance(annots, generic.IndirectObject) else annots
    field_list = form_dict["/Fields"]
    for name, place in wanted:
        if name in existing:
            continue
        x1, y1, x2, y2 = place.box
        empty = appearance.empty_canvas(x2 - x1, y2 - y1).write(writer)
        widget = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): generic.TextStringObject(name),
            pdf_name("/V"): generic.TextStringObject(""),
            pdf_name("/Ff"): generic.NumberObject(1),  # read-only: vanthu fills it, nobody types in it
            pdf_name("/F"): generic.NumberObject(4),  # print
            pdf_name("/Q"): generic.NumberObject(1),  # centred
            pdf_name("/DA"): generic.TextStringObject(f"/Helv {place.size:.1f} Tf 0 g"),
            pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(round(v, 2)) for v in place.box),
            pdf_name("/P"): page_ref,
            pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): empty}),
        })
        ref = writer.add_object(widget)
        annots_list.append(ref)
        field_list.get_object().append(ref)
    writer.update_container(page)
    writer.update_container(annots_list)
    writer.update_container(form_dict)
    writer.update_container(field_list)


def _field_size(widget: generic.DictionaryObject) -> float:
    try:
        return float(str(widget["/DA"]).split()[1])
    except (KeyError, IndexError, ValueError):
        return 13.0


def _fill_field(writer: IncrementalPdfFileWriter, ref: generic.IndirectObject, name: str, text: str) -> None:
    widget = ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    size = _field_size(widget)
    font_path = _font_for(name)
    metrics = appearance.face(font_path)
    baseline = -metrics.scale(metrics.descent) / 1000 * size + 1
    canvas = appearance.field_canvas(text, width=x2 - x1, height=y2 - y1, baseline=baseline, size=size,
                                     font_path=font_path)
    widget[pdf_name("/V")] = generic.TextStringObject(appearance.normalise(text))
    widget[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): canvas.write(writer)})
    writer.update_container(widget)


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


def _now() -> dt.datetime:
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
class _Job:
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
    now: dt.datetime = field(default_factory=_now)
    first: IncrementalPdfFileWriter | None = None

    def writer(self) -> IncrementalPdfFileWriter:
        writer, self.first = self.first or open_writer(self.pdf), None
        self.modify(writer)
        return writer


def _metadata(job: _Job) -> signers.PdfSignatureMetadata:
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


async def _prepare(job: _Job, reserve: int) -> tuple[PreparedByteRangeDigest, PdfTBSDocument, io.BytesIO, Signer]:
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


def _reserve(job: _Job, pieces: cms_der.SignerPieces) -> int:
    size = cms_der.size_without_timestamp(pieces, _signature_length(job.credential.certificate))
    return 2 * (size + _token_budget(job.services.timestamper)) + 32


async def _timestamp(timestamper: TimeStamper, signature: bytes) -> bytes:
    token = await timestamper.async_timestamp(hashlib.sha256(signature).digest(), "sha256")
    der = token.dump()
    _token_sizes[type(timestamper).__name__] = max(len(der), _token_sizes.get(type(timestamper).__name__, 0))
    return der


async def _sign_once(job: _Job, reserve: int) -> bytes:
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


async def _sign_async(job: _Job) -> bytes:
    signer = _signer_for(job.credential)
    reserve = _reserve(job, _pieces(job.credential, signer))
    try:
        return await _sign_once(job, reserve)
    except _TooSmall as exc:
        return await _sign_once(job, exc.needed)


def _run_signing(job: _Job) -> bytes:
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
        raise _refuse_corrupt() from exc


# --- 1. personal signature -------------------------------------------------------------------------------


def _image_of(credential: Credential) -> appearance.RasterImage | None:
    if not credential.image_png:
        return None
    try:
        return appearance.raster(credential.image_png)
    except appearance.BadImage:
        return None


def _natural_size(image: appearance.RasterImage, size_mm: tuple[float, float] | None,
                  default_width_mm: float) -> tuple[float, float]:
    """The image's printed size in points: the uploaded size, else the PNG's resolution, else a default."""
    if size_mm is None:
        size_mm = image.size_mm
    if size_mm is None:
        size_mm = (default_width_mm, default_width_mm / image.aspect)
    return size_mm[0] * MM, size_mm[1] * MM


def personal_box(where: placement.Placement, image: appearance.RasterImage | None,
                 size_mm: tuple[float, float] | None) -> tuple[float, float, float, float]:
    """The signature image's box: as large as its natural size allows, inside the gap, centred under the
    position line and over the name."""
    gx1, gy1, gx2, gy2 = where.signature.gap
    max_w, max_h = min(gx2 - gx1, MAX_SIGNATURE_W), gy2 - gy1 - 2
    if image is None:
        w, h = min(max_w, 50 * MM), min(max_h, 14 * MM)
    else:
        nat_w, nat_h = _natural_size(image, size_mm, DEFAULT_SIGNATURE_MM)
        w, h = appearance.fit(image, min(max_w, nat_w), min(max_h, nat_h))
    cx, cy = where.signature.centre_x, (gy1 + gy2) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _draw_personal(image: appearance.RasterImage | None, name: str) -> Callable[[float, float, dt.datetime],
                                                                                 appearance.Canvas]:
    def draw(w: float, h: float, _moment: dt.datetime) -> appearance.Canvas:
        if image is not None:
            return appearance.signature_canvas(image, w, h)
        # No uploaded signature image: the name in blue italic, so the signature is still visible.
        canvas = appearance.Canvas.sized(w, h)
        canvas.centred_text(name, font_path=serif().italic, size=12, centre_x=w / 2, y=h / 2 - 4,
                            color=(0.05, 0.15, 0.65))
        return canvas

    return draw


def _personal_job(writer: IncrementalPdfFileWriter, pdf: bytes, *, credential: Credential, block: SignatureBlock,
                  reason: str, found_services: Services, size_mm: tuple[float, float] | None,
                  chosen: dict[str, placement.Spot] | None = None) -> _Job:
    try:
        where = placement.choose(placement.locate(writer.prev, name_line=block.name_line), chosen or {})
    except ValueError as exc:
        raise _refuse_corrupt() from exc
    image = _image_of(credential)
    visible = Visible(field_name=_free_name(_fields(writer), PERSONAL_FIELD), page=where.signature.page,
                      box=personal_box(where, image, size_mm), draw=_draw_personal(image, credential.owner_label))
    return _Job(pdf=pdf, modify=lambda w: _add_text_fields(w, where), credential=credential, visible=visible,
                services=found_services, reason=reason, first=writer)


def sign_personal_with(pdf: bytes, *, credential: Credential, block: SignatureBlock, reason: str = "",
                       found_services: Services, size_mm: tuple[float, float] | None = None,
                       chosen: dict[str, placement.Spot] | None = None) -> bytes:
    """The personal signature with an open credential (see the module docstring). `chosen`: the number, date
    and signature positions a person set on the preview (placement.choose), used instead of the found ones."""
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    job = _personal_job(open_writer(pdf), pdf, credential=credential, block=block, reason=reason,
                        found_services=found_services, size_mm=size_mm, chosen=chosen)
    return _run_signing(job)


# --- 2. organisation signature at issuance --------------------------------------------------------------


def _page_numbers(writer: IncrementalPdfFileWriter) -> dict[int, int]:
    """Object number of each page -> its index, walking the page tree."""
    numbers: dict[int, int] = {}

    def walk(node_ref: generic.IndirectObject) -> None:
        node = node_ref.get_object()
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in node["/Kids"]:
                walk(kid)
        else:
            numbers[node_ref.idnum] = len(numbers)

    walk(writer.prev.root.raw_get("/Pages"))
    return numbers


def _signature_widgets(writer: IncrementalPdfFileWriter) -> list[tuple[str, int, tuple[float, float, float, float]]]:
    """(field name, page index or -1, rect) of the signed, visible signature fields, in field order."""
    page_of: dict[int, int] | None = None
    found = []
    for name, ref in _fields(writer).items():
        widget = ref.get_object()
        if widget.get("/FT") != "/Sig" or "/V" not in widget or "/Rect" not in widget:
            continue
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        if abs(x2 - x1) < 1 or abs(y2 - y1) < 1:
            continue
        page = widget.raw_get("/P") if "/P" in widget else None
        index = -1
        if isinstance(page, generic.IndirectObject):
            page_of = page_of if page_of is not None else _page_numbers(writer)
            index = page_of.get(page.idnum, -1)
        found.append((name, index, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))))
    return found


def seal_box(signature_rect: tuple[float, float, float, float], seal_w: float,
             seal_h: float) -> tuple[float, float, float, float]:
    """The seal box (seal plus the time line under it): its right edge a third of the way into the signature
    image, the seal's centre level with the signature's centre."""
    sx1, sy1, sx2, sy2 = signature_rect
    right = sx1 + (sx2 - sx1) / 3
    centre_y = (sy1 + sy2) / 2
    time_h = appearance.TIME_SIZE * 1.4
    top = centre_y + seal_h / 2
    return (right - seal_w, top - seal_h - time_h, right, top)


def _draw_seal(image: appearance.RasterImage) -> Callable[[float, float, dt.datetime], appearance.Canvas]:
    def draw(w: float, h: float, moment: dt.datetime) -> appearance.Canvas:
        return appearance.seal_canvas(image, width=w, height=h, time_text=iso_time(moment),
                                      font_path=serif().regular)

    return draw


def _check_personal_signature(pdf: bytes | IncrementalPdfFileWriter,
                              trust_roots: list[asn1_x509.Certificate] | None) -> None:
    """Refuse a PDF without a valid personal signature, judged against `trust_roots` only: this adapter does not
    read the deployment's trust store (service.py checks against it before calling with check_personal=False)."""
    from vanthu.signing import validation

    if trust_roots is None:
        raise ValueError("pades checks the personal signature against given trust_roots only; "
                         "pass them, or check before and pass check_personal=False")
    source = pdf.prev if isinstance(pdf, IncrementalPdfFileWriter) else pdf
    if not validation.has_valid_personal_signature(source, trust_roots=trust_roots):
        raise refuse_not_signed()


def refuse_not_signed() -> SigningRefused:
    return SigningRefused(_("Văn bản chưa có chữ ký số hợp lệ của người có thẩm quyền; văn thư không được ký "
                            "số của cơ quan lên văn bản này."), code="not_signed")


def _issued_job(writer: IncrementalPdfFileWriter, pdf: bytes, *, credential: Credential, number_text: str,
                date_text: str, found_services: Services, size_mm: tuple[float, float] | None,
                seal_at: placement.Spot | None = None) -> _Job:
    existing = _fields(writer)
    if (number_text or date_text) and not (NUMBER_FIELD in existing and DATE_FIELD in existing):
        raise SigningRefused(_("Văn bản không có ô số và ngày do vanthu tạo khi ký duyệt, nên không thể điền số, "
                               "ngày mà vẫn giữ hiệu lực chữ ký. Hãy để người có thẩm quyền ký lại trên vanthu."),
                             code="no_number_fields")
    image = _image_of(credential)
    if image is None:
        raise SigningRefused(_("%(who)s chưa có ảnh con dấu (PNG nền trong suốt); quản trị cần tải lên trước khi "
                               "ký số của cơ quan.") % {"who": credential.owner_label}, code="no_seal_image")
    widgets = _signature_widgets(writer)
    personal = [w for w in widgets if w[0].startswith(PERSONAL_FIELD)] or widgets
    seal_w, seal_h = _natural_size(image, size_mm, DEFAULT_SEAL_MM)
    if personal:
        page, rect = personal[-1][1], personal[-1][2]
    else:  # signed elsewhere, invisibly: put the seal where the signature block usually is
        where = placement.locate(writer.prev, name_line="")
        page, gap = where.signature.page, where.signature.gap
        rect = (where.signature.centre_x - 20 * MM, gap[1], where.signature.centre_x + 20 * MM, gap[3])
    if page < 0:
        page = int(writer.prev.root["/Pages"]["/Count"]) - 1

    def modify(target: IncrementalPdfFileWriter) -> None:
        names = _fields(target)
        for name, text in ((NUMBER_FIELD, number_text), (DATE_FIELD, date_text)):
            if text:
                _fill_field(target, names[name], name, text)

    box = seal_box(rect, seal_w, seal_h)
    if seal_at is not None:  # placed by hand on the preview: the seal (and its time line) centred there
        page = seal_at.page
        box = (seal_at.x - (box[2] - box[0]) / 2, seal_at.y - (box[3] - box[1]) / 2,
               seal_at.x + (box[2] - box[0]) / 2, seal_at.y + (box[3] - box[1]) / 2)
    visible = Visible(field_name=_free_name(existing, SEAL_FIELD), page=page, box=box, draw=_draw_seal(image))
    return _Job(pdf=pdf, modify=modify, credential=credential, visible=visible, services=found_services,
                reason=_("Ký số của cơ quan, tổ chức khi ban hành"), first=writer)


def seal_issued_with(pdf: bytes, *, credential: Credential, number_text: str, date_text: str,
                     found_services: Services, size_mm: tuple[float, float] | None = None,
                     check_personal: bool = True, trust_roots: list[asn1_x509.Certificate] | None = None,
                     seal_at: placement.Spot | None = None) -> bytes:
    """The organisation signature at issuance with an open credential (see the module docstring).
    `check_personal` refuses a PDF without a valid personal signature, judged against `trust_roots` (required
    then: this adapter does not read the trust store; service.seal_issued checks against it first)."""
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    writer = open_writer(pdf)
    if check_personal:
        _check_personal_signature(writer, trust_roots)
    job = _issued_job(writer, pdf, credential=credential, number_text=number_text, date_text=date_text,
                      found_services=found_services, size_mm=size_mm, seal_at=seal_at)
    return _run_signing(job)


# --- the preview of the final page ----------------------------------------------------------------------


def layout(pdf: bytes, *, name_line: str) -> dict[str, Any]:
    """Where vanthu would put the number, date, signature and seal on `pdf`, as plain JSON-safe data for the
    preview (boxes in PDF points): on an unsigned draft, what placement finds; on a signed one (before the
    seal), the fields and signature the personal signature made, and the seal where it would go. "doubts" says
    why the automatic placement may be wrong (placement.Placement.doubts)."""
    writer = open_writer(pdf)
    try:
        where = placement.locate(writer.prev, name_line=name_line)
    except ValueError as exc:
        raise _refuse_corrupt() from exc
    fields = _fields(writer)
    widgets = [w for w in _signature_widgets(writer) if w[0].startswith(PERSONAL_FIELD)]
    seal_w, seal_h = DEFAULT_SEAL_MM * MM, DEFAULT_SEAL_MM * MM
    boxes: dict[str, list[Any]]
    if NUMBER_FIELD in fields and DATE_FIELD in fields and widgets:
        signed_page, signed_rect = widgets[-1][1], widgets[-1][2]
        boxes = {name: [0, [float(v) for v in fields[field_name].get_object()["/Rect"]]]
                 for name, field_name in (("number", NUMBER_FIELD), ("date", DATE_FIELD))}
        boxes["signature"] = [signed_page if signed_page >= 0 else where.pages - 1, list(signed_rect)]
        stage, doubts = "seal", []
    else:
        boxes = {"number": [0, list(where.number.box)], "date": [0, list(where.date.box)],
                 "signature": [where.signature.page, list(personal_box(where, None, None))]}
        stage, doubts = "sign", where.doubts
    page, rect = boxes["signature"]
    boxes["seal"] = [page, list(seal_box(tuple(rect), seal_w, seal_h))]
    return {"page_size": list(where.page_size), "pages": where.pages, "boxes": boxes, "doubts": doubts,
            "stage": stage, "name_line": name_line}


# --- 3. text-only organisation signature (attachments, electronic copies) --------------------------------


def text_stamp_box(writer: IncrementalPdfFileWriter, width: float, height: float) -> tuple[float, float, float, float]:
    """Top right of page 1: 15 mm from the right edge, 4 mm from the top (inside Decree 30's top margin)."""
    page_ref, _resources = writer.find_page_for_modification(0)
    box = page_ref.get_object().get("/CropBox") or page_ref.get_object()["/MediaBox"]
    x1, y1, x2, y2 = (float(v) for v in box)
    right, top = max(x1, x2) - 15 * MM, max(y1, y2) - 4 * MM
    return (right - width, top - height, right, top)


def _text_lines(lines: list[str], moment: dt.datetime) -> list[str]:
    return [line for line in lines if line.strip()] + [iso_time(moment)]


def _text_only_job(writer: IncrementalPdfFileWriter, pdf: bytes, *, credential: Credential, lines: list[str],
                   found_services: Services) -> _Job:
    now = _now()
    padding = 2.0
    width, height = appearance.text_block_size(_text_lines(lines, now), size=STAMP_SIZE, font_path=serif().regular,
                                               padding=padding)
    box = text_stamp_box(writer, width, height)

    def draw(_w: float, _h: float, moment: dt.datetime) -> appearance.Canvas:
        return appearance.text_block_canvas(_text_lines(lines, moment), size=STAMP_SIZE, font_path=serif().regular,
                                            padding=padding)

    visible = Visible(field_name=_free_name(_fields(writer), COPY_FIELD), page=0, box=box, draw=draw)
    return _Job(pdf=pdf, modify=lambda _w: None, credential=credential, visible=visible, services=found_services,
                reason=_("Ký số của cơ quan, tổ chức"), now=now, first=writer)


def seal_text_only_with(pdf: bytes, *, credential: Credential, lines: list[str],
                        found_services: Services) -> bytes:
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    job = _text_only_job(open_writer(pdf), pdf, credential=credential, lines=lines,
                         found_services=found_services)
    return _run_signing(job)


# --- 4. the organisation signature of a digitised paper document (Circular 01/2019 Điều 6.2.c) ----------


def _digitised_job(writer: IncrementalPdfFileWriter, pdf: bytes, *, credential: Credential,
                   found_services: Services, size_mm: tuple[float, float] | None) -> _Job:
    """Top right of page 1: the red seal image at actual size, the signing time (ISO 8601 +07:00) under it."""
    image = _image_of(credential)
    if image is None:
        raise SigningRefused(_("%(who)s chưa có ảnh con dấu (PNG nền trong suốt); quản trị cần tải lên trước khi "
                               "ký số của cơ quan.") % {"who": credential.owner_label}, code="no_seal_image")
    seal_w, seal_h = _natural_size(image, size_mm, DEFAULT_SEAL_MM)
    box = text_stamp_box(writer, seal_w, seal_h + appearance.TIME_SIZE * 1.4)
    visible = Visible(field_name=_free_name(_fields(writer), SEAL_FIELD), page=0, box=box, draw=_draw_seal(image))
    return _Job(pdf=pdf, modify=lambda _w: None, credential=credential, visible=visible, services=found_services,
                reason=_("Ký số của cơ quan, tổ chức trên bản số hóa từ văn bản giấy"), first=writer)


def seal_digitised_with(pdf: bytes, *, credential: Credential, found_services: Services,
                        size_mm: tuple[float, float] | None = None) -> bytes:
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    job = _digitised_job(open_writer(pdf), pdf, credential=credential, found_services=found_services,
                         size_mm=size_mm)
    return _run_signing(job)


# --- remote ("interrupted") signing ----------------------------------------------------------------------


async def _prepare_remote(job: _Job) -> PreparedSignature:
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


def _prepare_job(job: _Job) -> PreparedSignature:
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


def prepare_personal(pdf: bytes, *, credential: Credential, block: SignatureBlock, reason: str = "",
                     found_services: Services, size_mm: tuple[float, float] | None = None,
                     chosen: dict[str, placement.Spot] | None = None) -> PreparedSignature:
    """Step 1 of remote signing for the personal signature (same appearance and fields as sign_personal)."""
    return _prepare_job(_personal_job(open_writer(pdf), pdf, credential=credential, block=block, reason=reason,
                                      found_services=found_services, size_mm=size_mm, chosen=chosen))


def prepare_issued(pdf: bytes, *, credential: Credential, number_text: str, date_text: str,
                   found_services: Services, size_mm: tuple[float, float] | None = None,
                   check_personal: bool = True,
                   trust_roots: list[asn1_x509.Certificate] | None = None) -> PreparedSignature:
    """Step 1 of remote signing for the organisation signature at issuance (`check_personal`, `trust_roots`:
    as for seal_issued_with)."""
    writer = open_writer(pdf)
    if check_personal:
        _check_personal_signature(writer, trust_roots)
    return _prepare_job(_issued_job(writer, pdf, credential=credential, number_text=number_text,
                                    date_text=date_text, found_services=found_services,
                                    size_mm=size_mm))


def prepare_text_only(pdf: bytes, *, credential: Credential, lines: list[str],
                      found_services: Services) -> PreparedSignature:
    """Step 1 of remote signing for the text-only organisation signature."""
    return _prepare_job(_text_only_job(open_writer(pdf), pdf, credential=credential, lines=lines,
                                       found_services=found_services))


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
    "DATE_FIELD", "NUMBER_FIELD", "PERSONAL_FIELD", "SEAL_FIELD", "PreparedSignature", "Services",
    "configured_level", "finish", "iso_time", "open_writer", "prepare_issued", "prepare_personal",
    "prepare_text_only", "refuse_not_signed", "seal_issued_with", "seal_text_only_with", "sign_personal_with",
]
