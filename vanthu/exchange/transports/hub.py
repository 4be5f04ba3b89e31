"""Reading a hub's list of agencies (checklist point 47): `GET {base_url}/exchange/v1/agencies`, the request
signed as every request between peers is (`http.signed_headers`, method GET, empty body). An adapter: bytes in,
bytes out, no database; the caller (exchange/agency_hub.py) gives the seal and the peer's URL. Only the CLI and
the daily job call it, never a request."""

from __future__ import annotations

import urllib.error
import urllib.request

from vanthu.exchange.transports.http import SignBytes, signed_headers

AGENCIES_PATH = "/exchange/v1/agencies"
MAX_LIST_BYTES = 64 * 1024 * 1024


def fetch_agencies(
    *, base_url: str, organ_id: str, sign: SignBytes, certificate_der: bytes, timeout: float = 30.0
) -> bytes:
    """The hub's answer (JSON bytes); OSError for a network failure or any answer but 200."""
    if not base_url.startswith(("http://", "https://")):
        raise OSError("peer URL must be http(s)")
    headers = signed_headers(
        organ_id=organ_id, body=b"", sign=sign, certificate_der=certificate_der, path=AGENCIES_PATH, method="GET"
    )
    headers["Accept"] = "application/json"
    del headers["Content-Type"]
    url = base_url.rstrip("/") + AGENCIES_PATH
    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - configured peer URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured peer URL
            data: bytes = response.read(MAX_LIST_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code}: {exc.read(300).decode('utf-8', 'replace')}") from exc
    if len(data) > MAX_LIST_BYTES:
        raise OSError("list of agencies too large")
    return data
