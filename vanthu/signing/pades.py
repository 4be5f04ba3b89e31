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

The PDF's form (opening it, the number and date fields, the signed widgets) is pades_form.py; signing one
signature (levels, CMS, timestamp, remote signing's `PreparedSignature` and `finish`) is pades_engine.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from vanthu.core.fonts import serif
from vanthu.signing import appearance, placement
from vanthu.signing.appearance import MM
from vanthu.signing.credentials import Credential
from vanthu.signing.pades_engine import (
    Job,
    PreparedSignature,
    Services,
    Visible,
    iso_time,
    prepare_job,
    run_signing,
    vietnam_now,
)
from vanthu.signing.pades_form import (
    DATE_FIELD,
    NUMBER_FIELD,
    add_text_fields,
    check_personal_signature,
    fill_field,
    form_fields,
    free_name,
    open_writer,
    refuse_corrupt,
    signature_widgets,
)
from vanthu.signing.types import SignatureBlock, SigningRefused

PERSONAL_FIELD = "vanthu_chu_ky"
SEAL_FIELD = "vanthu_dau"
COPY_FIELD = "vanthu_dau_sao"
DEFAULT_SEAL_MM = 36.0  # a round unit seal when neither the upload nor the PNG says its size
DEFAULT_SIGNATURE_MM = 45.0
MAX_SIGNATURE_W = 60 * MM
STAMP_SIZE = 10.0


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
                  chosen: dict[str, placement.Spot] | None = None) -> Job:
    try:
        where = placement.choose(placement.locate(writer.prev, name_line=block.name_line), chosen or {})
    except ValueError as exc:
        raise refuse_corrupt() from exc
    image = _image_of(credential)
    visible = Visible(field_name=free_name(form_fields(writer), PERSONAL_FIELD), page=where.signature.page,
                      box=personal_box(where, image, size_mm), draw=_draw_personal(image, credential.owner_label))
    return Job(pdf=pdf, modify=lambda w: add_text_fields(w, where), credential=credential, visible=visible,
                services=found_services, reason=reason, first=writer)


def sign_personal_with(pdf: bytes, *, credential: Credential, block: SignatureBlock, reason: str = "",
                       found_services: Services, size_mm: tuple[float, float] | None = None,
                       chosen: dict[str, placement.Spot] | None = None) -> bytes:
    """The personal signature with an open credential (see the module docstring). `chosen`: the number, date
    and signature positions a person set on the preview (placement.choose), used instead of the found ones."""
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    job = _personal_job(open_writer(pdf, every_object=True), pdf, credential=credential, block=block,
                        reason=reason, found_services=found_services, size_mm=size_mm, chosen=chosen)
    return run_signing(job)


# --- 2. organisation signature at issuance --------------------------------------------------------------


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


def _issued_job(writer: IncrementalPdfFileWriter, pdf: bytes, *, credential: Credential, number_text: str,
                date_text: str, found_services: Services, size_mm: tuple[float, float] | None,
                seal_at: placement.Spot | None = None) -> Job:
    existing = form_fields(writer)
    if (number_text or date_text) and not (NUMBER_FIELD in existing and DATE_FIELD in existing):
        raise SigningRefused(_("Văn bản không có ô số và ngày do vanthu tạo khi ký duyệt, nên không thể điền số, "
                               "ngày mà vẫn giữ hiệu lực chữ ký. Hãy để người có thẩm quyền ký lại trên vanthu."),
                             code="no_number_fields")
    image = _image_of(credential)
    if image is None:
        raise SigningRefused(_("%(who)s chưa có ảnh con dấu (PNG nền trong suốt); quản trị cần tải lên trước khi "
                               "ký số của cơ quan.") % {"who": credential.owner_label}, code="no_seal_image")
    widgets = signature_widgets(writer)
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
        names = form_fields(target)
        for name, text in ((NUMBER_FIELD, number_text), (DATE_FIELD, date_text)):
            if text:
                fill_field(target, names[name], name, text)

    box = seal_box(rect, seal_w, seal_h)
    if seal_at is not None:  # placed by hand on the preview: the seal (and its time line) centred there
        page = seal_at.page
        box = (seal_at.x - (box[2] - box[0]) / 2, seal_at.y - (box[3] - box[1]) / 2,
               seal_at.x + (box[2] - box[0]) / 2, seal_at.y + (box[3] - box[1]) / 2)
    visible = Visible(field_name=free_name(existing, SEAL_FIELD), page=page, box=box, draw=_draw_seal(image))
    return Job(pdf=pdf, modify=modify, credential=credential, visible=visible, services=found_services,
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
        check_personal_signature(writer, trust_roots)
    job = _issued_job(writer, pdf, credential=credential, number_text=number_text, date_text=date_text,
                      found_services=found_services, size_mm=size_mm, seal_at=seal_at)
    return run_signing(job)


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
        raise refuse_corrupt() from exc
    fields = form_fields(writer)
    widgets = [w for w in signature_widgets(writer) if w[0].startswith(PERSONAL_FIELD)]
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
                   found_services: Services) -> Job:
    now = vietnam_now()
    padding = 2.0
    width, height = appearance.text_block_size(_text_lines(lines, now), size=STAMP_SIZE, font_path=serif().regular,
                                               padding=padding)
    box = text_stamp_box(writer, width, height)

    def draw(_w: float, _h: float, moment: dt.datetime) -> appearance.Canvas:
        return appearance.text_block_canvas(_text_lines(lines, moment), size=STAMP_SIZE, font_path=serif().regular,
                                            padding=padding)

    visible = Visible(field_name=free_name(form_fields(writer), COPY_FIELD), page=0, box=box, draw=draw)
    return Job(pdf=pdf, modify=lambda _w: None, credential=credential, visible=visible, services=found_services,
                reason=_("Ký số của cơ quan, tổ chức"), now=now, first=writer)


def seal_text_only_with(pdf: bytes, *, credential: Credential, lines: list[str],
                        found_services: Services) -> bytes:
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    job = _text_only_job(open_writer(pdf), pdf, credential=credential, lines=lines,
                         found_services=found_services)
    return run_signing(job)


# --- 4. the organisation signature of a digitised paper document (Circular 01/2019 Điều 6.2.c) ----------


def _digitised_job(writer: IncrementalPdfFileWriter, pdf: bytes, *, credential: Credential,
                   found_services: Services, size_mm: tuple[float, float] | None) -> Job:
    """Top right of page 1: the red seal image at actual size, the signing time (ISO 8601 +07:00) under it."""
    image = _image_of(credential)
    if image is None:
        raise SigningRefused(_("%(who)s chưa có ảnh con dấu (PNG nền trong suốt); quản trị cần tải lên trước khi "
                               "ký số của cơ quan.") % {"who": credential.owner_label}, code="no_seal_image")
    seal_w, seal_h = _natural_size(image, size_mm, DEFAULT_SEAL_MM)
    box = text_stamp_box(writer, seal_w, seal_h + appearance.TIME_SIZE * 1.4)
    visible = Visible(field_name=free_name(form_fields(writer), SEAL_FIELD), page=0, box=box, draw=_draw_seal(image))
    return Job(pdf=pdf, modify=lambda _w: None, credential=credential, visible=visible, services=found_services,
                reason=_("Ký số của cơ quan, tổ chức trên bản số hóa từ văn bản giấy"), first=writer)


def seal_digitised_with(pdf: bytes, *, credential: Credential, found_services: Services,
                        size_mm: tuple[float, float] | None = None) -> bytes:
    if credential.signer is None:
        raise SigningRefused(_("Khóa ký của %(who)s ở dịch vụ ký số từ xa; hãy ký qua ứng dụng ký từ xa.")
                             % {"who": credential.owner_label}, code="remote_key")
    job = _digitised_job(open_writer(pdf), pdf, credential=credential, found_services=found_services,
                         size_mm=size_mm)
    return run_signing(job)


# --- remote ("interrupted") signing: step 1 (step 2 is pades_engine.finish) ---------------------------


def prepare_personal(pdf: bytes, *, credential: Credential, block: SignatureBlock, reason: str = "",
                     found_services: Services, size_mm: tuple[float, float] | None = None,
                     chosen: dict[str, placement.Spot] | None = None) -> PreparedSignature:
    """Step 1 of remote signing for the personal signature (same appearance and fields as sign_personal)."""
    return prepare_job(_personal_job(open_writer(pdf, every_object=True), pdf, credential=credential, block=block,
                                      reason=reason, found_services=found_services, size_mm=size_mm, chosen=chosen))


def prepare_issued(pdf: bytes, *, credential: Credential, number_text: str, date_text: str,
                   found_services: Services, size_mm: tuple[float, float] | None = None,
                   check_personal: bool = True,
                   trust_roots: list[asn1_x509.Certificate] | None = None) -> PreparedSignature:
    """Step 1 of remote signing for the organisation signature at issuance (`check_personal`, `trust_roots`:
    as for seal_issued_with)."""
    writer = open_writer(pdf)
    if check_personal:
        check_personal_signature(writer, trust_roots)
    return prepare_job(_issued_job(writer, pdf, credential=credential, number_text=number_text,
                                    date_text=date_text, found_services=found_services,
                                    size_mm=size_mm))


def prepare_text_only(pdf: bytes, *, credential: Credential, lines: list[str],
                      found_services: Services) -> PreparedSignature:
    """Step 1 of remote signing for the text-only organisation signature."""
    return prepare_job(_text_only_job(open_writer(pdf), pdf, credential=credential, lines=lines,
                                       found_services=found_services))


__all__ = [
    "COPY_FIELD", "PERSONAL_FIELD", "SEAL_FIELD", "layout", "personal_box", "prepare_issued", "prepare_personal",
    "prepare_text_only", "seal_box", "seal_digitised_with", "seal_issued_with", "seal_text_only_with",
    "sign_personal_with", "text_stamp_box",
]
