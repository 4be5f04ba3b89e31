"""The log nginx writes for each download it served from a signed link (decision 0035; issue 17): bytes in,
plain values out. An adapter: no ORM, no action (import contract `link-log-adapter`); the action
`documents.actions.link_reads.record_link_reads` reads the file, calls this and records the reads.

One line a serve, in nginx's default escaping (`"`, `\\` and bytes below 32 or above 126 written `\\xXX`):

    $msec $status $body_bytes_sent $request_id $remote_addr $uri
    1765000000.123 200 27582031 5f1c…e2 127.0.0.1 /_vanthu_link/p/12/345/<sha256>/cong-van-12.pdf

`$uri` is `<FILES_LINK_PREFIX><p|a>/<person id>/<document id>/<sha256>/<name>` (p: the link was minted for a
page, a: for the API). `$uri` is decoded by nginx, so the name may hold spaces: it is the rest of the line.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass

VIA = {"p": "link-page", "a": "link-api"}
SERVED = (200, 206)  # a whole file or a range of it
_ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_REQUEST_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_ID = re.compile(r"[0-9]{1,18}")
MAX_LINE = 8192  # longer is not a line nginx wrote in this format


@dataclass(frozen=True)
class Served:
    """One line of the log: nginx answered `status` with `size` bytes for this link at `at` (UTC)."""

    at: dt.datetime
    status: int
    size: int
    request_id: str
    ip: str
    via: str  # "link-page" | "link-api"
    person_id: int
    document_id: int
    sha256: str
    name: str

    @property
    def served(self) -> bool:
        return self.status in SERVED


@dataclass(frozen=True)
class Malformed:
    """A line that is not in the format above; `reason` is short and stable (it is counted), `text` the start
    of the line for the warning."""

    reason: str
    text: str


def complete_lines(chunk: bytes) -> tuple[list[bytes], int]:
    """The complete lines of `chunk` (each ended by a newline, the newline left out) and how many bytes they
    take. A partial last line is not returned: nginx has not finished writing it, the next run reads it."""
    end = chunk.rfind(b"\n")
    if end < 0:
        return [], 0
    return chunk[:end].split(b"\n"), end + 1


def unescape(raw: bytes) -> str:
    """nginx's `\\xXX` back to bytes, then UTF-8 (a byte sequence that is not UTF-8 shows as U+FFFD)."""
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("utf-8", errors="replace")


def parse_line(line: bytes, *, prefix: str) -> Served | Malformed:
    """One log line (without its newline) as `Served`, or `Malformed` with the reason."""
    text = line.decode("ascii", errors="replace")
    if len(line) > MAX_LINE:
        return Malformed("too_long", text[:120])
    fields = line.rstrip(b"\r").split(b" ", 5)
    if len(fields) != 6:
        return Malformed("fields", text[:120])
    msec, status, size, request_id, ip, uri = (f.decode("ascii", errors="replace") for f in fields)
    try:
        at = dt.datetime.fromtimestamp(float(msec), tz=dt.UTC)
        code, length = int(status), int(size)
        ipaddress.ip_address(ip)
    except (ValueError, OverflowError, OSError):
        return Malformed("fields", text[:120])
    if not _REQUEST_ID.fullmatch(request_id):
        return Malformed("request_id", text[:120])
    if not uri.startswith(prefix):
        return Malformed("uri", text[:120])
    parts = unescape(uri[len(prefix):].encode("ascii", errors="replace")).split("/", 4)
    if len(parts) != 5 or parts[0] not in VIA or not _ID.fullmatch(parts[1]) or not _ID.fullmatch(parts[2]):
        return Malformed("uri", text[:120])
    via, person, document, sha256, name = parts
    if not _SHA256.fullmatch(sha256) or not name:
        return Malformed("uri", text[:120])
    return Served(at=at, status=code, size=length, request_id=request_id, ip=ip, via=VIA[via],
                  person_id=int(person), document_id=int(document), sha256=sha256, name=name)
