"""The `@action` decorator every write goes through.

An action is a keyword-only function in `<app>/actions.py`. The decorator runs it in one transaction; if it
refuses (raises ActionRefused), the transaction is rolled back and a `<verb>.refused` audit event is written
afterwards, so a refused attempt leaves no trace but its audit entry (and, for a wrong secret raised with
`lockout_key=`, one more failure counted against that key: `core/lockout.py`).

`before`, if given, runs first with the action's keyword arguments, outside the action's transaction: what it
writes stays even when it refuses (the second factor's used-code and failure counters, decision 0020).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from vanthu.core.errors import ActionRefused

P = ParamSpec("P")
R = TypeVar("R")


def action(verb: str, *, before: Callable[..., None] | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        atomic_fn = transaction.atomic(fn)

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                if before is not None:
                    before(**kwargs)
                return atomic_fn(*args, **kwargs)
            except ActionRefused as exc:
                from vanthu.audit import log

                acting: Any = kwargs.get("acting")
                log.record_refusal(
                    actor=acting,
                    verb=f"{verb}.refused",
                    target=exc.target,
                    reason=exc.message,
                    code=exc.code,
                )
                if exc.lockout_key:
                    from vanthu.core import lockout

                    lockout.failed(exc.lockout_key)
                raise

        run.verb = verb  # type: ignore[attr-defined]
        return run

    return decorate
