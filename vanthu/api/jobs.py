"""The API's periodic work: forgetting Idempotency-Keys past their period (decision 0019)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from vanthu.jobs import job

log = logging.getLogger("vanthu.api")


@job(every="day", attempts=3, backoff=300, label=_("Xóa các khóa chống gửi lặp (Idempotency-Key) đã hết hạn"))
def prune_idempotency_keys() -> dict[str, int]:
    """Once a day: delete the keys whose period (24 hours) has passed. A key is already treated as forgotten the
    moment it expires; this only keeps the table small."""
    from vanthu.api.actions import prune_idempotency_keys as prune
    from vanthu.core.actors import SystemActor

    deleted = prune(acting=SystemActor("api: idempotency keys"))
    log.info("%d expired idempotency keys deleted", deleted)
    return {"deleted": deleted}
