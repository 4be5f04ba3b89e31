"""Hostile files at the door (issue 13 item 6, decision 0024): what an upload may not carry, checked on its
content before anything is stored or handed to LibreOffice.

- **DOCX (a zip)**: the end record's entry count first (no listing is read for a file of a million entries),
  then the listing's declared sizes and ratios, then each part decompressed in chunks against a running budget
  (a listing can lie; so can overlapping entries): a part that expands past `DOCX_MAX_EXPANDED` all parts
  together, more than `DOCX_MAX_ENTRIES` parts, or an archive inside an archive inside the document
  (`DOCX_MAX_DEPTH`: an embedded spreadsheet is one level and is checked in turn) is refused, with the figures.
- **PDF**: a walk of every object reachable from the catalogue (iterative, bounded by `PDF_MAX_OBJECTS`):
  JavaScript (`/JS`, a `/JavaScript` action or name tree, an XFA form), actions that leave the reader
  (`/Launch`, `/ImportData`, `/SubmitForm`) wherever they hang (`/OpenAction`, `/AA`, an annotation, a field),
  and embedded files (`/EmbeddedFiles`, `/EF`, `/FileAttachment` annotations) are refused. A plain `/OpenAction`
  (open at page 1) or a link to a web address is not.

Incremental updates after the last signature are not refused here: the signature validation's difference
analysis flags them (signing/validation.py) and the verdict says so.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused

MB = 1024 * 1024
DOCX_MAX_ENTRIES = 2000
DOCX_MAX_EXPANDED = 200 * MB  # all parts of the document together, nested archives included
DOCX_MAX_RATIO = 200  # a part of over 1 MB may expand at most this many times its compressed size
DOCX_MAX_DEPTH = 1  # an archive inside the document (an embedded spreadsheet) is checked; one inside that is not
PDF_MAX_OBJECTS = 200_000
CHUNK = 256 * 1024
ZIP_MAGIC = b"PK\x03\x04"
LEAVING_ACTIONS = ("/Launch", "/ImportData", "/SubmitForm")


def _mb(n: int) -> str:
    return f"{n / MB:,.0f}".replace(",", ".")


class _Budget:
    def __init__(self) -> None:
        self.left = DOCX_MAX_EXPANDED
        self.entries = 0


def _declared_entries(data: bytes) -> int | None:
    """The entry count of the zip's end record (None when there is none; 0xFFFF when zip64 says more)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if at < 0 or at + 22 > len(data):
        return None
    return int(struct.unpack("<H", data[at + 10:at + 12])[0])


def _bomb(name: str, message: str) -> ActionRefused:
    return ActionRefused(_("Tệp “%(name)s” bị từ chối vì là tệp nén bất thường: %(detail)s") % {
        "name": name, "detail": message}, code="zip_bomb", field="file")


def _corrupt(name: str) -> ActionRefused:
    return ActionRefused(_("Tệp “%(name)s” bị hỏng, không đọc được như một tệp DOCX.") % {"name": name},
                         code="docx_corrupt", field="file")


def check_archive(data: bytes, *, name: str) -> None:
    """Refuse a zip-based upload (DOCX) whose parts expand beyond the limits; ActionRefused `zip_bomb`."""
    _check_zip(data, name=name, budget=_Budget(), depth=0)


def _check_zip(data: bytes, *, name: str, budget: _Budget, depth: int) -> None:
    declared = _declared_entries(data)
    if declared is not None and budget.entries + declared > DOCX_MAX_ENTRIES:
        raise _bomb(name, _("có %(count)s phần, quá giới hạn %(limit)s phần.") % {
            "count": "65535+" if declared == 0xFFFF else declared, "limit": DOCX_MAX_ENTRIES})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError,
            struct.error) as exc:
        if depth:
            raise _corrupt(name) from exc
        return  # not an archive after all: the type check says so
    with archive:
        infos = archive.infolist()
        budget.entries += len(infos)
        if budget.entries > DOCX_MAX_ENTRIES:
            raise _bomb(name, _("có %(count)s phần, quá giới hạn %(limit)s phần.") % {
                "count": budget.entries, "limit": DOCX_MAX_ENTRIES})
        total = sum(info.file_size for info in infos)
        if total > budget.left:
            raise _bomb(name, _("các phần bung ra %(expanded)s MB, quá giới hạn %(limit)s MB.") % {
                "expanded": _mb(total), "limit": _mb(DOCX_MAX_EXPANDED)})
        for info in infos:
            if info.file_size > MB and info.file_size > DOCX_MAX_RATIO * max(info.compress_size, 1):
                raise _bomb(name, _("phần “%(part)s” nén %(ratio)s lần (%(expanded)s MB), quá giới hạn %(limit)s "
                                    "lần.") % {"part": info.filename[:80],
                                               "ratio": info.file_size // max(info.compress_size, 1),
                                               "expanded": _mb(info.file_size), "limit": DOCX_MAX_RATIO})
        for info in infos:
            _read_part(archive, info, name=name, budget=budget, depth=depth)


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, budget: _Budget, depth: int) -> None:
    head = b""
    kept: list[bytes] = []
    try:
        with archive.open(info) as part:
            while chunk := part.read(CHUNK):
                budget.left -= len(chunk)
                if budget.left < 0:
                    raise _bomb(name, _("các phần bung ra hơn %(limit)s MB.") % {"limit": _mb(DOCX_MAX_EXPANDED)})
                if len(head) < 4:
                    head = (head + chunk)[:4]
                if head == ZIP_MAGIC:
                    kept.append(chunk)
    except ActionRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError,
            struct.error) as exc:  # a bad CRC, an unknown method, an encrypted part, a truncated stream
        raise _corrupt(name) from exc
    if head == ZIP_MAGIC:
        if depth + 1 > DOCX_MAX_DEPTH:
            raise _bomb(name, _("có tệp nén lồng trong tệp nén quá %(depth)s tầng.") % {"depth": DOCX_MAX_DEPTH})
        _check_zip(b"".join(kept), name=name, budget=budget, depth=depth + 1)


# --- PDF ---------------------------------------------------------------------------------------------------


def _resolved(value: Any, key: str) -> Any:
    from pyhanko.pdf_utils import generic

    found = dict.get(value, key)
    return found.get_object() if isinstance(found, generic.IndirectObject) else found


def pdf_findings(reader: Any) -> dict[str, int]:
    """Count what the PDF carries that vanthu refuses: {"javascript": n, "leaving": n, "embedded": n}; the key
    "too_many" when more than PDF_MAX_OBJECTS objects are reachable. Reads objects lazily, iteratively."""
    from pyhanko.pdf_utils import generic

    found = {"javascript": 0, "leaving": 0, "embedded": 0}
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.root]
    visited = 0
    while stack:
        value = stack.pop()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            found["too_many"] = visited
            return found
        if isinstance(value, generic.IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        if not isinstance(value, generic.DictionaryObject):
            if isinstance(value, generic.ArrayObject):
                stack.extend(value)
            continue
        kind = _resolved(value, "/S")
        if "/JS" in value or "/JavaScript" in value or kind == "/JavaScript" or "/XFA" in value:
            found["javascript"] += 1
        elif kind in LEAVING_ACTIONS:
            found["leaving"] += 1
        if "/EmbeddedFiles" in value or "/EF" in value or _resolved(value, "/Subtype") == "/FileAttachment":
            found["embedded"] += 1
        # /Parent leads back up; a page's /Contents are drawing operators, not structure
        skip = ("/Parent", "/Contents") if _resolved(value, "/Type") == "/Page" else ("/Parent",)
        stack.extend(child for key, child in value.items() if key not in skip)
    return found


def too_complex(name: str) -> ActionRefused:
    return ActionRefused(_("Tệp “%(name)s” có hơn %(limit)s đối tượng PDF, quá phức tạp để kiểm tra an toàn.")
                         % {"name": name, "limit": f"{PDF_MAX_OBJECTS:,}".replace(",", ".")},
                         code="pdf_too_complex", field="file")


def check_pdf(reader: Any, *, name: str) -> None:
    """Refuse a PDF carrying JavaScript, actions that leave the reader, or embedded files (decision 0024)."""
    found = pdf_findings(reader)
    if "too_many" in found:
        raise too_complex(name)
    if found["javascript"] or found["leaving"]:
        raise ActionRefused(
            _("Tệp “%(name)s” chứa mã JavaScript hoặc lệnh tự chạy (%(count)s chỗ); văn bản không được chứa mã. "
              "Hãy in lại tệp ra PDF rồi tải lên.") % {"name": name, "count": found["javascript"] + found["leaving"]},
            code="pdf_active_content", field="file")
    if found["embedded"]:
        raise ActionRefused(
            _("Tệp “%(name)s” có %(count)s tệp nhúng bên trong; hãy tải các phụ lục lên thành tệp riêng.")
            % {"name": name, "count": found["embedded"]}, code="pdf_embedded_files", field="file")
