"""A unit's way of handling the tasks it is given (decision 0015): whether its leader accepts the results of the
unit's tasks before they are done (`UnitHandling.leader_accepts`, yes when never set). Set by a leader of the unit
(or of a unit above it) or its administrator, on the unit's board."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor, can_administer
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.workflow.models import UnitHandling


def can_set_handling(acting: Actor | None, unit: Unit) -> bool:
    if isinstance(acting, Person) and acting.is_active and scope_of(acting).leads(unit):
        return True
    return can_administer(acting, unit)


@action("workflow.unit.handling_set")
def set_handling(*, unit: Unit, acting: Actor, leader_accepts: bool) -> UnitHandling:
    """Say whether the unit's leader accepts its people's results before the unit's task is done."""
    if not can_set_handling(acting, unit):
        raise ActionRefused(_("Chỉ chỉ huy hoặc quản trị của %(unit)s được đặt cách xử lý việc của đơn vị.")
                            % {"unit": unit.name}, code="forbidden", status=403, target=unit)
    setting, _created = UnitHandling.objects.select_for_update().get_or_create(unit=unit)
    before = setting.leader_accepts
    setting.leader_accepts = leader_accepts
    setting.save(update_fields=["leader_accepts"])
    log.record(actor=acting, verb="workflow.unit.handling_set", target=unit, unit=unit,
               data={"leader_accepts": leader_accepts, "before": before})
    return setting
