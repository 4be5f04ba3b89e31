"""The one error type actions raise when they refuse: a translated message, optionally per field."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ActionRefused(Exception):
    """An action refused to run. `message` is shown to the person as is (already translated).

    `code` is a stable machine name for the API; `field` names the input at fault, if one is.
    """

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "refused",
        field: str | None = None,
        target: Any = None,
        status: int = 400,
        lockout_key: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field
        self.target = target
        self.status = status
        # A wrong secret: `core.actions` counts a failure against this key after the rollback (core/lockout.py).
        self.lockout_key = lockout_key
        # Seconds until the refused thing may be tried again (a lock, a rate limit): the API's Retry-After.
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class ConcurrentEdit(ActionRefused):
    """Someone else changed the record since the form was opened."""

    def __init__(self, message: str | Promise, *, target: Any = None) -> None:
        super().__init__(message, code="concurrent_edit", target=target, status=409)
