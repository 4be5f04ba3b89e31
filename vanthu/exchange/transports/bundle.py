"""Store-and-forward bundles between deployments with no network link (decision 0013): a ZIP carried on removable
media or a shared folder. Bytes in, bytes out; no database.

    bundle.zip
      manifest.json       {"format", "from": {organ_id, name}, "to", "created", "envelopes": [{file, sha256, key,
                          kind, created}]}
      manifest.sig        base64 RSA-SHA256 (PKCS#1 v1.5) or ECDSA-SHA256 signature over manifest.json's bytes
      manifest.pem        the signer's certificate, then its chain (PEM)
      envelopes/NNNN-<kind>.xml   each a signed edXML envelope or status, as the HTTP transport would POST it

`read` checks the manifest's signature and every envelope's SHA-256 before anything is handed over; whether the
signer is trusted (the peer's roots) is the caller's.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

FORMAT = "vanthu-bundle/1"
MANIFEST, SIGNATURE, CERTIFICATES = "manifest.json", "manifest.sig", "manifest.pem"
MAX_MEMBERS = 10_000

SignBytes = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Item:
    """One envelope to carry: its signed bytes and what the manifest says of it."""

    data: bytes
    key: str
    kind: str  # document | status
    created: str


@dataclass(frozen=True)
class Opened:
    manifest: dict[str, Any]
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    envelopes: list[tuple[dict[str, Any], bytes]]


class BundleRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def write(*, items: list[Item], sender: dict[str, str], to: str, created: str, sign: SignBytes,
          certificate_der: bytes, chain_der: tuple[bytes, ...] = ()) -> bytes:
    """The ZIP of `items` with its signed manifest."""
    entries = []
    members: list[tuple[str, bytes]] = []
    for index, item in enumerate(items, start=1):
        name = f"envelopes/{index:04d}-{item.kind}.xml"
        entries.append({"file": name, "sha256": hashlib.sha256(item.data).hexdigest(), "key": item.key,
                        "kind": item.kind, "created": item.created})
        members.append((name, item.data))
    manifest = json.dumps({"format": FORMAT, "from": sender, "to": to, "created": created, "envelopes": entries},
                          ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    pem = b"".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM)
                   for d in (certificate_der, *chain_der))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, base64.b64encode(sign(manifest)))
        archive.writestr(CERTIFICATES, pem)
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def read(data: bytes, *, max_bytes: int) -> Opened:
    """The bundle's manifest, signer and envelopes, once the signature and every SHA-256 check (BundleRefused)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > max_bytes:
            raise BundleRefused("oversize", "bundle too large")
        names = {i.filename for i in infos}
        if not {MANIFEST, SIGNATURE, CERTIFICATES} <= names:
            raise BundleRefused("invalid", "manifest, signature or certificate missing")
        manifest_bytes = archive.read(MANIFEST)
        signature = base64.b64decode(archive.read(SIGNATURE), validate=True)
        certificates = x509.load_pem_x509_certificates(archive.read(CERTIFICATES))
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise BundleRefused("invalid", f"not a readable bundle: {exc}") from exc
    certificate = certificates[0]
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, manifest_bytes, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, manifest_bytes, ec.ECDSA(hashes.SHA256()))
        else:
            raise BundleRefused("algorithm", "unsupported key")
    except InvalidSignature as exc:
        raise BundleRefused("bad_signature", "the manifest's signature does not verify") from exc
    try:
        manifest = json.loads(manifest_bytes)
        entries = list(manifest["envelopes"])
        if manifest.get("format") != FORMAT:
            raise BundleRefused("invalid", f"unknown format {manifest.get('format')!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleRefused("invalid", "unreadable manifest") from exc
    envelopes = []
    for entry in entries:
        try:
            body = archive.read(str(entry["file"]))
        except (KeyError, TypeError) as exc:
            raise BundleRefused("missing", f"envelope {entry.get('file')!r} missing") from exc
        if hashlib.sha256(body).hexdigest() != entry.get("sha256"):
            raise BundleRefused("hash_mismatch", f"envelope {entry['file']} does not match its SHA-256")
        envelopes.append((entry, body))
    return Opened(manifest=manifest, certificate=certificate, chain=certificates[1:], envelopes=envelopes)
