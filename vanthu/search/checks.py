"""System check for the search settings (vanthu.E090): the engine's name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_search_engine(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.SEARCH_ENGINE not in ("", "tantivy"):
        return [Error(f"VANTHU_SEARCH_ENGINE={settings.SEARCH_ENGINE!r} is not one of: empty (the database's own "
                      "engine), tantivy.", id="vanthu.E090")]
    return []
