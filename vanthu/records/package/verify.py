"""Check a record package offline: no database, no network. What is checked, in order:

1. It is a package: a readable ZIP with a manifest.json of our format (else "not a package", exit 2).
2. The manifest's seal (manifest.p7s): the CMS signature verifies over manifest.json's exact bytes, and its
   certificate chains to a trusted root; its time-stamp is shown (the TSA's time) when valid.
3. Every file: each one the manifest lists is present once with its size and SHA-256; nothing else is in the
   ZIP. Any difference is named (changed, missing, extra).
4. Unless `signatures=False`, every signed PDF's signatures again (vanthu's PAdES validation), offline, with the
   trusted roots and the revocation data the package carries: reported beside the report made at export.

Trust. By default the roots are the ones the package carries (trust/roots.pem, the exporting deployment's trust
store): that proves the package was not changed after it was sealed by a key of that PKI, but anyone can make a
package with a PKI of their own, so the verdict says the roots were not pinned and prints their fingerprints to
compare with the issuer's. With `roots` given (`--trust PEM`) only those are trusted: a package sealed by any
other key is refused.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _

from vanthu.records.package import FORMAT, MANIFEST, ROOTS, SIGNATURE, seal

CHUNK = 1024 * 1024
MAX_MEMBERS = 200_000
EXIT_INTACT, EXIT_CHANGED, EXIT_NOT_PACKAGE = 0, 1, 2


@dataclass(frozen=True)
class Problem:
    code: str  # changed | missing | extra | seal | untrusted | signature
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "path": self.path, "message": self.message}


@dataclass
class Verdict:
    is_package: bool = True
    reason: str = ""  # why it is not a package
    record: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    files: int = 0
    bytes: int = 0
    seal: seal.SealCheck | None = None
    roots_pinned: bool = False
    roots: list[str] = field(default_factory=list)  # SHA-256 fingerprints of the roots used
    problems: list[Problem] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)  # per PDF: {"file", "valid", "problems"}

    @property
    def intact(self) -> bool:
        return self.is_package and not self.problems

    @property
    def exit_code(self) -> int:
        if not self.is_package:
            return EXIT_NOT_PACKAGE
        return EXIT_INTACT if self.intact else EXIT_CHANGED

    def as_dict(self) -> dict[str, Any]:
        sealed = self.seal
        return {
            "package": self.is_package, "intact": self.intact, "exit": self.exit_code, "reason": self.reason,
            "record": self.record, "created": self.created, "files": self.files, "bytes": self.bytes,
            "seal": None if sealed is None else {
                "valid": sealed.ok, "intact": sealed.intact, "trusted": sealed.trusted, "signer": sealed.signer,
                "certificate_sha256": sealed.certificate_sha256,
                "timestamp": sealed.timestamp.isoformat() if sealed.timestamp else None,
                "timestamp_problem": sealed.timestamp_problem},
            "roots": {"pinned": self.roots_pinned, "sha256": self.roots},
            "problems": [p.as_dict() for p in self.problems],
            "signatures": self.signatures,
        }


def _not_package(reason: str) -> Verdict:
    return Verdict(is_package=False, reason=reason)


def load_roots(data: bytes) -> list[asn1_x509.Certificate]:
    """The certificates of a PEM (one or more) or DER file; ValueError when there is none."""
    if pem.detect(data):
        blocks = [der for kind, _headers, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
    else:
        blocks = [data]
    certificates = [asn1_x509.Certificate.load(der) for der in blocks]
    for certificate in certificates:
        certificate.native  # noqa: B018 - a broken certificate fails here
    if not certificates:
        raise ValueError("no certificate")
    return certificates


def _digest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> tuple[str, int]:
    """SHA-256 and size of a member, reading at most `limit` + 1 bytes (a member larger than it says is
    changed; nothing larger is ever read)."""
    digest, size = hashlib.sha256(), 0
    with archive.open(info) as member:
        while size <= limit and (chunk := member.read(min(CHUNK, limit + 1 - size))):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify(path: Path, *, roots: list[asn1_x509.Certificate] | None = None, signatures: bool = True) -> Verdict:
    """The verdict on the package at `path` (see the module's text)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return _not_package(_("Không phải gói hồ sơ: không đọc được tệp ZIP (%(reason)s).") % {"reason": exc})
    with archive:
        return _verify(archive, roots=roots, signatures=signatures)


def _manifest(archive: zipfile.ZipFile, counts: Counter[str]) -> tuple[bytes, dict[str, Any]] | str:
    if counts[MANIFEST] != 1:
        return _("Không phải gói hồ sơ: không có bản kê (manifest.json).")
    try:
        data = archive.read(MANIFEST)
        manifest = json.loads(data)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            return _("Không phải gói hồ sơ: bản kê không thuộc định dạng %(format)s.") % {"format": FORMAT}
        if not isinstance(manifest.get("files"), list):
            raise ValueError("files")
    except (ValueError, zipfile.BadZipFile, OSError, RuntimeError):
        return _("Không phải gói hồ sơ: bản kê (manifest.json) không đọc được.")
    return data, manifest


def _verify(archive: zipfile.ZipFile, *, roots: list[asn1_x509.Certificate] | None, signatures: bool) -> Verdict:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return _not_package(_("Không phải gói hồ sơ: quá nhiều tệp."))
    counts = Counter(i.filename for i in infos)
    found = _manifest(archive, counts)
    if isinstance(found, str):
        return _not_package(found)
    manifest_bytes, manifest = found
    record = manifest.get("record")
    verdict = Verdict(record=record if isinstance(record, dict) else {},
                      created=str(manifest.get("created", "")))
    problems = verdict.problems
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed[entry["path"]] = entry
    # 2. the roots, then the seal
    if roots is None:
        verdict.roots_pinned = False
        try:
            roots = load_roots(archive.read(ROOTS)) if counts[ROOTS] else []
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile):
            roots = []
    else:
        verdict.roots_pinned = True
    verdict.roots = [r.sha256.hex() for r in roots]
    if counts[SIGNATURE] != 1:
        problems.append(Problem("seal", SIGNATURE, _("Thiếu chữ ký của bản kê (manifest.p7s): gói không được "
                                                     "niêm phong hoặc chữ ký đã bị gỡ.")))
    else:
        verdict.seal = seal.check(manifest_bytes, archive.read(SIGNATURE), roots=roots)
        if not verdict.seal.readable:
            problems.append(Problem("seal", SIGNATURE, _("Chữ ký của bản kê không đọc được (đã bị thay đổi).")))
        elif not verdict.seal.intact:
            problems.append(Problem("seal", SIGNATURE, _("Chữ ký của bản kê không khớp với bản kê: bản kê hoặc chữ "
                                                         "ký đã bị thay đổi (giả mạo).")))
        elif not verdict.seal.trusted:
            problems.append(Problem("untrusted", SIGNATURE, _("Chứng thư ký bản kê (%(signer)s) không do CA gốc tin "
                                                              "cậy cấp.") % {"signer": verdict.seal.signer}))
    # 3. the files
    by_name = {i.filename: i for i in infos}
    for name, count in sorted(counts.items()):
        if name in (MANIFEST, SIGNATURE):
            if count > 1:
                problems.append(Problem("extra", name, _("Tệp %(path)s có hai lần trong gói.") % {"path": name}))
            continue
        if name not in listed:
            problems.append(Problem("extra", name, _("Tệp %(path)s không có trong bản kê (được thêm vào).")
                                    % {"path": name}))
        elif count > 1:
            problems.append(Problem("extra", name, _("Tệp %(path)s có hai lần trong gói.") % {"path": name}))
    for name, entry in listed.items():
        info = by_name.get(name)
        if info is None:
            problems.append(Problem("missing", name, _("Thiếu tệp %(path)s (bị xóa khỏi gói).") % {"path": name}))
            continue
        try:
            size = int(entry.get("size", -1))
            sha256, read = _digest(archive, info, max(size, 0))
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
            sha256, read = "", -1
        verdict.files += 1
        verdict.bytes += max(read, 0)
        if read != size or sha256 != entry.get("sha256"):
            problems.append(Problem("changed", name, _("Tệp %(path)s đã bị thay đổi (SHA-256 không khớp bản kê).")
                                    % {"path": name}))
    # 4. the PDFs' own signatures, again, offline
    if signatures and not problems:
        _recheck(archive, listed, roots, verdict)
    return verdict


def _recheck(archive: zipfile.ZipFile, listed: dict[str, dict[str, Any]], roots: list[asn1_x509.Certificate],
             verdict: Verdict) -> None:
    from vanthu.signing import validation

    crls = [archive.read(name) for name, entry in listed.items() if entry.get("kind") == "revocation"
            and name.endswith(".crl")]
    for name, entry in listed.items():
        if not str(entry.get("kind", "")).startswith("file-") or not name.lower().endswith(".pdf"):
            continue
        data = archive.read(name)
        if not data.lstrip()[:5].startswith(b"%PDF"):
            continue
        result = validation.validate_pdf(data, trust_roots=roots, allow_fetching=False, crls=crls)
        if not result.signatures:
            continue  # an unsigned file as filed (e.g. an incoming scan): nothing to re-check
        reasons = [p for s in result.signatures for p in s.problems] or ([result.problem] if result.problem else [])
        verdict.signatures.append({"file": name, "valid": result.valid, "signatures": len(result.signatures),
                                   "problems": reasons})
