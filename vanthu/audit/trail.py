"""The audit export (`vanthu audit export`) and its offline check (`vanthu audit verify FILE`); decision 0022.

The file is a ZIP:
  manifest.json      {"format": "vanthu-audit-export/1", chain, unit, from, to, created, first_seq, last_seq,
                      events, checkpoints, files: {name: sha256}}
  manifest.p7s       detached CMS signature (DER, time-stamped) over manifest.json, by the deployment's key
  events.jsonl       one event a line: exactly the fields its hash covers, plus "hash"
  checkpoints.jsonl  one checkpoint a line: {"statement": the signed JSON text, "signature": base64 DER CMS}
  certs/roots.pem    the exporting deployment's trust roots (shown, trusted only when no --roots is given)

The events run from just after a checkpoint (or the chain's start) to a checkpoint (the export makes one of
the head when none follows the range), so every event is linked to a signed hash at both ends. The check, with
no database and no network: every line's hash recomputed (an edit), sequence numbers consecutive (a deletion,
insertion or reordering), each event's `prev` the hash before it (a link), each checkpoint's signature by a
certificate chaining to the roots and its hash equal to the event it names (a rewritten chain), the last event
being the last checkpoint's (a cut tail), and the manifest's seal and digests (a cut after the last checkpoint
would change the sealed counts). This module knows no key: the caller gives `seal` (bytes → CMS) and `check`
(bytes, CMS → SignatureCheck).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from vanthu.audit import checkpoints
from vanthu.audit.log import GENESIS, _digest

FORMAT = "vanthu-audit-export/1"
MANIFEST, SEAL, EVENTS, CHECKPOINTS, ROOTS = ("manifest.json", "manifest.p7s", "events.jsonl", "checkpoints.jsonl",
                                             "certs/roots.pem")
EXIT_INTACT, EXIT_TAMPERED, EXIT_UNREADABLE = 0, 1, 2
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
HASHED = ("chain", "seq", "at", "actor_id", "actor_name", "verb", "target_type", "target_id", "unit_id", "data",
          "prev")


def _line(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def write(out: Any, *, manifest: dict[str, Any], events: Iterable[dict[str, Any]],
          checkpoint_rows: Iterable[tuple[str, bytes]], roots_pem: bytes,
          seal: Callable[[bytes], bytes]) -> dict[str, Any]:
    """Write the ZIP to `out`. `events`: the hashed fields plus "hash"; `checkpoint_rows`: (statement, CMS)."""
    events_body = b"".join(_line(e) for e in events)
    checkpoints_body = b"".join(_line({"statement": s, "signature": base64.b64encode(sig).decode("ascii")})
                                for s, sig in checkpoint_rows)
    full = {**manifest, "format": FORMAT, "files": {
        EVENTS: hashlib.sha256(events_body).hexdigest(), CHECKPOINTS: hashlib.sha256(checkpoints_body).hexdigest()}}
    manifest_body = json.dumps(full, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_body)
        archive.writestr(SEAL, seal(manifest_body))
        archive.writestr(EVENTS, events_body)
        archive.writestr(CHECKPOINTS, checkpoints_body)
        archive.writestr(ROOTS, roots_pem)
    return full


@dataclass(frozen=True)
class SignatureCheck:
    intact: bool  # the signature is over these bytes
    trusted: bool  # by a certificate chaining to the roots
    signer: str = ""
    timestamp: str = ""  # the TSA's time when its token is valid and trusted


@dataclass(frozen=True)
class Problem:
    check: str  # content | sequence | link | checkpoint | checkpoint-signature | untrusted | tail | manifest
    seq: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "seq": self.seq, "message": self.message}


@dataclass
class Verdict:
    readable: bool = True
    reason: str = ""
    manifest: dict[str, Any] = field(default_factory=dict)
    events: int = 0
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    seal_signer: str = ""
    seal_timestamp: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if not self.readable:
            return EXIT_UNREADABLE
        return EXIT_TAMPERED if self.problems else EXIT_INTACT

    def as_dict(self) -> dict[str, Any]:
        m = self.manifest
        return {"readable": self.readable, "intact": self.exit_code == EXIT_INTACT, "exit": self.exit_code,
                "reason": self.reason, "chain": m.get("chain"), "unit": m.get("unit"), "from": m.get("from"),
                "to": m.get("to"), "created": m.get("created"), "events": self.events,
                "checkpoints": self.checkpoints, "signer": self.seal_signer, "sealed_at": self.seal_timestamp,
                "problems": [p.as_dict() for p in self.problems]}


def _unreadable(reason: str) -> Verdict:
    return Verdict(readable=False, reason=reason)


def _read_members(raw: bytes) -> dict[str, bytes] | str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = set(archive.namelist())
        missing = [n for n in (MANIFEST, SEAL, EVENTS, CHECKPOINTS) if n not in names]
        if missing:
            return _("thiếu %(names)s") % {"names": ", ".join(missing)}
        members: dict[str, bytes] = {}
        for info in archive.infolist():
            if info.file_size > MAX_MEMBER_BYTES:
                return _("tệp %(name)s quá lớn") % {"name": info.filename}
            members[info.filename] = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return _("không phải tệp ZIP đọc được")
    return members


def _jsonl(body: bytes) -> list[dict[str, Any]]:
    rows = []
    for text in body.decode("utf-8").splitlines():
        if text.strip():
            row = json.loads(text)
            if not isinstance(row, dict):
                raise ValueError("not an object")
            rows.append(row)
    return rows


def verify(raw: bytes, *, check: Callable[[bytes, bytes], SignatureCheck]) -> Verdict:
    """Check an export's bytes offline. `check(data, cms_der)` verifies a signature against the trust roots."""
    members = _read_members(raw)
    if isinstance(members, str):
        return _unreadable(members)
    try:
        manifest = json.loads(members[MANIFEST].decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            return _unreadable(_("manifest.json không phải của một bản xuất nhật ký vanthu"))
        events = _jsonl(members[EVENTS])
        marks = _jsonl(members[CHECKPOINTS])
    except (ValueError, UnicodeDecodeError):
        return _unreadable(_("nội dung không đọc được (JSON hỏng)"))
    verdict = Verdict(manifest=manifest, events=len(events))
    problems: list[Problem] = []
    _check_events(events, manifest, problems)
    signed = _check_checkpoints(marks, manifest, check, verdict, problems)
    _check_coverage(events, manifest, signed, problems)
    _check_manifest(members, manifest, check, verdict, problems)
    verdict.problems = problems
    return verdict


def _check_events(events: list[dict[str, Any]], manifest: dict[str, Any], problems: list[Problem]) -> None:
    chain = manifest.get("chain")
    first = manifest.get("first_seq")
    expected = first if isinstance(first, int) else (events[0].get("seq") if events else 1)
    prev: str | None = None
    for index, event in enumerate(events, start=1):
        seq = event.get("seq")
        seq_n = seq if isinstance(seq, int) else None
        if seq != expected:
            problems.append(Problem("sequence", seq_n, _(
                "dòng %(line)s: sự kiện số %(seq)s, đáng lẽ là số %(expected)s (có sự kiện bị xóa, chèn thêm hoặc "
                "đổi thứ tự)") % {"line": index, "seq": seq, "expected": expected}))
            expected = seq if isinstance(seq, int) else expected
        if event.get("chain") != chain:
            problems.append(Problem("content", seq_n, _("sự kiện số %(seq)s: không thuộc chuỗi %(chain)s")
                                    % {"seq": seq, "chain": chain}))
        fields = {name: event.get(name) for name in HASHED}
        if _digest(fields) != event.get("hash"):
            problems.append(Problem("content", seq_n, _(
                "sự kiện số %(seq)s: mã băm tính lại không khớp (nội dung đã bị sửa)") % {"seq": seq}))
        if prev is not None and event.get("prev") != prev:
            problems.append(Problem("link", seq_n, _(
                "sự kiện số %(seq)s: không nối với mã băm của sự kiện trước nó") % {"seq": seq}))
        prev = str(event.get("hash"))
        expected = (expected or 0) + 1


def _check_checkpoints(marks: list[dict[str, Any]], manifest: dict[str, Any],
                       check: Callable[[bytes, bytes], SignatureCheck], verdict: Verdict,
                       problems: list[Problem]) -> dict[int, str]:
    """The checkpoints whose signature holds: {seq: hash}."""
    signed: dict[int, str] = {}
    for index, mark in enumerate(marks, start=1):
        raw = str(mark.get("statement", "")).encode("utf-8")
        try:
            body = checkpoints.parse_statement(raw)
            signature = base64.b64decode(str(mark.get("signature", "")), validate=True)
        except (ValueError, UnicodeDecodeError):
            problems.append(Problem("checkpoint-signature", None, _(
                "điểm kiểm tra thứ %(n)s: không đọc được") % {"n": index}))
            continue
        seq = body["seq"]
        result = check(raw, signature)
        verdict.checkpoints.append({"seq": seq, "hash": body["hash"], "at": body.get("at"), "signer": result.signer,
                                    "timestamp": result.timestamp, "valid": result.intact and result.trusted})
        if not result.intact:
            problems.append(Problem("checkpoint-signature", seq, _(
                "điểm kiểm tra tại sự kiện số %(seq)s: chữ ký số không hợp lệ (điểm kiểm tra bị sửa hoặc giả)")
                % {"seq": seq}))
        elif not result.trusted:
            problems.append(Problem("untrusted", seq, _(
                "điểm kiểm tra tại sự kiện số %(seq)s: chứng thư ký không thuộc các gốc tin cậy đã cho")
                % {"seq": seq}))
        elif body.get("chain") != manifest.get("chain"):
            problems.append(Problem("checkpoint", seq, _(
                "điểm kiểm tra tại sự kiện số %(seq)s: thuộc chuỗi khác") % {"seq": seq}))
        else:
            signed[seq] = body["hash"]
    return signed


def _check_coverage(events: list[dict[str, Any]], manifest: dict[str, Any], signed: dict[int, str],
                    problems: list[Problem]) -> None:
    by_seq: dict[int, dict[str, Any]] = {e["seq"]: e for e in events if isinstance(e.get("seq"), int)}
    first, last = manifest.get("first_seq"), manifest.get("last_seq")
    if events and isinstance(first, int):
        anchor = GENESIS if first == 1 else signed.get(first - 1)
        if anchor is None:
            problems.append(Problem("checkpoint", first, _(
                "không có điểm kiểm tra hợp lệ ngay trước sự kiện số %(seq)s") % {"seq": first}))
        elif events[0].get("prev") != anchor:
            problems.append(Problem("link", events[0].get("seq"), _(
                "sự kiện đầu tiên không nối với điểm kiểm tra trước nó")))
    for seq, digest in sorted(signed.items()):
        if isinstance(first, int) and seq == first - 1:
            continue
        event = by_seq.get(seq)
        if event is None:
            problems.append(Problem("tail" if not by_seq or seq > max(by_seq) else "checkpoint", seq, _(
                "điểm kiểm tra nêu sự kiện số %(seq)s nhưng tệp không có sự kiện đó (bị cắt hoặc xóa)")
                % {"seq": seq}))
        elif event.get("hash") != digest:
            problems.append(Problem("checkpoint", seq, _(
                "sự kiện số %(seq)s: mã băm khác với mã băm điểm kiểm tra đã ký (chuỗi đã bị viết lại)")
                % {"seq": seq}))
    ends = max(signed) if signed else None
    tail = events[-1].get("seq") if events else None
    if tail is not None and (ends is None or tail != ends):
        problems.append(Problem("tail", tail if isinstance(tail, int) else None, _(
            "các sự kiện sau điểm kiểm tra cuối cùng không được ký")))
    if isinstance(last, int) and tail != last:
        problems.append(Problem("tail", last, _(
            "bản kê khai đã ký ghi sự kiện cuối là số %(last)s, tệp kết thúc ở số %(tail)s (bị cắt đuôi)")
            % {"last": last, "tail": tail}))


def _check_manifest(members: dict[str, bytes], manifest: dict[str, Any],
                    check: Callable[[bytes, bytes], SignatureCheck], verdict: Verdict,
                    problems: list[Problem]) -> None:
    result = check(members[MANIFEST], members[SEAL])
    verdict.seal_signer, verdict.seal_timestamp = result.signer, result.timestamp
    if not result.intact:
        problems.append(Problem("manifest", None, _("bản kê khai (manifest.json): chữ ký số không hợp lệ")))
    elif not result.trusted:
        problems.append(Problem("untrusted", None, _(
            "bản kê khai (manifest.json): chứng thư ký không thuộc các gốc tin cậy đã cho")))
    listed = manifest.get("files")
    files: dict[str, Any] = listed if isinstance(listed, dict) else {}
    for name in (EVENTS, CHECKPOINTS):
        if files.get(name) != hashlib.sha256(members[name]).hexdigest():
            problems.append(Problem("manifest", None, _(
                "%(name)s: mã băm khác với bản kê khai đã ký") % {"name": name}))


def members_roots(raw: bytes) -> bytes:
    """The roots an export carries (certs/roots.pem); ValueError when it has none."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return archive.read(ROOTS)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise ValueError(_("tệp không mang CA gốc tin cậy")) from exc
