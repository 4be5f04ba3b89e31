"""The catalogue of issuing bodies (cơ quan ban hành): the org tree plus the directory of outside agencies.

`fold` is what the autocomplete compares (lower case, no diacritics, đ → d): "bo quoc phong" finds "Bộ Quốc
phòng", and so does either of its codes. `parse` reads a directory file (CSV or XLSX: name, short name, QCVN 102
code, QĐ 20/2020 code; a header row is skipped) into plain rows for the import action; `suggest` answers the
registration form's autocomplete, its detail naming both codes when known.
"""

from __future__ import annotations

import contextlib
import csv
import io
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused
from vanthu.org.models import Agency, Unit

SUGGEST_LIMIT = 12
HEADER_WORDS = {"ten", "ten co quan", "name", "co quan"}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


@dataclass(frozen=True)
class AgencyRow:
    line: int
    name: str
    short_name: str = ""
    code: str = ""
    code_qd20: str = ""


def codes(code: str, code_qd20: str) -> str:
    """Both identifiers for display: "000.00.00.G01 · G01" (either alone when the other is unknown)."""
    return " · ".join(c for c in (code, code_qd20) if c)


def parse(data: bytes, *, filename: str) -> list[AgencyRow]:
    """The rows of a CSV (UTF-8, comma or semicolon) or XLSX file; refused with the file's fault named."""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        cells = _xlsx_rows(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ActionRefused(_("Tệp CSV phải mã hóa UTF-8."), code="file_encoding", field="file") from exc
        dialect: type[csv.Dialect] = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        cells = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    rows: list[AgencyRow] = []
    for line, cols in enumerate(cells, start=1):
        values = [str(c).strip() if c is not None else "" for c in cols] + ["", "", "", ""]
        name, short, code, code_qd20 = values[0], values[1], values[2], values[3]
        if not any(values[:4]):
            continue
        if line == 1 and fold(name) in HEADER_WORDS:
            continue
        rows.append(AgencyRow(line=line, name=name, short_name=short, code=code, code_qd20=code_qd20))
    if not rows:
        raise ActionRefused(_("Tệp không có dòng cơ quan nào."), code="file_empty", field="file")
    return rows


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any fault of the file is the same refusal
        raise ActionRefused(_("Không đọc được tệp Excel (XLSX)."), code="file_type", field="file") from exc
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@dataclass(frozen=True)
class Suggestion:
    name: str
    detail: str


def suggest(query: str) -> list[Suggestion]:
    """Issuing bodies whose name or short name contains the folded query: units of the tree first, then
    the outside agencies. The tree is a few hundred rows (folded in Python); agencies are matched in SQL on
    their stored folded name."""
    q = fold(query)
    if len(q) < 2:
        return []
    out: list[Suggestion] = []
    units = Unit.objects.filter(is_active=True).only("name", "short_name", "code", "code_qd20")
    for unit in units.order_by("depth", "path"):
        if q in fold(unit.name) or q in fold(unit.short_name) or q in fold(codes(unit.code or "", unit.code_qd20)):
            known = codes(unit.code or "", unit.code_qd20)
            out.append(Suggestion(unit.name, f"{_('Đơn vị trong hệ thống')} · {known}" if known
                                  else _("Đơn vị trong hệ thống")))
            if len(out) >= SUGGEST_LIMIT:
                return out
    agencies = Agency.objects.filter(is_active=True, folded__contains=q).order_by("name")[:SUGGEST_LIMIT]
    names = {s.name for s in out}
    for agency in agencies:
        if agency.name not in names:
            detail = " · ".join(p for p in (agency.short_name, codes(agency.code, agency.code_qd20)) if p)
            out.append(Suggestion(agency.name, detail or _("Cơ quan ngoài")))
    return out[:SUGGEST_LIMIT]
