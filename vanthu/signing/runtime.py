"""One asyncio event loop per thread, kept between signatures and validations, with one shared aiohttp
session for TSA, OCSP and CRL requests (connections are reused). Used by pades.py and validation.py; call
`runtime().run(coro)` from synchronous code only (a thread's loop cannot run inside another running loop).
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import aiohttp

T = TypeVar("T")


class _Runtime:
    """One event loop per thread, kept between signatures, with one aiohttp session for TSA/OCSP/CRL."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._session: aiohttp.ClientSession | None = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            import aiohttp

            async def make() -> aiohttp.ClientSession:
                return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))

            self._session = self.run(make())
        return self._session

    def close(self) -> None:
        if self._session is not None and not self._session.closed:
            self.run(self._session.close())
        self.loop.close()


_local = threading.local()
_runtimes: list[_Runtime] = []


def runtime() -> _Runtime:
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is None or current.loop.is_closed():
        current = _Runtime()
        _local.runtime = current
        _runtimes.append(current)
    return current


@atexit.register
def _close_runtimes() -> None:
    for item in _runtimes:
        if not item.loop.is_closed() and not item.loop.is_running():
            item.close()


def close_thread_runtime() -> None:
    """Close this thread's loop and HTTP session now, if it has them (a one-shot command before it exits)."""
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is not None and not current.loop.is_closed() and not current.loop.is_running():
        current.close()
