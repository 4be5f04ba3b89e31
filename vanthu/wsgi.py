"""The WSGI application (gunicorn: `vanthu.wsgi:application`; the embedded server uses it too).

With several app servers behind one proxy, `VANTHU_SERVER_ID` (e.g. the machine and port) names the process that
answered in an `X-Vanthu-Server` header, so an operator — and the loopback test — can tell which one served.

Each process that loads it is warmed before it serves (`warm`): the URLconf (every view and what it imports)
and each app's `warm()` (signing: pyHanko's validation stack and vanthu's font files; exchange: the carriers).
Without it a new gunicorn worker (started, or replaced after `--max-requests`) paid about a second of imports
and reading inside its first requests: a peer's first batch on that worker took 3–4 times as long.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
_django = get_wsgi_application()


def warm() -> None:
    from django.apps import apps
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loads the URLconf: every view module
    for config in apps.get_app_configs():
        hook = getattr(config, "warm", None)
        if hook is not None:
            hook()


warm()
_server_id = os.environ.get("VANTHU_SERVER_ID", "")


def _named(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    def named(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, ("X-Vanthu-Server", _server_id)], exc_info)

    return _django(environ, named)


application: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]] = _named if _server_id else _django
