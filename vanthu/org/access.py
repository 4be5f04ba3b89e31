"""Who may administer what: the one rule the org actions (and signing's administration) check.

An admin's grant over a unit reaches its subtree: the admin of Sư đoàn 301 manages the division and its
regiments, not the Staff. A `SystemActor` (the operator's CLI, the demo builder, test fixtures) passes and is
audited under its own name; no acting person at all (None) is refused.
"""

from __future__ import annotations

from typing import TypeAlias

from django.utils.translation import gettext as _

from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of

Actor: TypeAlias = Person | SystemActor


def can_administer(acting: Actor | None, unit: Unit) -> bool:
    if isinstance(acting, SystemActor):
        return True
    return acting is not None and acting.is_active and scope_of(acting).administers(unit)


def can_administer_all(acting: Actor | None) -> bool:
    if isinstance(acting, SystemActor):
        return True
    return acting is not None and acting.is_active and scope_of(acting).administers_all


def require_admin_of(acting: Actor | None, unit: Unit, *, target: object = None) -> None:
    """Refuse (403) unless `acting` administers `unit` (admin of it or of a unit above it)."""
    if not can_administer(acting, unit):
        raise ActionRefused(_("Chỉ quản trị của %(unit)s (hoặc của đơn vị cấp trên) được làm việc này.")
                            % {"unit": unit.name}, code="forbidden", status=403, target=target)


def require_admin_of_all(acting: Actor | None, *, target: object = None) -> None:
    """Refuse (403) unless `acting` administers a top unit (the deployment-wide administration)."""
    if not can_administer_all(acting):
        raise ActionRefused(_("Chỉ quản trị của đơn vị cấp cao nhất được làm việc này."), code="forbidden",
                            status=403, target=target)


def person_or_none(acting: Actor | None) -> Person | None:
    """The person behind `acting`, for the columns that record one (None for a system actor)."""
    return acting if isinstance(acting, Person) else None
