"""The tampering drill (`vanthu audit tamper-drill`): take a real audit export, change it the ways an
attacker would, one case at a time, and check each with `audit.trail.verify` as `vanthu audit verify F`
does. A case is detected when the verdict is "tampered" (exit 1) and names the check expected to catch it.
The figures go to docs/security.md ("tampering cases detected out of tried")."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vanthu.audit import trail
from vanthu.audit.log import _digest

Members = dict[str, bytes]


@dataclass(frozen=True)
class Case:
    name: str
    expected: str  # the check that must fail
    change: Callable[[Members], Members]
    wrong_roots: bool = False


def _events(m: Members) -> list[dict[str, Any]]:
    return [json.loads(line) for line in m[trail.EVENTS].decode("utf-8").splitlines() if line.strip()]


def _dump(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(trail._line(r) for r in rows)


def _with(m: Members, name: str, body: bytes) -> Members:
    return {**m, name: body}


def _rehash(rows: list[dict[str, Any]], *, renumber: bool) -> list[dict[str, Any]]:
    """What an attacker with the database does: renumber and recompute every hash after the change."""
    out: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        row = dict(row)
        if renumber:
            row["seq"] = rows[0]["seq"] + index
        if out:
            row["prev"] = out[-1]["hash"]
        row["hash"] = _digest({k: row.get(k) for k in trail.HASHED})
        out.append(row)
    return out


def _mid(rows: list[dict[str, Any]]) -> int:
    return max(1, len(rows) // 2)


def edit(m: Members) -> Members:
    rows = _events(m)
    rows[_mid(rows)]["actor_name"] += " (sửa)"
    return _with(m, trail.EVENTS, _dump(rows))


def edit_rehashed(m: Members) -> Members:
    rows = _events(m)
    rows[_mid(rows)]["data"] = {**rows[_mid(rows)].get("data", {}), "ip": "10.0.0.66"}
    return _with(m, trail.EVENTS, _dump(_rehash(rows, renumber=False)))


def delete(m: Members) -> Members:
    rows = _events(m)
    del rows[_mid(rows)]
    return _with(m, trail.EVENTS, _dump(rows))


def delete_rehashed(m: Members) -> Members:
    rows = _events(m)
    del rows[_mid(rows)]
    return _with(m, trail.EVENTS, _dump(_rehash(rows, renumber=True)))


def reorder(m: Members) -> Members:
    rows = _events(m)
    i = _mid(rows)
    rows[i - 1], rows[i] = rows[i], rows[i - 1]
    return _with(m, trail.EVENTS, _dump(rows))


def insert(m: Members) -> Members:
    rows = _events(m)
    forged = {**rows[_mid(rows)], "verb": "documents.document.viewed", "actor_name": "Người lạ"}
    rows.insert(_mid(rows) + 1, forged)
    return _with(m, trail.EVENTS, _dump(rows))


def insert_rehashed(m: Members) -> Members:
    rows = _events(m)
    forged = {**rows[_mid(rows)], "verb": "documents.document.viewed", "actor_name": "Người lạ"}
    rows.insert(_mid(rows) + 1, forged)
    return _with(m, trail.EVENTS, _dump(_rehash(rows, renumber=True)))


def truncate(m: Members) -> Members:
    rows = _events(m)
    return _with(m, trail.EVENTS, _dump(rows[:-2]))


def truncate_with_checkpoint(m: Members) -> Members:
    """Cut the tail and the checkpoint that sealed it, keeping an earlier one: the sealed manifest still counts."""
    rows = _events(m)
    marks = [line for line in m[trail.CHECKPOINTS].decode("utf-8").splitlines() if line.strip()]
    earlier = json.loads(json.loads(marks[0])["statement"])["seq"] if len(marks) > 1 else 0
    kept = [r for r in rows if r["seq"] <= earlier] or rows[:1]
    body = ("\n".join(marks[:-1]) + "\n").encode("utf-8") if len(marks) > 1 else b""
    return _with(_with(m, trail.EVENTS, _dump(kept)), trail.CHECKPOINTS, body)


def _last_checkpoint(m: Members, change: Callable[[dict[str, Any]], None]) -> Members:
    marks = [json.loads(line) for line in m[trail.CHECKPOINTS].decode("utf-8").splitlines() if line.strip()]
    change(marks[-1])
    return _with(m, trail.CHECKPOINTS, _dump(marks))


def forge_signature(m: Members) -> Members:
    def flip(mark: dict[str, Any]) -> None:
        from asn1crypto import cms

        # One byte of the signature value flipped where it lies in the DER: re-encoding the parsed structure
        # (asn1crypto's dump(force=True)) takes minutes on a CMS with its certificates.
        raw = base64.b64decode(mark["signature"])
        value = cms.ContentInfo.load(raw)["content"]["signer_infos"][0]["signature"].native
        at = raw.rfind(value)
        forged = bytearray(raw)
        forged[at + len(value) // 2] ^= 0xFF
        mark["signature"] = base64.b64encode(bytes(forged)).decode("ascii")

    return _last_checkpoint(m, flip)


def forge_statement(m: Members) -> Members:
    def rewrite(mark: dict[str, Any]) -> None:
        body = json.loads(mark["statement"])
        body["hash"] = "f" * 64
        mark["statement"] = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    return _last_checkpoint(m, rewrite)


def edit_manifest(m: Members) -> Members:
    manifest = json.loads(m[trail.MANIFEST])
    manifest["last_seq"] -= 1
    return _with(m, trail.MANIFEST, json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode())


CASES = (
    Case("edit", "content", edit),
    Case("edit-rehashed", "checkpoint", edit_rehashed),
    Case("delete", "sequence", delete),
    Case("delete-rehashed", "checkpoint", delete_rehashed),
    Case("reorder", "sequence", reorder),
    Case("insert", "sequence", insert),
    Case("insert-rehashed", "checkpoint", insert_rehashed),
    Case("truncate", "tail", truncate),
    Case("truncate-with-checkpoint", "tail", truncate_with_checkpoint),
    Case("forged-checkpoint-signature", "checkpoint-signature", forge_signature),
    Case("forged-checkpoint-statement", "checkpoint-signature", forge_statement),
    Case("edited-manifest", "manifest", edit_manifest),
    Case("wrong-root", "untrusted", lambda m: m, wrong_roots=True),
)


def members(raw: bytes) -> Members:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pack(m: Members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in m.items():
            archive.writestr(name, body)
    return out.getvalue()


def stranger_root() -> Any:
    """A self-signed root nobody trusts (the "wrong root" case)."""
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Stranger root")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class Outcome:
    name: str
    expected: str
    exit_code: int
    checks: tuple[str, ...]
    first: str

    @property
    def detected(self) -> bool:
        return self.exit_code == trail.EXIT_TAMPERED and self.expected in self.checks


def drill(raw: bytes, *, check: Callable[[bytes, bytes], trail.SignatureCheck],
          wrong: Callable[[bytes, bytes], trail.SignatureCheck]) -> tuple[trail.Verdict, list[Outcome]]:
    """(the untouched export's verdict, one outcome per case)."""
    baseline = trail.verify(raw, check=check)
    original = members(raw)
    outcomes = []
    for case in CASES:
        verdict = trail.verify(pack(case.change(dict(original))), check=wrong if case.wrong_roots else check)
        outcomes.append(Outcome(case.name, case.expected, verdict.exit_code,
                                tuple(p.check for p in verdict.problems),
                                verdict.problems[0].message if verdict.problems else verdict.reason))
    return baseline, outcomes
