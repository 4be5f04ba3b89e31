"""Short-lived download links that nginx checks by itself (decision 0035): no app request per download.

The page or API answer that lists a document's files has just checked the person's access; it gives each file a
link signed for that person and the credential that asked (the session cookie of a page, the `Authorization`
header of an API call). nginx verifies it with its `secure_link` module and sends the file with `sendfile`
(`ops/deploy.py` renders the location); an expired or invalid link is passed inside nginx to the checked path,
which does the full check as before. Each download nginx served is a line of `FILES_LINK_LOG`, which a job turns
into the read's audit event.

    PREFIX<via>/<person id>/<document id>/<sha256>/<ascii name>.<ext>?e=<expires>&s=<signature>

`via` is `p` (page: the checked path is the page's download) or `a` (API). The signature is nginx's
`secure_link_md5` of `"<expires><uri><session cookie><Authorization> <secret>"`, base64url without padding: the
link works only with the same cookie or header that asked for it. The name is an ASCII slug, so what Python signs
is what nginx's decoded, normalised `$uri` holds. Pure: settings only, no ORM; minting is a few microseconds.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

PAGE = "p"
API = "a"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: "pdf", DOCX: "docx"}  # the only kinds a link is minted for (nginx's location knows these two)
NOT_SLUG = re.compile(r"[^a-z0-9]+")
TAIL = re.compile(r"[A-Za-z0-9]{1,5}")
SHA256 = re.compile(r"[0-9a-f]{64}")
SECRET = re.compile(r"[A-Za-z0-9._~+/=-]{32,}")  # what nginx's site can hold verbatim (system check vanthu.E005)


def enabled() -> bool:
    """Links are minted only behind nginx, with the local store (object storage keeps the checked hand-off)."""
    return bool(settings.FILES_LINKS) and settings.FILES_HANDOFF == "nginx" \
        and not str(settings.FILES_URL).startswith("s3://") and bool(SECRET.fullmatch(settings.FILES_LINK_SECRET))


def slug(name: str, *, extension: str) -> str:
    """An ASCII name for the URI: Vietnamese letters folded (đ → d), anything else a hyphen, then `.extension`."""
    stem, dot, tail = name.rpartition(".")
    stem = stem if dot and TAIL.fullmatch(tail) else name  # an extension is dropped (the right one is added)
    folded = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    plain = NOT_SLUG.sub("-", folded.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"{plain[:80].strip('-') or 'tep'}.{extension}"


def signature(*, expires: int, uri: str, cookie: str, authorization: str, secret: str) -> str:
    """nginx's `secure_link_md5 "$secure_link_expires$uri$cookie_<name>$http_authorization <secret>"`, in the
    base64url form (no padding) `secure_link` reads. The header is latin-1 as it came off the wire (WSGI)."""
    raw = (f"{expires}{uri}".encode("ascii") + cookie.encode("utf-8", "replace")
           + authorization.encode("latin-1", "replace") + b" " + secret.encode("utf-8"))
    digest = hashlib.md5(raw).digest()  # noqa: S324 - nginx's only built-in verifier: keyed, over our own URI
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def extension_of(name: str, content_type: str = "") -> str | None:
    if content_type:
        return EXTENSIONS.get(content_type)
    tail = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return tail if tail in EXTENSIONS.values() else None


@dataclass(frozen=True)
class Minter:
    """Links for one person's files of one document, bound to the credential of the request that listed them."""

    via: str
    person_id: int
    document_id: int
    cookie: str
    authorization: str
    expires: int
    secret: str
    prefix: str

    def url(self, sha256: str, name: str, content_type: str = "") -> str | None:
        """The signed link, or None for a kind of file nginx's location does not serve (the checked path then)."""
        extension = extension_of(name, content_type)
        if extension is None or not SHA256.fullmatch(sha256):
            return None
        uri = (f"{self.prefix.rstrip('/')}/{self.via}/{self.person_id}/{self.document_id}/{sha256}/"
               f"{slug(name, extension=extension)}")
        sign = signature(expires=self.expires, uri=uri, cookie=self.cookie, authorization=self.authorization,
                         secret=self.secret)
        return f"{uri}?e={self.expires}&s={sign}"


def minter(request: HttpRequest, *, via: str, person_id: int, document_id: int, secrecy: int,
           now: float | None = None) -> Minter | None:
    """The links of a document the person may see (the caller has checked), or None when links are off or the
    document carries a secrecy mark (its copy is marked for the person and its read recorded before it leaves)."""
    if secrecy or not enabled():
        return None
    return Minter(via=via, person_id=person_id, document_id=document_id,
                  cookie=request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
                  authorization=request.META.get("HTTP_AUTHORIZATION", ""),
                  expires=int(now if now is not None else time.time()) + int(settings.FILES_LINK_SECONDS),
                  secret=settings.FILES_LINK_SECRET, prefix=settings.FILES_LINK_PREFIX)
