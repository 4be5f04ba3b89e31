"""Signed PDFs for comparing the difference analysis with and without vanthu's speedups: vanthu's issued
documents (1 and 30 pages, B-B and B-T), plain pyHanko's, the intermediate stages, and the same followed by
incremental updates that pyHanko must judge (most of them must be rejected): content replaced or overlaid,
a page added, annotations added, form fields changed or added, the signature's appearance replaced (the
"shadow attack" family), the catalog or a page changed, objects freed; and harmless ones (an identical rewrite,
an orphan object, the info dictionary, a third signature, a document time-stamp, a DSS)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult

from vanthu.signing import validation

Change = Callable[[IncrementalPdfFileWriter], None]


def update(pdf: bytes, change: Change) -> bytes:
    """`pdf` followed by one incremental update made by `change`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer: IncrementalPdfFileWriter, index: int = 0) -> tuple[generic.Reference, generic.DictionaryObject]:
    page_ref, _resources = writer.find_page_for_modification(index)
    return page_ref, page_ref.get_object()


def _fields(writer: IncrementalPdfFileWriter) -> dict[str, generic.IndirectObject]:
    found = {}
    for ref in writer.root["/AcroForm"]["/Fields"]:
        found[str(ref.get_object().get("/T", ""))] = ref
    return found


def content_replaced(writer: IncrementalPdfFileWriter) -> None:
    _page_ref, page = _page(writer)
    stream = generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 400 Td (DA SUA) Tj ET")
    page[pdf_name("/Contents")] = writer.add_object(stream)
    writer.update_container(page)


def content_overlaid(writer: IncrementalPdfFileWriter) -> None:
    _page_ref, page = _page(writer)
    old = page.raw_get("/Contents")
    extra = writer.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 50 50 500 700 re f Q"))
    contents = list(old) if isinstance(old, generic.ArrayObject) else [old]
    page[pdf_name("/Contents")] = generic.ArrayObject([*contents, extra])
    writer.update_container(page)


def content_stream_rewritten(writer: IncrementalPdfFileWriter) -> None:
    """The page's existing content stream object redefined (same object number, new data)."""
    _page_ref, page = _page(writer)
    contents = page.raw_get("/Contents")
    target = contents[0] if isinstance(contents, generic.ArrayObject) else contents
    stream = target.get_object()
    stream._encoded_data = None
    stream._data = b"BT /F1 12 Tf 72 700 Td (HIDDEN) Tj ET"
    for key in ("/Filter", "/DecodeParms"):
        stream.pop(key, None)
    writer.update_container(stream)


def page_added(writer: IncrementalPdfFileWriter) -> None:
    _page_ref, first = _page(writer)
    page = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): first["/MediaBox"],
            pdf_name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"BT ET")),
            pdf_name("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)


def mediabox_changed(writer: IncrementalPdfFileWriter) -> None:
    _page_ref, page = _page(writer)
    page[pdf_name("/MediaBox")] = generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 300, 300))
    writer.update_container(page)


def font_swapped(writer: IncrementalPdfFileWriter) -> None:
    """A font of the page's resources replaced by another object (shadow attack: replace)."""
    _page_ref, page = _page(writer)
    resources = page.raw_get("/Resources")
    resources_obj = resources.get_object()
    fonts = resources_obj["/Font"]
    name = next(iter(fonts))
    fonts[name] = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            }
        )
    )
    target = (
        resources_obj.raw_get("/Font") if isinstance(resources_obj.raw_get("/Font"), generic.IndirectObject) else None
    )
    writer.update_container(fonts if target is not None else resources_obj)
    if not isinstance(resources, generic.IndirectObject):
        writer.update_container(page)


def annotation_added(writer: IncrementalPdfFileWriter, subtype: str = "/Text") -> None:
    page_ref, page = _page(writer)
    annot = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name(subtype),
            pdf_name("/Rect"): generic.ArrayObject(generic.NumberObject(v) for v in (100, 100, 200, 200)),
            pdf_name("/Contents"): pdf_string("ghi chú"),
            pdf_name("/P"): page_ref,
        }
    )
    if subtype == "/Link":
        annot[pdf_name("/A")] = generic.DictionaryObject(
            {pdf_name("/S"): pdf_name("/URI"), pdf_name("/URI"): pdf_string("https://example.test")}
        )
    ref = writer.add_object(annot)
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
        writer.update_container(page)
    else:
        annots.append(ref)
        raw = page.raw_get("/Annots")
        writer.update_container(raw.get_object() if isinstance(raw, generic.IndirectObject) else page)


def field_value_changed(writer: IncrementalPdfFileWriter, name: str = "vanthu_so") -> None:
    fields = _fields(writer)
    field = (fields.get(name) or next(iter(fields.values()))).get_object()
    field[pdf_name("/V")] = pdf_string("Số: 99/KH-TM")
    writer.update_container(field)


def field_flags_changed(writer: IncrementalPdfFileWriter, name: str = "vanthu_so") -> None:
    fields = _fields(writer)
    field = (fields.get(name) or next(iter(fields.values()))).get_object()
    field[pdf_name("/Ff")] = generic.NumberObject(0)
    field[pdf_name("/Rect")] = generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 10, 10))
    writer.update_container(field)


def field_added(writer: IncrementalPdfFileWriter) -> None:
    page_ref, page = _page(writer)
    field = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): pdf_string("them"),
                pdf_name("/V"): pdf_string("x"),
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/P"): page_ref,
                pdf_name("/Rect"): generic.ArrayObject(generic.NumberObject(v) for v in (10, 10, 50, 30)),
            }
        )
    )
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field)
    raw_fields = form.raw_get("/Fields")
    writer.update_container(raw_fields.get_object() if isinstance(raw_fields, generic.IndirectObject) else form)
    if isinstance(writer.root.raw_get("/AcroForm"), generic.IndirectObject):
        writer.update_container(form)
    else:
        writer.update_root()
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([field])
        writer.update_container(page)
    else:
        annots.append(field)
        raw = page.raw_get("/Annots")
        writer.update_container(raw.get_object() if isinstance(raw, generic.IndirectObject) else page)


def signature_appearance_replaced(writer: IncrementalPdfFileWriter) -> None:
    """The first signature's widget gets another appearance (shadow attack: hide)."""
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") == "/Sig":
            stream = generic.StreamObject(
                {
                    pdf_name("/Type"): pdf_name("/XObject"),
                    pdf_name("/Subtype"): pdf_name("/Form"),
                    pdf_name("/BBox"): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 100, 50)),
                },
                stream_data=b"0 0 1 rg 0 0 100 50 re f",
            )
            field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(stream)})
            writer.update_container(field)
            return


def signature_value_cleared(writer: IncrementalPdfFileWriter) -> None:
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") == "/Sig":
            del field["/V"]
            writer.update_container(field)
            return


def catalog_open_action(writer: IncrementalPdfFileWriter) -> None:
    writer.root[pdf_name("/OpenAction")] = generic.DictionaryObject(
        {pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string("app.alert(1)")}
    )
    writer.update_root()


def info_changed(writer: IncrementalPdfFileWriter) -> None:
    writer.set_info(
        generic.DictionaryObject(
            {pdf_name("/Title"): pdf_string("Tiêu đề khác"), pdf_name("/Producer"): pdf_string("khác")}
        )
    )


def identical_rewrite(writer: IncrementalPdfFileWriter) -> None:
    _page_ref, page = _page(writer)
    writer.update_container(page)


def orphan_added(writer: IncrementalPdfFileWriter) -> None:
    writer.add_object(generic.DictionaryObject({pdf_name("/Foo"): pdf_string("bar")}))


def metadata_added(writer: IncrementalPdfFileWriter) -> None:
    stream = generic.StreamObject(
        {pdf_name("/Type"): pdf_name("/Metadata"), pdf_name("/Subtype"): pdf_name("/XML")},
        stream_data=b"<?xpacket begin=''?><x:xmpmeta xmlns:x='adobe:ns:meta/'/>",
    )
    writer.root[pdf_name("/Metadata")] = writer.add_object(stream)
    writer.update_root()


CHANGES: dict[str, Change] = {
    "content_replaced": content_replaced,
    "content_overlaid": content_overlaid,
    "content_stream_rewritten": content_stream_rewritten,
    "page_added": page_added,
    "mediabox_changed": mediabox_changed,
    "font_swapped": font_swapped,
    "text_annotation_added": annotation_added,
    "link_annotation_added": lambda w: annotation_added(w, "/Link"),
    "number_field_value_changed": field_value_changed,
    "date_field_value_changed": lambda w: field_value_changed(w, "vanthu_ngay"),
    "field_flags_changed": field_flags_changed,
    "field_added": field_added,
    "signature_appearance_replaced": signature_appearance_replaced,
    "signature_value_cleared": signature_value_cleared,
    "catalog_open_action": catalog_open_action,
    "info_changed": info_changed,
    "identical_rewrite": identical_rewrite,
    "orphan_added": orphan_added,
    "metadata_added": metadata_added,
}


def _trailer_fields(pdf: bytes) -> tuple[int, int, bytes, int]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    root = reader.trailer.raw_get("/Root")
    startxref = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    return int(reader.trailer["/Size"]), root.idnum, pdf, startxref


def object_freed(pdf: bytes, idnum: int | None = None) -> bytes:
    """A hand-written incremental update with a classic xref table that frees one object of the signed
    revisions (pyHanko's policy rejects freeing)."""
    size, root_id, _pdf, startxref = _trailer_fields(pdf)
    target = idnum if idnum is not None else max(2, size - 3)
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    table = (
        b"xref\n0 1\n0000000000 65535 f \n"
        + f"{target} 1\n0000000000 00001 f \n".encode()
        + f"trailer\n<< /Size {size} /Root {root_id} 0 R /Prev {startxref} >>\n".encode()
    )
    offset = len(body)
    return body + table + f"startxref\n{offset}\n%%EOF\n".encode()


def truncated_to_first_signature(pdf: bytes) -> bytes:
    """Only the revisions up to and including the first signature's."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    first = reader.embedded_signatures[0]
    end = first.byte_range[2] + first.byte_range[3]
    return pdf[:end]


def tampered(pdf: bytes) -> dict[str, bytes]:
    """`pdf` followed by each change of CHANGES (those that apply), an object freed, two updates in a row."""
    found = {}
    for name, change in CHANGES.items():
        try:
            found[name] = update(pdf, change)
        except (KeyError, StopIteration, TypeError, AttributeError, IndexError):
            continue  # this document has no such part (e.g. no number field in plain pyHanko's)
    found["object_freed"] = object_freed(pdf)
    if "number_field_value_changed" in found:
        found["field_then_content"] = update(found["number_field_value_changed"], content_replaced)
    found["identical_then_annotation"] = update(update(pdf, identical_rewrite), annotation_added)
    found["truncated_to_first_signature"] = truncated_to_first_signature(pdf)
    return found


# --- the verdicts compared (tests/signing/test_speedups_diff.py, test_speedups_fastdiff.py) ---


def verdicts(pdf: bytes) -> list[tuple[Any, ...]]:
    """Per signature: its field, coverage, DocMDP verdict and the difference analysis (level and changed fields,
    or the suspicious change's type and words), or the error raised."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    try:
        signatures = list(reader.embedded_signatures)
    except Exception as exc:
        return [("error", type(exc).__name__, str(exc))]
    found: list[tuple[Any, ...]] = []
    for sig in signatures:
        try:
            sig.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
            summary = sig.summarise_integrity_info()
        except Exception as exc:
            found.append((sig.field_name, "error", type(exc).__name__, str(exc)))
            continue
        diff = summary["diff_result"]
        if isinstance(diff, DiffResult):
            judged: tuple[Any, ...] = ("diff", diff.modification_level, sorted(diff.changed_form_fields))
        elif diff is None:
            judged = ("none",)
        else:
            judged = ("suspicious", type(diff).__name__, sorted(re.split(r"[\s,]+", str(diff))))
        found.append((sig.field_name, summary["coverage"], summary["docmdp_ok"], judged))
    return found


def report(pdf: bytes, chain: Any) -> dict[str, Any]:
    return validation.report_dict(validation.validate_pdf(pdf, trust_roots=[chain.root]))
