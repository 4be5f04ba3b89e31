"""System checks for the search settings: the engine's name (vanthu.E090), and a Tantivy index kept on one
machine by a deployment of several servers (vanthu.W041)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_search_engine(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.SEARCH_ENGINE not in ("", "tantivy"):
        return [Error(f"VANTHU_SEARCH_ENGINE={settings.SEARCH_ENGINE!r} is not one of: empty (the database's own "
                      "engine), tantivy.", id="vanthu.E090")]
    return []


@register()
def check_search_index_place(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """The Tantivy index is a folder (VANTHU_SEARCH_DIR) on the machine that holds it: with several app servers
    (VANTHU_SERVERS > 1, or files on object storage, which is chosen for that), one host writes it and every other
    one needs a replicated copy (decision 0028), or their searches answer from a stale or empty index."""
    several = settings.SERVERS > 1 or str(settings.FILES_URL or "").startswith("s3://")
    if not several or settings.SEARCH_ENGINE != "tantivy":
        return []
    return [Warning(f"VANTHU_SEARCH_ENGINE=tantivy keeps the search index in VANTHU_SEARCH_DIR ({settings.SEARCH_DIR}) "
                    "on this machine, but this deployment is declared as several servers: run `vanthu search sync "
                    "--loop` on one host only and give every other app server a replicated copy of that folder "
                    "(docs/deploy.md, decision 0028), or leave VANTHU_SEARCH_ENGINE empty to search in PostgreSQL.",
                    id="vanthu.W041")]
