"""Rights changes, announced (checklist point 50, decision 0027).

Every action that grants or takes away a right — a role (the unit's admin and security officer among them), a
signing authority, a secrecy clearance, the unit's headship, a stand-in, a second factor, a key or certificate
bound to a person or a unit — calls `announce` with the audit event it has just recorded, inside its own
transaction. org sits below notify and must not import it, so this is a signal: notify subscribes when it starts
(`notify.rights_alerts`) and tells the person concerned and the unit's security officers through its one
notification path. A refused change rolls back before anything is announced, and what a listener writes rolls
back with the change it was told of.

Not a workflow chained through signals (STYLE.md): the only listener turns the fact into notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

from vanthu.core.actors import SETUP_ACTOR_NAMES

rights_changed = Signal()


@dataclass(frozen=True)
class RightsChange:
    """What changed, for whom, by whom: plain values (the listener re-reads what it needs)."""

    event_id: int  # the audit event of the change: the notifications' key, so one change alerts each once
    verb: str  # the audit verb, e.g. "org.role.granted"
    person_id: int | None  # whose rights changed (None: a unit's own, e.g. its seal's certificate)
    unit_id: int | None  # the unit concerned: its security officers are told
    actor_id: int | None
    actor_name: str
    detail: str = ""  # what exactly, e.g. the role's or the certificate's name, in the reader's words
    setup: bool = False  # made by a program setting up a world (core.actors.SETUP_ACTOR_NAMES): no alert


def announce(event: Any, *, person: Any = None, unit: Any = None, detail: str = "") -> None:
    """Tell the listeners of the change `event` (an `audit.AuditEvent` just recorded) to `person`'s rights or,
    for a unit's own key, to `unit`'s. Call it inside the action's transaction, after its audit record."""
    unit_id = getattr(unit, "pk", unit) if unit is not None else None
    if unit_id is None and person is not None:
        unit_id = person.unit_id
    change = RightsChange(
        event_id=event.pk, verb=event.verb, person_id=getattr(person, "pk", None), unit_id=unit_id,
        actor_id=event.actor_id, actor_name=event.actor_name, detail=str(detail)[:300],
        setup=event.actor_name in SETUP_ACTOR_NAMES,
    )
    rights_changed.send(sender=RightsChange, change=change)


__all__ = ["RightsChange", "announce", "rights_changed"]
