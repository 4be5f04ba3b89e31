"""The PDF's form for the PAdES adapter (pades.py): opening a PDF for an incremental update (refusing corrupt,
encrypted and certified-no-changes files, and for the personal signature a file with an object that does not
parse: pdfparse.py, decision 0036), the top-level form fields, the number and date fields the personal
signature adds (empty, read-only) and the seal fills, the signed widgets already there, and the check that a
PDF carries a valid personal signature. An adapter like pades.py: no database, no action.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import read_certification_data

from vanthu.core.fonts import serif
from vanthu.signing import appearance, pdfparse, placement, speedups
from vanthu.signing.fields import DATE_FIELD, NUMBER_FIELD
from vanthu.signing.pdferrors import UNREADABLE_ERRORS
from vanthu.signing.types import SigningRefused

speedups.install()



# --- reading and refusing --------------------------------------------------------------------------------


def refuse_corrupt() -> SigningRefused:
    return SigningRefused(_("Tệp PDF bị hỏng hoặc không đúng định dạng, không ký được."), code="corrupt_pdf")


def refuse_unparsed(unparsed: Any) -> SigningRefused:
    """The refusal of a PDF with an object the validation's parser cannot read (pdfparse.Unparsed)."""
    return SigningRefused(_("Tệp PDF bị hỏng: có đối tượng %(object)s không đọc được (%(reason)s). Hãy xuất lại tệp "
                            "ra PDF rồi tải lên.") % {"object": unparsed.ref, "reason": unparsed.reason},
                          code="corrupt_pdf")


def refuse_unparsed_signed(unparsed: Any) -> SigningRefused:
    """The seal's refusal of a signed file with an object the validation's parser cannot read (decision 0045):
    the fix is a new draft, approved and signed again, not a new upload of the same file."""
    return SigningRefused(_("Tệp văn bản đã ký bị hỏng: có đối tượng %(object)s không đọc được (%(reason)s), nên "
                            "không đóng dấu phát hành được. Hãy xuất lại văn bản ra PDF, trình duyệt và ký lại.")
                          % {"object": unparsed.ref, "reason": unparsed.reason}, code="corrupt_pdf")


def refuse_attachment(name: str, unparsed: Any = None, *, encrypted: bool = False) -> SigningRefused:
    """The seal's refusal of an attachment it cannot seal (decision 0057): one stored before the upload check,
    whose objects were not all read. Attachments are set when the draft is made: the fix is a new draft."""
    if encrypted:
        text = _("Tệp đính kèm “%(name)s” đã được mã hóa (đặt mật khẩu), nên không đóng dấu phát hành được. Hãy "
                 "soạn lại văn bản với tệp đính kèm đã gỡ mã hóa.") % {"name": name}
    elif unparsed is None:
        text = _("Tệp đính kèm “%(name)s” bị hỏng hoặc không đúng định dạng PDF, nên không đóng dấu phát hành "
                 "được. Hãy soạn lại văn bản với tệp đính kèm xuất lại ra PDF.") % {"name": name}
    else:
        text = (_("Tệp đính kèm “%(name)s” bị hỏng: có đối tượng %(object)s không đọc được (%(reason)s), nên không "
                  "đóng dấu phát hành được. Hãy soạn lại văn bản với tệp đính kèm xuất lại ra PDF.")
                % {"name": name, "object": unparsed.ref, "reason": unparsed.reason})
    return SigningRefused(text, code="corrupt_attachment")


SEALED_READ_ERRORS: tuple[type[Exception], ...] = (*UNREADABLE_ERRORS, pdfparse.TooManyObjects)


def check_every_object_signed(pdf: bytes) -> None:
    """Refuse a signed file the seal would seal over an object that does not parse (pdfparse.py; decision 0045):
    the personal signature reads every object of the draft since decision 0036, but a file signed before that,
    or elsewhere, was not. The same parse as at upload and at the personal signature, with a reader of its own."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise refuse_corrupt()
    try:
        unparsed = pdfparse.first_unparsed(PdfFileReader(io.BytesIO(pdf), strict=False))
    except SEALED_READ_ERRORS as exc:
        raise refuse_corrupt() from exc
    if unparsed is not None:
        raise refuse_unparsed_signed(unparsed)


def check_attachment_sealable(pdf: bytes, *, name: str) -> None:
    """Refuse an attachment the seal could not seal, or would seal over an object that does not parse (decision
    0057): the upload check reads every object since decision 0036; an attachment stored before was not read. The
    same parse, and what the seal's writer refuses (damaged, encrypted), before issuance takes a number."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise refuse_attachment(name)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted or reader.security_handler is not None:
            raise refuse_attachment(name, encrypted=True)
        unparsed = pdfparse.first_unparsed(reader)
    except SEALED_READ_ERRORS as exc:
        raise refuse_attachment(name) from exc
    if unparsed is not None:
        raise refuse_attachment(name, unparsed)


def open_writer(pdf: bytes, *, every_object: bool = False) -> IncrementalPdfFileWriter:
    """An incremental writer over `pdf`; refuses corrupt, encrypted, and certified-no-changes PDFs. With
    `every_object`, also a PDF with an object that does not parse (pdfparse.py, decision 0036): the personal
    signature reads the whole draft, as the validation of the issued file will."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise refuse_corrupt()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        reader = writer.prev
        if reader.encrypted or reader.security_handler is not None:
            raise SigningRefused(_("Tệp PDF đã được mã hóa (đặt mật khẩu). Hãy gỡ mã hóa rồi tải lên lại."),
                                 code="encrypted_pdf")
        reader.root  # noqa: B018 - force the catalog to be read
        if every_object:
            unparsed = pdfparse.first_unparsed(reader)
            if unparsed is not None:
                raise refuse_unparsed(unparsed)
        certification = read_certification_data(reader)
        writer.find_page_for_modification(0)
    except SigningRefused:
        raise
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, pdfparse.TooManyObjects) as exc:
        raise refuse_corrupt() from exc
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningRefused(_("Tệp PDF đã được chứng thực bằng chữ ký số không cho phép bất kỳ thay đổi nào, "
                               "không thể ký thêm."), code="certified_no_changes")
    return writer


def form_fields(writer: IncrementalPdfFileWriter) -> dict[str, generic.IndirectObject]:
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


def free_name(existing: dict[str, Any], base: str) -> str:
    if base not in existing:
        return base
    n = 2
    while f"{base}_{n}" in existing:
        n += 1
    return f"{base}_{n}"


# --- the number and date fields --------------------------------------------------------------------------


def _font_for(field_name: str) -> Path:
    return serif().italic if field_name == DATE_FIELD else serif().regular


def add_text_fields(writer: IncrementalPdfFileWriter, where: placement.Placement) -> None:
    """Add the empty, read-only number and date fields over their placeholders (if not there already)."""
    existing = form_fields(writer)
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


def fill_field(writer: IncrementalPdfFileWriter, ref: generic.IndirectObject, name: str, text: str) -> None:
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


# --- the signed widgets and the personal signature -------------------------------------------------------


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


def signature_widgets(writer: IncrementalPdfFileWriter) -> list[tuple[str, int, tuple[float, float, float, float]]]:
    """(field name, page index or -1, rect) of the signed, visible signature fields, in field order."""
    page_of: dict[int, int] | None = None
    found = []
    for name, ref in form_fields(writer).items():
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


def check_personal_signature(pdf: bytes | IncrementalPdfFileWriter,
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


__all__ = [
    "DATE_FIELD", "NUMBER_FIELD", "add_text_fields", "check_personal_signature", "fill_field", "form_fields",
    "free_name", "open_writer", "refuse_corrupt", "refuse_not_signed", "refuse_unparsed", "signature_widgets",
]
