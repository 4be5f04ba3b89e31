"""Locks (decision 0021): who is locked out now, seen and lifted by an administrator of the unit concerned.

A lock is a key of `core/lockout.py`: a login's username, `key:<credential id>` (a signing key's passphrase or
PIN) or `<kind>:<person id>` (another secret of a person, e.g. the second factor). Each is resolved to the unit
it belongs to; an administrator sees and lifts the locks of their units (and of the units below). A username
that names no account (someone guessing names) belongs to no unit: only an administrator of a top unit sees it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import lockout
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor, can_administer, can_administer_all
from vanthu.org.models import Person, Unit
from vanthu.signing.models import KeyCredential

PERSON_KEY = re.compile(r"^([a-z]+):(\d+)$")


@dataclass(frozen=True)
class LockRow:
    key: str
    kind: str  # "account", "key", or the key's prefix
    label: str  # the person (or unit) it belongs to, or the username tried
    unit: Unit | None
    failures: int
    until: dt.datetime


def _owner(key: str) -> tuple[str, str, Unit | None]:
    found = PERSON_KEY.match(key)
    if found and found.group(1) == "key":
        credential = (KeyCredential.objects.select_related("person__unit", "unit")
                      .filter(pk=int(found.group(2))).first())
        if credential is None:
            return "key", key, None
        if credential.person is not None:
            return "key", credential.person.full_name, credential.person.unit
        return "key", credential.unit.name if credential.unit else key, credential.unit
    if found:
        person = Person.objects.select_related("unit").filter(pk=int(found.group(2))).first()
        return found.group(1), person.full_name if person else key, person.unit if person else None
    person = Person.objects.select_related("unit").filter(user__username=key).first()
    return "account", f"{person.full_name} ({key})" if person else key, person.unit if person else None


def _may_see(acting: Actor, unit: Unit | None) -> bool:
    return can_administer(acting, unit) if unit is not None else can_administer_all(acting)


def locks_for(acting: Actor) -> list[LockRow]:
    """The locks in force now that `acting` administers, soonest reopening first."""
    rows = []
    for lock in lockout.current_locks():
        kind, label, unit = _owner(lock.key)
        if _may_see(acting, unit):
            rows.append(LockRow(key=lock.key, kind=kind, label=label, unit=unit, failures=lock.failures,
                                until=lock.until))
    return rows


@action("org.lock.lifted")
def lift_lock(*, key: str, acting: Actor) -> None:
    """End a lock before its time. Not found (or not the admin's to see): 404, like a page."""
    until = lockout.locked_until(key)
    kind, label, unit = _owner(key)
    if until is None or not _may_see(acting, unit):
        raise ActionRefused(_("Không có khóa nào như vậy đang có hiệu lực."), code="not_found", status=404)
    lockout.lift(key)
    log.record(actor=acting, verb="org.lock.lifted", target=("org.lock", key[:100]),
               unit=unit.pk if unit else None, data={"kind": kind, "label": label, "until": until.isoformat()})
