"""Adversarial variants of vanthu's issuance for a "strict fast path" before pyHanko's difference analysis
(decision 0039): the seal's revision written by vanthu's own code with one more change made inside it (what a
clerk holding the unit's key could do while sealing), changes in a revision after the seal, and signed drafts
whose later revisions are exactly vanthu's shapes but whose signed revision decides pyHanko's verdict.

Every function returns PDF bytes; tests/signing/test_speedups_fastdiff.py judges them."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import types
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing import diff_corpus
from vanthu.signing import appearance, pades, pades_engine, pades_form
from vanthu.signing.bench import BLOCK, DATE, NUMBER, BenchPki

Change = Callable[[IncrementalPdfFileWriter], None]


def services(chain: BenchPki, level: str) -> pades_engine.Services:
    return pades_engine.Services(level=level, timestamper=chain.timestamper if level != "B-B" else None)


def personal(draft: bytes, chain: BenchPki, level: str = "B-B") -> bytes:
    return pades.sign_personal_with(draft, credential=chain.person, block=BLOCK, reason="Phê duyệt",
                                    found_services=services(chain, level), size_mm=(35.0, 14.0))


def personal_unchecked(draft: bytes, chain: BenchPki, level: str = "B-B") -> bytes:
    """The personal signature over a draft whose objects are not all read first (as vanthu signed before decision
    0036; `personal`, as vanthu signs now, refuses a draft with an object that does not parse)."""
    job = pades._personal_job(pades_form.open_writer(draft), draft, credential=chain.person, block=BLOCK,
                              reason="Phê duyệt", found_services=services(chain, level), size_mm=(35.0, 14.0))
    return pades_engine.run_signing(job)


def sealed(signed: bytes, chain: BenchPki, *, level: str = "B-B", change: Change | None = None,
           number: str = NUMBER, date: str = DATE) -> bytes:
    """vanthu's seal over `signed` (pades._issued_job, as seal_issued_with runs it), with `change` made in the
    same revision after vanthu's own filling of the number and date."""
    writer = pades_form.open_writer(signed)
    job = pades._issued_job(writer, signed, credential=chain.unit, number_text=number, date_text=date,
                            found_services=services(chain, level), size_mm=(38.0, 38.0))
    if change is not None:
        with_change(job, change)
    return pades_engine.run_signing(job)


def with_change(job: pades_engine.Job, change: Change) -> pades_engine.Job:
    """`job` (a seal's) making `change` in its revision after vanthu's own filling of the number and date."""
    fill = job.modify

    def modify(target: IncrementalPdfFileWriter) -> None:
        fill(target)
        change(target)

    job.modify = modify
    return job


@contextlib.contextmanager
def issuance_sealing_with(change: Change) -> Iterator[None]:
    """vanthu's issuance as it runs (documents' issue_outgoing, service.UnitSeal, pades.seal_issued_with), its
    seal's revision making `change` after the filling: the seal of the main file only (the text-only seals of
    attachments and copies are left alone)."""
    original = pades.run_signing

    def run(job: pades_engine.Job) -> bytes:
        if job.visible is not None and job.visible.field_name.startswith(pades.SEAL_FIELD):
            with_change(job, change)
        return original(job)

    pades.run_signing = run
    try:
        yield
    finally:
        pades.run_signing = original


def _field(writer: IncrementalPdfFileWriter, name: str) -> generic.DictionaryObject:
    return pades_form.form_fields(writer)[name].get_object()


def widget_moved(name: str) -> Change:
    def change(writer: IncrementalPdfFileWriter) -> None:
        field = _field(writer, name)
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        field[pdf_name("/Rect")] = generic.ArrayObject(generic.FloatObject(v) for v in (x1, y1 - 300, x2, y2 - 300))
        writer.update_container(field)

    return change


def personal_signature_dictionary_overwritten(writer: IncrementalPdfFileWriter) -> None:
    """The personal signature's /V dictionary (an object of the signed revision) written again with another
    /Reason, its /Contents and /ByteRange kept."""
    value = _field(writer, pades.PERSONAL_FIELD).raw_get("/V")
    sig = value.get_object()
    sig[pdf_name("/Reason")] = pdf_string("Không đồng ý")
    writer.update_container(sig)


def number_appearance_reuses_signed_stream(writer: IncrementalPdfFileWriter) -> None:
    """The number field's appearance pointed at a stream of the signed revision (the personal signature's)."""
    personal_ap = _field(writer, pades.PERSONAL_FIELD)["/AP"].raw_get("/N")
    field = _field(writer, pades_form.NUMBER_FIELD)
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): personal_ap})
    writer.update_container(field)


def number_value_without_appearance(writer: IncrementalPdfFileWriter) -> None:
    """/V says another number than the appearance shows."""
    field = _field(writer, pades_form.NUMBER_FIELD)
    field[pdf_name("/V")] = pdf_string("Số: 99/KH-TM")
    writer.update_container(field)


def field_refilled(name: str, text: str) -> Change:
    """The field filled again by vanthu's own code (pades_form.fill_field) with `text`: its value and its
    appearance agree, on another number or date than the one issued."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        pades_form.fill_field(writer, pades_form.form_fields(writer)[name], name, text)

    return change


def field_appearance_shows(name: str, text: str) -> Change:
    """The field's appearance drawn by vanthu's own code for `text`, its value left as filled: the page shows
    another number or date than the field says."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        ref = pades_form.form_fields(writer)[name]
        value = ref.get_object()["/V"]
        pades_form.fill_field(writer, ref, name, text)
        field = ref.get_object()
        field[pdf_name("/V")] = value
        writer.update_container(field)

    return change


def field_drawn_with_lying_map(name: str, drawn: str, value: str) -> Change:
    """The field's appearance drawn by vanthu's own code for `drawn` (vanthu's own embedded font program), with
    a ToUnicode map that names, for each glyph where `drawn` and `value` differ, the character of `value`; its
    value left as `value`. A reader of the text (the map) reads `value`; the eye sees `drawn` (decision 0045)."""
    assert len(drawn) == len(value)

    def lying_templates(font: appearance.FontSubset) -> appearance.FontTemplates:
        gids = dict(font.gids)
        for shown, said in zip(drawn, value, strict=True):
            if shown != said:
                gids.pop(said, None)
                gids[said] = gids.pop(shown)
        lies = appearance._to_unicode(types.SimpleNamespace(gids=gids))  # type: ignore[arg-type]
        return dataclasses.replace(real_templates(font), to_unicode=zlib.compress(lies, 6))

    real_templates = appearance._templates

    def change(writer: IncrementalPdfFileWriter) -> None:
        ref = pades_form.form_fields(writer)[name]
        appearance._templates = lying_templates
        try:
            pades_form.fill_field(writer, ref, name, drawn)
        finally:
            appearance._templates = real_templates
        field = ref.get_object()
        field[pdf_name("/V")] = pdf_string(value)
        writer.update_container(field)

    return change


def number_flags_changed(writer: IncrementalPdfFileWriter) -> None:
    field = _field(writer, pades_form.NUMBER_FIELD)
    field[pdf_name("/Ff")] = generic.NumberObject(0)
    field[pdf_name("/DA")] = pdf_string("/Helv 40 Tf 1 0 0 rg")
    writer.update_container(field)


def catalog_entry(key: str, value: Callable[[IncrementalPdfFileWriter], generic.PdfObject]) -> Change:
    def change(writer: IncrementalPdfFileWriter) -> None:
        writer.root[pdf_name(key)] = value(writer)
        writer.update_root()

    return change


def _javascript(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    return generic.DictionaryObject({pdf_name("/S"): pdf_name("/JavaScript"),
                                     pdf_name("/JS"): pdf_string("app.alert(1)")})


def _names(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    action = writer.add_object(_javascript(writer))
    return generic.DictionaryObject({pdf_name("/JavaScript"): generic.DictionaryObject(
        {pdf_name("/Names"): generic.ArrayObject([pdf_string("x"), action])})})


def _catalog_aa(writer: IncrementalPdfFileWriter) -> generic.PdfObject:
    return generic.DictionaryObject({pdf_name("/WC"): _javascript(writer)})


def page_aa_added(writer: IncrementalPdfFileWriter) -> None:
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page[pdf_name("/AA")] = generic.DictionaryObject({pdf_name("/O"): _javascript(writer)})
    writer.update_container(page)


def acroform_entry_added(writer: IncrementalPdfFileWriter) -> None:
    form = writer.root["/AcroForm"]
    form[pdf_name("/XFA")] = pdf_string("<xdp/>")
    raw = writer.root.raw_get("/AcroForm")
    writer.update_container(raw.get_object() if isinstance(raw, generic.IndirectObject) else writer.root)


def second_signature_field_added(writer: IncrementalPdfFileWriter) -> None:
    """An extra, empty and invisible signature field besides the seal's."""
    field = writer.add_object(generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Sig"), pdf_name("/T"): pdf_string("khac"),
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/Rect"): generic.ArrayObject(generic.NumberObject(0) for _ in range(4)),
    }))
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field)
    raw = writer.root.raw_get("/AcroForm")
    writer.update_container(raw.get_object() if isinstance(raw, generic.IndirectObject) else writer.root)


IN_SEAL_REVISION: dict[str, Change] = {
    "content_replaced": diff_corpus.content_replaced,
    "content_overlaid": diff_corpus.content_overlaid,
    "content_stream_rewritten": diff_corpus.content_stream_rewritten,
    "page_added": diff_corpus.page_added,
    "mediabox_changed": diff_corpus.mediabox_changed,
    "font_swapped": diff_corpus.font_swapped,
    "text_annotation_added": diff_corpus.annotation_added,
    "link_annotation_added": lambda w: diff_corpus.annotation_added(w, "/Link"),
    "text_field_added": diff_corpus.field_added,
    "second_signature_field_added": second_signature_field_added,
    "personal_signature_widget_moved": widget_moved(pades.PERSONAL_FIELD),
    "personal_signature_appearance_replaced": diff_corpus.signature_appearance_replaced,
    "personal_signature_dictionary_overwritten": personal_signature_dictionary_overwritten,
    "number_widget_moved": widget_moved(pades_form.NUMBER_FIELD),
    "number_flags_and_look_changed": number_flags_changed,
    "number_appearance_reuses_signed_stream": number_appearance_reuses_signed_stream,
    "number_value_differs_from_appearance": number_value_without_appearance,
    "catalog_open_action": diff_corpus.catalog_open_action,
    "catalog_names_javascript": catalog_entry("/Names", _names),
    "catalog_aa": catalog_entry("/AA", _catalog_aa),
    "page_aa": page_aa_added,
    "acroform_xfa_added": acroform_entry_added,
    "unreferenced_object_added": diff_corpus.orphan_added,
    "info_changed": diff_corpus.info_changed,
    "metadata_added": diff_corpus.metadata_added,
    "page_rewritten_identically": diff_corpus.identical_rewrite,
}


def seal_value_pointing_at_personal_dictionary(writer: IncrementalPdfFileWriter) -> None:
    personal_value = _field(writer, pades.PERSONAL_FIELD).raw_get("/V")
    seal = _field(writer, pades.SEAL_FIELD)
    seal[pdf_name("/V")] = personal_value
    writer.update_container(seal)


def seal_value_pointing_at_new_dictionary(writer: IncrementalPdfFileWriter) -> None:
    seal = _field(writer, pades.SEAL_FIELD)
    copy = generic.DictionaryObject({k: v for k, v in seal["/V"].items()})
    copy[pdf_name("/Reason")] = pdf_string("khác")
    seal[pdf_name("/V")] = writer.add_object(copy)
    writer.update_container(seal)


AFTER_SEAL: dict[str, Change] = {
    "number_value_changed": diff_corpus.field_value_changed,
    "date_value_changed": lambda w: diff_corpus.field_value_changed(w, pades_form.DATE_FIELD),
    "seal_value_points_at_personal_dictionary": seal_value_pointing_at_personal_dictionary,
    "seal_value_points_at_new_dictionary": seal_value_pointing_at_new_dictionary,
    "content_replaced": diff_corpus.content_replaced,
    "text_annotation_added": diff_corpus.annotation_added,
    "page_rewritten_identically": diff_corpus.identical_rewrite,
    "unreferenced_object_added": diff_corpus.orphan_added,
}


def _hand_written_revision(pdf: bytes, objects: list[tuple[int, bytes]], *, size: int, root: int) -> bytes:
    """`pdf` followed by a revision written by hand: `objects` (number, the text between "obj" and "endobj"),
    a classic cross-reference table with one subsection each, and a trailer naming `root` and `size`."""
    startxref = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    out = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    table = b"xref\n0 1\n0000000000 65535 f \n"
    for number, text in objects:
        table += f"{number} 1\n{len(out):010d} 00000 n \n".encode()
        out += f"{number} 0 obj\n".encode() + text + b"\nendobj\n"
    table += f"trailer\n<< /Size {size} /Root {root} 0 R /Prev {startxref} >>\n".encode()
    return out + table + f"startxref\n{len(out)}\n%%EOF\n".encode()


def _catalog_copy(reader: PdfFileReader, name: str, value: Any) -> bytes:
    """The text of the document's catalog with `name` set to `value`."""
    catalog = generic.DictionaryObject({k: v for k, v in reader.root.items()})
    catalog[pdf_name(name)] = value
    body = io.BytesIO()
    catalog.write_to_stream(body, None)
    return body.getvalue()


def catalog_replaced_by_trailer(pdf: bytes) -> bytes:
    """A hand-written revision whose trailer's /Root is a new catalog (a copy of the old one with an
    /OpenAction): nothing of the old objects is overwritten."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    size = int(reader.trailer["/Size"])
    catalog = _catalog_copy(reader, "/OpenAction", _javascript(None))  # type: ignore[arg-type]
    return _hand_written_revision(pdf, [(size, catalog)], size=size + 1, root=size)


def number_object_freed(pdf: bytes) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    ref = next(iter(reader.root["/AcroForm"]["/Fields"]))
    return diff_corpus.object_freed(pdf, ref.idnum)


# --- signed drafts that decide the verdict ---------------------------------------------------------------


def _number_field_idnum(signed: bytes) -> int:
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    for ref in reader.root["/AcroForm"]["/Fields"]:
        if str(ref.get_object().get("/T")) == pades_form.NUMBER_FIELD:
            return int(ref.idnum)
    raise LookupError


def draft_with_dangling_reference(draft: bytes, chain: BenchPki) -> bytes:
    """A draft whose catalog refers to an object number it does not define, the one vanthu's personal signature
    then gives the number field: in the signed revision the number field is also reachable from /Root/Foo.
    The seal's revision after it is exactly vanthu's."""

    def with_reference(idnum: int) -> bytes:
        return diff_corpus.update(draft, catalog_entry("/Foo", lambda w: generic.IndirectObject(idnum, 0, None)))

    probe = personal(with_reference(1), chain)
    return with_reference(_number_field_idnum(probe))


def draft_with_broken_object(draft: bytes) -> bytes:
    """A draft whose catalog refers to an object whose text does not parse."""
    reader = PdfFileReader(io.BytesIO(draft), strict=False)
    size = int(reader.trailer["/Size"])
    root = int(reader.trailer.raw_get("/Root").idnum)
    catalog = _catalog_copy(reader, "/Foo", generic.IndirectObject(size + 1, 0, None))
    return _hand_written_revision(draft, [(root, catalog), (size + 1, BROKEN_TEXT)], size=size + 2, root=root)


BROKEN_TEXT = b"<< /A [1 2 >> ]] )"


def draft_with_broken_contents(draft: bytes) -> bytes:
    """A draft whose first page's content stream is an object whose dictionary does not parse (the page
    refers to it by the same number). pyHanko's validation of the signed draft does not read it; its difference
    analysis of the seal does, and calls the issued file unreadable."""
    reader = PdfFileReader(io.BytesIO(draft), strict=False)
    contents = reader.root["/Pages"]["/Kids"][0].get_object().raw_get("/Contents")
    idnum = int((contents if isinstance(contents, generic.IndirectObject) else contents[0]).idnum)
    root = int(reader.trailer.raw_get("/Root").idnum)
    return _hand_written_revision(draft, [(idnum, BROKEN_TEXT + b"\nstream\nBT ET\nendstream")],
                                  size=int(reader.trailer["/Size"]), root=root)


def draft_with_broken_info(draft: bytes) -> bytes:
    """A draft whose document information dictionary (the trailer's /Info) does not parse."""
    reader = PdfFileReader(io.BytesIO(draft), strict=False)
    info = int(reader.trailer.raw_get("/Info").idnum)
    return _hand_written_revision(draft, [(info, BROKEN_TEXT)], size=int(reader.trailer["/Size"]),
                                  root=int(reader.trailer.raw_get("/Root").idnum))


def draft_with_broken_orphan(draft: bytes) -> bytes:
    """A draft whose cross-reference table lists an object that nothing refers to and that does not parse."""
    reader = PdfFileReader(io.BytesIO(draft), strict=False)
    size = int(reader.trailer["/Size"])
    return _hand_written_revision(draft, [(size, BROKEN_TEXT)], size=size + 1,
                                  root=int(reader.trailer.raw_get("/Root").idnum))


def with_xref_stream(draft: bytes) -> bytes:
    """The draft rewritten with a cross-reference stream: vanthu's revisions after it are then written with
    cross-reference streams too (pyHanko's incremental writer follows the file)."""
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(draft), strict=False), {"stream_xrefs": True})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
