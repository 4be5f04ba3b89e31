"""A key or certificate bound to (or taken from) a person or a unit is a right to sign: its actions record the
audit event here, which also announces the change (`org.signals`, decision 0027), so the owner and the unit's
security officers are alerted."""

from __future__ import annotations

from typing import Any

from vanthu.audit import log
from vanthu.org.models import Person, Unit
from vanthu.org.signals import announce
from vanthu.signing import pki
from vanthu.signing.models import Certificate


def record(*, acting: Any, verb: str, row: Certificate, owner: Person | Unit, data: dict[str, Any]) -> None:
    """The audit event of the change to `owner`'s keys (inside the action's transaction), then its alert."""
    unit = owner.unit if isinstance(owner, Person) else owner
    event = log.record(actor=acting, verb=verb, target=row, unit=unit, data=data)
    announce(event, person=owner if isinstance(owner, Person) else None, unit=unit,
             detail=f"{pki.owner_label(owner)} · {row.serial}")
