"""Ops' jobs: the audit chains' checkpoints, daily and on an administrator's demand (decision 0022)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vanthu.core.actors import SystemActor
from vanthu.jobs import gone, job

CHECKPOINTER = SystemActor("audit checkpoints")


@job(every="day", attempts=3, backoff=600, label=_("Lập điểm kiểm tra nhật ký hằng ngày (ký số, gắn dấu thời gian)"))
def checkpoint_all() -> int:
    """Once a day: a signed, time-stamped checkpoint of every chain that grew since its last one."""
    from vanthu.ops import actions  # here, not at the top: it imports the signing stack (process start)

    return sum(1 for _chain, _seq, made in actions.make_checkpoints(acting=CHECKPOINTER) if made)


@job(attempts=3, backoff=60, label=_("Lập điểm kiểm tra nhật ký theo yêu cầu"))
def checkpoint_unit(unit_id: int) -> int:
    """An administrator's "checkpoint now": the chains of the unit and its subtree."""
    from vanthu.ops import actions
    from vanthu.org.models import Unit

    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        gone("checkpoint_unit", "unit", unit_id)
        return 0
    return sum(1 for _chain, _seq, made in actions.make_checkpoints(acting=CHECKPOINTER, unit=unit) if made)
