"""The client side of RFC 3161 time stamps: the pyHanko TimeStamper PAdES signing uses (see tsa.py's docstring)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asn1crypto import tsp
from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper

from vanthu.signing.tsa import LoadedAuthority, current, respond

if TYPE_CHECKING:
    import aiohttp


class BuiltinTimeStamper(TimeStamper):
    """vanthu's own TSA in-process: pyHanko calls it like any TimeStamper; no database access inside pyHanko's
    event loop (the authority is loaded when the timestamper is made)."""

    def __init__(self, authority: LoadedAuthority) -> None:
        super().__init__(include_nonce=True)
        self.authority = authority

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(respond(req.dump(), authority=self.authority))


def timestamper(*, session: aiohttp.ClientSession | None = None) -> TimeStamper | None:
    """The pyHanko TimeStamper for settings.TSA_URL, or None when no TSA is configured (see module docstring).

    Raises SigningRefused when TSA_URL is "builtin" and vanthu's CA (with its TSA) was never initialised.
    """
    url: str = settings.TSA_URL.strip()
    if not url:
        return None
    if url == "builtin":
        return BuiltinTimeStamper(current())
    token = settings.TSA_TOKEN.strip()
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return HTTPTimeStamper(url, session=session, timeout=10, headers=headers)
