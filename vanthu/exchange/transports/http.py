"""HTTP between vanthu deployments: `POST {base_url}/exchange/v1/envelopes` with the signed edXML as the body,
authenticated by a signature of the request made with the sending unit's seal key (decision 0013); or
`POST {base_url}/exchange/v1/batch` with several signed envelopes in one JSON body (`encode_batch`, decision
0029), the request signed the same way over that body.

Headers: X-Vanthu-Organ (the sending unit's organ id), X-Vanthu-Timestamp (Unix seconds), X-Vanthu-Nonce
(random, once per request), X-Vanthu-Certificate (base64 DER of the signer's certificate), X-Vanthu-Signature
(base64 RSA-SHA256 or ECDSA-SHA256 over `canonical()`). The receiver checks the certificate against the peer's
trust roots, the organ id against the peer's organ ids, the timestamp against its clock (±`MAX_SKEW`) and the
nonce against those it has seen. No database here: the caller gives the keys and the directory's answers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

PATH = "/exchange/v1/envelopes"
BATCH_PATH = "/exchange/v1/batch"  # several envelopes in one signed request (decision 0029)
BATCH_FORMAT = "vanthu-batch/1"
BATCH_MAX = 50  # envelopes in one batch
MAX_SKEW = 300  # seconds
H_ORGAN, H_TIME, H_NONCE, H_CERT, H_SIG = ("X-Vanthu-Organ", "X-Vanthu-Timestamp", "X-Vanthu-Nonce",
                                          "X-Vanthu-Certificate", "X-Vanthu-Signature")

SignBytes = Callable[[bytes], bytes]  # data → raw signature (RSA PKCS#1 v1.5 SHA-256, or ECDSA SHA-256 DER)


def canonical(*, method: str, path: str, body: bytes, timestamp: str, nonce: str) -> bytes:
    return "\n".join([method.upper(), path, hashlib.sha256(body).hexdigest(), timestamp, nonce]).encode("ascii")


def signed_headers(*, organ_id: str, body: bytes, sign: SignBytes, certificate_der: bytes, path: str = PATH,
                   now: float | None = None, method: str = "POST") -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    signature = sign(canonical(method=method, path=path, body=body, timestamp=timestamp, nonce=nonce))
    return {H_ORGAN: organ_id, H_TIME: timestamp, H_NONCE: nonce,
            H_CERT: base64.b64encode(certificate_der).decode("ascii"),
            H_SIG: base64.b64encode(signature).decode("ascii"), "Content-Type": "application/xml"}


@dataclass(frozen=True)
class SignedRequest:
    organ_id: str
    nonce: str
    certificate: x509.Certificate


class RequestRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_request(*, headers: dict[str, str], path: str, body: bytes, now: float | None = None,
                  method: str = "POST") -> SignedRequest:
    """The request's signature, freshness and signer (trust and the nonce's novelty are the caller's)."""
    try:
        organ, timestamp, nonce = headers[H_ORGAN], headers[H_TIME], headers[H_NONCE]
        cert = x509.load_der_x509_certificate(base64.b64decode(headers[H_CERT], validate=True))
        signature = base64.b64decode(headers[H_SIG], validate=True)
    except (KeyError, ValueError) as exc:
        raise RequestRefused("unsigned", "request signature headers missing or malformed") from exc
    if not timestamp.isdigit() or abs((now if now is not None else time.time()) - int(timestamp)) > MAX_SKEW:
        raise RequestRefused("stale", "request timestamp outside the allowed window")
    if not (8 <= len(nonce) <= 64) or not nonce.isalnum():
        raise RequestRefused("nonce", "bad nonce")
    data = canonical(method=method, path=path, body=body, timestamp=timestamp, nonce=nonce)
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise RequestRefused("algorithm", "unsupported key")
    except InvalidSignature as exc:
        raise RequestRefused("bad_signature", "request signature does not verify") from exc
    return SignedRequest(organ_id=organ, nonce=nonce, certificate=cert)


def encode_batch(envelopes: list[bytes], *, answer_arrivals: bool = False) -> bytes:
    """The body of a batch: JSON with each signed envelope in base64, in order. Written as bytes, not through
    `json.dumps` (which would scan megabytes of base64 for characters to escape: it has none): the same bytes
    as `json.dumps({"format": BATCH_FORMAT, "envelopes": [<base64>, …]}).encode("ascii")`.

    `answer_arrivals`: the sender asks for the statuses 01 of the documents accepted inside the answer (decision
    0046): `"answer": "01"` before the envelopes, in the body the request's signature covers. A receiver that does
    not know the key reads the body as JSON and ignores it: its 01 messages come as before."""
    parts = [_HEAD_ANSWER[:-1] if answer_arrivals else _HEAD[:-1]]
    for index, envelope in enumerate(envelopes):
        parts += [b', "' if index else b'"', base64.b64encode(envelope), b'"']
    parts.append(b"]}")
    return b"".join(parts)


_HEAD = b'{"format": ' + json.dumps(BATCH_FORMAT).encode("ascii") + b', "envelopes": ["'
_HEAD_ANSWER = b'{"format": ' + json.dumps(BATCH_FORMAT).encode("ascii") + b', "answer": "01", "envelopes": ["'
_TAIL = b'"]}'


def _decode_as_written(body: bytes) -> list[bytes] | None:
    """The envelopes of a body laid out exactly as `encode_batch` writes it (asking for the statuses 01 or not),
    read without the JSON parser (which scans megabytes of base64 for escapes); None for any other body, which
    `decode_batch` then parses as JSON. Each item must be strict base64 (no quote, backslash, space or escape can
    hide in one), so splitting on `", "` finds exactly the strings the JSON parser finds."""
    head = _HEAD_ANSWER if body.startswith(_HEAD_ANSWER) else _HEAD
    if len(body) < len(head) + len(_TAIL) or not body.startswith(head) or not body.endswith(_TAIL):
        return None
    items = body[len(head):-len(_TAIL)].split(b'", "')
    if len(items) > BATCH_MAX:
        return None
    try:
        return [binascii.a2b_base64(item, strict_mode=True) for item in items]
    except binascii.Error:
        return None


def decode_batch(body: bytes) -> list[bytes]:
    """The envelopes of a batch body (ValueError when it is not one)."""
    return decode_batch_request(body)[0]


def decode_batch_request(body: bytes) -> tuple[list[bytes], bool]:
    """The envelopes of a batch body and whether its sender asks for the statuses 01 of the documents accepted
    inside the answer (`encode_batch`'s `answer_arrivals`); ValueError when it is not a batch."""
    written = _decode_as_written(body)
    if written is not None:
        return written, body.startswith(_HEAD_ANSWER)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not JSON") from exc
    if not isinstance(data, dict) or data.get("format") != BATCH_FORMAT:
        raise ValueError(f"format is not {BATCH_FORMAT}")
    items = data.get("envelopes")
    if not isinstance(items, list) or not items or len(items) > BATCH_MAX:
        raise ValueError(f"envelopes: a list of 1 to {BATCH_MAX}")
    if not all(isinstance(item, str) for item in items):
        raise ValueError("envelopes: base64 strings")
    return [base64.b64decode(item, validate=True) for item in items], data.get("answer") == "01"


def batch_size(envelope: bytes) -> int:
    """What one envelope adds to a batch body (base64 and its quotes)."""
    return (len(envelope) + 2) // 3 * 4 + 4


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def post(*, base_url: str, body: bytes, headers: dict[str, str], timeout: float = 30.0, path: str = PATH) -> Answer:
    """POST the envelope; any HTTP answer comes back (4xx/5xx included); a network failure raises OSError."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError("peer URL must be http(s)")
    request = urllib.request.Request(base_url.rstrip("/") + path, data=body, headers=headers,  # noqa: S310
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured peer URL
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read())
