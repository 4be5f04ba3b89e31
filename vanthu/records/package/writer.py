"""Write a record package (the layout in __init__.py). Streams: each file is copied in chunks into the ZIP while
its SHA-256 is computed; only one PDF at a time is held in memory (to validate it and read its DSS), never the
package. The ZIP is written beside the target and renamed at the end, so a failure leaves no half package."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.records.package import FORMAT, MANIFEST, ROOTS, SIGNATURE, metadata_xml
from vanthu.records.package.model import HistoryEvent, RecordSource

CHUNK = 1024 * 1024
ENTRY_TIME = (2020, 1, 1, 0, 0, 0)  # every entry's time in the ZIP: the package's bytes depend on content only

Seal = Callable[[bytes], bytes]  # manifest bytes -> DER CMS signature
Validate = Callable[[bytes], dict[str, Any]]  # PDF bytes -> validation report (signing.validation.report_dict)


@dataclass
class Written:
    path: Path
    files: int = 0
    documents: int = 0
    bytes: int = 0  # the content's bytes (before compression)
    manifest_sha256: str = ""
    entries: list[dict[str, Any]] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name that is one path segment in any archive tool: letters, digits, '.', '-', '_'."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-") or "tep"
    return cleaned[:120]


def revocation_of(pdf: bytes) -> list[tuple[str, bytes]]:
    """The DER certificates, OCSP responses and CRLs a signed PDF carries in its DSS (B-LT, B-LTA), as
    (extension, bytes): 'cer', 'ocsp', 'crl'. Empty for a PDF without a DSS."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore  # pyhanko.sign: only an export pays for it
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        dss = DocumentSecurityStore.read_dss(reader)
    except (NoDSSFoundError, PdfError, ValueError, KeyError, TypeError):
        return []
    found: list[tuple[str, bytes]] = [("cer", c.dump()) for c in dss.load_certs()]
    found += [("ocsp", bytes(ref.get_object().data)) for ref in dss.ocsps]
    found += [("crl", bytes(ref.get_object().data)) for ref in dss.crls]
    return found


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Package:
    def __init__(self, archive: zipfile.ZipFile, result: Written) -> None:
        self.archive = archive
        self.result = result
        self.revocation: set[str] = set()

    def add_stream(self, path: str, source: Readable, *, kind: str, compress: bool) -> None:
        info = zipfile.ZipInfo(path, date_time=ENTRY_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        digest, size = hashlib.sha256(), 0
        with self.archive.open(info, "w", force_zip64=True) as member:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                member.write(chunk)
                size += len(chunk)
        self._listed(path, digest.hexdigest(), size, kind)

    def add_bytes(self, path: str, data: bytes, *, kind: str, compress: bool = True) -> None:
        self.add_stream(path, io.BytesIO(data), kind=kind, compress=compress)

    def _listed(self, path: str, sha256: str, size: int, kind: str) -> None:
        self.result.entries.append({"path": path, "sha256": sha256, "size": size, "kind": kind})
        self.result.files += 1
        self.result.bytes += size

    def add_revocation(self, items: list[tuple[str, bytes]]) -> list[str]:
        paths = []
        for extension, data in items:
            path = f"revocation/{hashlib.sha256(data).hexdigest()}.{extension}"
            paths.append(path)
            if path not in self.revocation:
                self.revocation.add(path)
                self.add_bytes(path, data, kind="revocation", compress=False)
        return paths


def _history_json(events: list[HistoryEvent]) -> bytes:
    rows = [{"at": e.at.isoformat(), "actor": e.actor, "verb": e.verb, "target": e.target, "detail": e.detail}
            for e in events]
    return json.dumps({"events": rows}, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def write(source: RecordSource, *, out: Path, seal: Seal, roots_pem: bytes, validate: Validate | None = None,
          crls: list[bytes] | None = None, created: dt.datetime | None = None) -> Written:
    """Write `source` as a package at `out` (see the module's text). `validate` reports on each signed PDF;
    `crls` (DER) are added beside the revocation data the PDFs carry (e.g. the deployment's own CAs' CRLs)."""
    out = Path(out)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    result = Written(path=out)
    record = source.metadata
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            package = _Package(archive, result)
            package.add_bytes("record/metadata.xml", metadata_xml.record_xml(record), kind="record-metadata")
            for document in source.documents:
                folder = f"documents/{document.metadata.doc_ordinal:03d}"
                package.add_bytes(f"{folder}/metadata.xml",
                                  metadata_xml.document_xml(document.metadata, record=record),
                                  kind="document-metadata")
                reports: list[dict[str, Any]] = []
                taken: set[str] = set()
                for file in document.files:
                    name = safe_name(file.name)
                    while name in taken:
                        name = f"_{name}"
                    taken.add(name)
                    path = f"{folder}/files/{name}"
                    with file.open() as stream:
                        head = stream.read(8)
                        if head.lstrip()[:5].startswith(b"%PDF"):
                            pdf = head + stream.read()
                            package.add_bytes(path, pdf, kind=f"file-{file.kind}", compress=False)
                            references = package.add_revocation(revocation_of(pdf))
                            if validate is not None:
                                reports.append({"file": path, "report": validate(pdf), "revocation": references})
                            del pdf
                        else:
                            package.add_stream(path, _Prefixed(head, stream), kind=f"file-{file.kind}",
                                               compress=True)
                if reports:
                    package.add_bytes(f"{folder}/validation.json",
                                      json.dumps({"validated_at": (created or dt.datetime.now(dt.UTC)).isoformat(),
                                                  "files": reports}, ensure_ascii=False, indent=1).encode("utf-8"),
                                      kind="validation")
                result.documents += 1
            package.add_revocation([("crl", c) for c in crls or ()])
            package.add_bytes("record/history.json", _history_json(source.history), kind="history")
            package.add_bytes(ROOTS, roots_pem, kind="trust")
            manifest = json.dumps({
                "format": FORMAT,
                "created": (created or dt.datetime.now(dt.UTC)).isoformat(),
                "record": {"code": record.code, "title": record.title, "organ_id": record.organ_id,
                           "unit": source.unit_name, "documents": result.documents},
                "files": result.entries,
            }, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
            result.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
            signature = seal(manifest)
            for name, data in ((MANIFEST, manifest), (SIGNATURE, signature)):
                info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return result


class _Prefixed:
    """The bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = self.head, b""
            return data
        return self.rest.read(size)
