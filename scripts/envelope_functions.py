"""The edXML functions of the document path, in process, over envelopes already signed (no deployment).

    python scripts/envelope_functions.py DIR [PASSES]

DIR: the *.xml envelopes `scripts/profile_documents.py N DIR` leaves. Sender: each envelope's document signed
again by `edxml.sign_document` (a fixed test key: the same bytes whatever the tree, compared by the SHA-256
printed), then the batch bodies of 25 (`http.encode_batch`) and their request signatures (`http.signed_headers`).
Receiver: `load_xml`, `parse`, `verify(consume=True)` of each envelope, as `receiving._verify` calls them. Process
CPU per envelope, median of PASSES (7) after one to warm up. Run from the tree to measure (A/B as
docs/benchmarks.md says): cd $TREE && PYTHONPATH=$TREE python scripts/envelope_functions.py /tmp/pd
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
os.environ.setdefault("VANTHU_DATA_DIR", tempfile.mkdtemp(prefix="envelope-functions-"))


def main() -> None:
    import django

    django.setup()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    from vanthu.exchange import edxml
    from vanthu.exchange.transports import http

    folder = Path(sys.argv[1])
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    items = [path.read_bytes() for path in sorted(folder.glob("*.xml"))]
    key_file = folder / "fixed-key.der"
    if not key_file.exists():
        key_file.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key = serialization.load_der_private_key(key_file.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "envelope functions")])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(dt.datetime(2020, 1, 1))
                   .not_valid_after(dt.datetime(2040, 1, 1)).sign(key, hashes.SHA256()))
    der = certificate.public_bytes(serialization.Encoding.DER)
    envelopes = [edxml.parse(data).envelope for data in items]
    today = envelopes[0].header.promulgation.date  # the documents' own date: the same checks as when issued

    def sign(data: bytes) -> bytes:
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def one_pass() -> tuple[dict[str, float], bytes]:
        times = dict.fromkeys(("sign_document", "batch", "load_xml", "parse", "verify"), 0.0)
        start = time.process_time()
        bodies = [edxml.sign_document(e, key=sign, certificate=der, today=today) for e in envelopes]
        times["sign_document"] = time.process_time() - start
        start = time.process_time()
        for first in range(0, len(bodies), 25):
            body = http.encode_batch(bodies[first:first + 25])
            http.signed_headers(organ_id="x", body=body, sign=sign, certificate_der=der, path=http.BATCH_PATH)
        times["batch"] = time.process_time() - start
        for data in items:
            a = time.process_time()
            root = edxml.load_xml(data)
            b = time.process_time()
            edxml.parse(data, root=root)
            c = time.process_time()
            check = edxml.verify(data, root=root, consume=True)
            d = time.process_time()
            assert check.valid, check.reason
            times["load_xml"] += b - a
            times["parse"] += c - b
            times["verify"] += d - c
        return {k: v * 1000 / len(items) for k, v in times.items()}, hashlib.sha256(b"".join(bodies)).digest()

    _times, signed = one_pass()
    runs = [one_pass()[0] for _ in range(passes)]
    result = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    result["receiver"] = round(result["load_xml"] + result["parse"] + result["verify"], 3)
    sys.stdout.write(json.dumps({"ms_per_envelope": result, "signed_sha256": signed.hex()[:16]}) + "\n")


if __name__ == "__main__":
    main()
