"""The adapter to a Mobile Signature Service Provider (SIM-PKI; ETSI TS 102 204 style, asynchronous
client-server mode, over HTTP with JSON bodies): vanthu asks the MSSP to have the phone's SIM sign a digest,
the person confirms on the phone, vanthu polls for the signature.

- `request_signature(url, msisdn=…, digest=…, message=…, ap_transid=…)` → the MSSP's transaction id
  (`POST <url>/MSS_Signature`, answer `{"Status": "REQUEST_OK", "MSSP_TransID": …}`);
- `status(url, transid=…)` → `Answer` (`POST <url>/MSS_StatusQuery`): `OUTSTANDING_TRANSACTION` while the person
  has not answered, `SIGNATURE` with the raw signature value (base64 in `MSS_Signature`), `USER_CANCEL`,
  `EXPIRED_TRANSACTION`.

The data to be signed is the SHA-256 digest of the CMS signed attributes (as the remote signHash flow): the SIM
returns a PKCS#1 v1.5 (RSA) or DER ECDSA value over it. An adapter: no ORM, no action; `MsspError` for a
service that does not answer or answers outside this protocol.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

OUTSTANDING, SIGNATURE, USER_CANCEL, EXPIRED = ("OUTSTANDING_TRANSACTION", "SIGNATURE", "USER_CANCEL",
                                                "EXPIRED_TRANSACTION")


class MsspError(Exception):
    """The MSSP did not answer, or answered outside the protocol (the text says what, in English, for logs)."""


@dataclass(frozen=True)
class Answer:
    status: str
    signature: bytes | None = None


def _post(url: str, body: dict[str, str], *, timeout: float) -> dict[str, str]:
    if not url.startswith(("http://", "https://")):
        raise MsspError(f"MSSP {url}: only http and https")
    data = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
        url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured MSSP)
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MsspError(f"MSSP {url}: {exc}") from exc
    if not isinstance(answer, dict):
        raise MsspError(f"MSSP {url}: not a JSON object")
    return answer


def request_signature(url: str, *, msisdn: str, digest: bytes, message: str, ap_transid: str,
                      timeout: float = 10) -> str:
    answer = _post(url.rstrip("/") + "/MSS_Signature", {
        "AP_TransID": ap_transid, "MSISDN": msisdn, "DataToBeSigned": base64.b64encode(digest).decode(),
        "DataToBeDisplayed": message[:160], "SignatureProfile": "sha256", "MessagingMode": "asynchClientServer",
    }, timeout=timeout)
    transid = answer.get("MSSP_TransID")
    if answer.get("Status") != "REQUEST_OK" or not isinstance(transid, str) or not transid:
        raise MsspError(f"MSSP refused the request: {answer.get('Status')!r}")
    return transid


def status(url: str, *, transid: str, timeout: float = 10) -> Answer:
    answer = _post(url.rstrip("/") + "/MSS_StatusQuery", {"MSSP_TransID": transid}, timeout=timeout)
    state = answer.get("Status")
    if state == SIGNATURE:
        try:
            value = base64.b64decode(answer.get("MSS_Signature", ""), validate=True)
        except ValueError as exc:
            raise MsspError("MSSP signature is not base64") from exc
        return Answer(SIGNATURE, value)
    if state in (OUTSTANDING, USER_CANCEL, EXPIRED):
        return Answer(state)
    raise MsspError(f"MSSP status {state!r}")
