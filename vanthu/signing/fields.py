"""vanthu's number and date fields of an issued PDF, as the file holds them (decision 0036).

The personal signature adds two empty, read-only text fields over the number and date placeholders (`vanthu_so`,
`vanthu_ngay`: pades_form.add_text_fields); the seal fills them (pades_form.fill_field: the value /V, and an
appearance drawing that text). This module reads them back from a file: each field's value and the text its
appearance shows, for registration.py to compare. An adapter: an open reader in, plain values out, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.signing import fieldtext
from vanthu.signing.pdferrors import UNREADABLE_ERRORS

NUMBER_FIELD = "vanthu_so"
DATE_FIELD = "vanthu_ngay"


@dataclass(frozen=True)
class FilledField:
    """One of vanthu's number and date fields as a file holds it: its value (/V) and the text its appearance
    shows (fieldtext.field_text; None when the appearance is not text drawn as vanthu draws it, or the widget is
    hidden, or the field is not the single widget vanthu writes)."""

    value: str
    shown: str | None


HIDDEN = 1 | 2 | 32  # the annotation flags Invisible, Hidden and NoView


def _filled(field: generic.DictionaryObject) -> FilledField:
    value = field.get("/V")
    text = str(value) if isinstance(value, (generic.TextStringObject, generic.ByteStringObject)) else ""
    if "/Kids" in field or int(field.get("/F", 0)) & HIDDEN:
        return FilledField(value=text, shown=None)
    try:
        normal = field["/AP"]["/N"]
    except (KeyError, TypeError):
        return FilledField(value=text, shown=None)
    shown = fieldtext.field_text(normal) if isinstance(normal, generic.StreamObject) else None
    return FilledField(value=text, shown=shown)


def filled_fields(reader: PdfFileReader) -> dict[str, FilledField]:
    """vanthu's number and date fields (NUMBER_FIELD, DATE_FIELD) of the file's latest revision, by name; a
    name found twice is not read as vanthu's field (shown None). Empty when the file has neither. A field whose
    value or appearance cannot be read is read as not shown; a file the reader cannot open at all is the
    validation's to refuse."""
    found: dict[str, FilledField] = {}
    try:
        listed = reader.root["/AcroForm"]["/Fields"]
    except UNREADABLE_ERRORS:
        return found
    for ref in listed if isinstance(listed, generic.ArrayObject) else ():
        try:
            field = ref.get_object()
            name = str(field.get("/T", "")) if isinstance(field, generic.DictionaryObject) else ""
        except UNREADABLE_ERRORS:
            continue
        if name not in (NUMBER_FIELD, DATE_FIELD):
            continue
        try:
            filled = _filled(field)
        except UNREADABLE_ERRORS:  # an appearance that cannot be decoded shows nothing that can be read
            filled = FilledField(value="", shown=None)
        found[name] = FilledField(value=filled.value, shown=None) if name in found else filled
    return found
