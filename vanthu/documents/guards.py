"""Guards an app above documents puts on changing a document (decision 0027): records refuses any change to a
document filed in a frozen work record. documents cannot import records (the arrows run one way), so records
registers its guard here when it starts, as it registers its access predicate (`access.register_predicate`).

`lock_for` asks every guard before the changes that alter what a document is — cancelling its register entry,
recalling, replacing, answering a recall, editing a registered arrival — and a guard refuses by raising
`ActionRefused` with its own translated message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vanthu.documents.models import Document

Guard = Callable[["Document"], None]

_guards: dict[str, Guard] = {}


def register(name: str, guard: Guard) -> None:
    _guards[name] = guard


def check_change(document: Document) -> None:
    """Raise the first guard's refusal if `document` may not change now."""
    for guard in _guards.values():
        guard(document)
