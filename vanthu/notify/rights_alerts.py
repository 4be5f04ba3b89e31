"""Alerts on rights changes (checklist point 50, decision 0027): org's `rights_changed` signal, heard here.

The person concerned and the unit's security officers (Role.SECURITY over the unit or a unit above it; none: the
unit's head) are told through the one notification path (`sending.send`: the bell now, a mail after the commit
if they chose mail for information). The bell rows are written inside the action's transaction, so a change that
rolls back alerts no one, and the mails leave only once it is committed. Keyed on the change's audit event: one
change alerts each person once.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vanthu.notify import sending
from vanthu.notify.models import Kind
from vanthu.org.models import Person, Role, Unit
from vanthu.org.queries import head_for
from vanthu.org.signals import RightsChange


def _what(verb: str) -> str:
    """The change, named for the reader (Vietnamese first, English in the catalogue)."""
    names = {
        "org.role.granted": _("được giao vai trò"),
        "org.role.revoked": _("bị thu hồi vai trò"),
        "org.authority.granted": _("được giao thẩm quyền ký"),
        "org.authority.revoked": _("bị thu hồi thẩm quyền ký"),
        "org.clearance.changed": _("được đổi mức tiếp cận bí mật"),
        "org.unit.head_set": _("được đổi người đứng đầu đơn vị"),
        "org.second_factor.reset": _("bị đặt lại xác thực hai lớp"),
        "org.second_factor.enrolled": _("được đăng ký thiết bị xác thực hai lớp"),
        "org.second_factor.removed": _("bị gỡ thiết bị xác thực hai lớp"),
        "org.second_factor.key_enrolled": _("được đăng ký khóa bảo mật"),
        "org.second_factor.key_removed": _("bị gỡ khóa bảo mật"),
        "workflow.stand_in.named": _("được cử người xử lý thay"),
        "workflow.stand_in.cancelled": _("bị hủy người xử lý thay"),
        "signing.certificate.issued": _("được cấp chứng thư số"),
        "signing.certificate.bound": _("được gắn chứng thư số"),
        "signing.credential.registered": _("được gắn khóa ký số trên thiết bị"),
        "signing.certificate.revoked": _("bị thu hồi chứng thư số"),
        "signing.certificate.renewed": _("được gia hạn chứng thư số"),
    }
    return names.get(verb, _("được đổi quyền"))


def security_officers(unit: Unit) -> list[Person]:
    """The unit's security officers: those holding Role.SECURITY over it or a unit above it; none, its head."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    officers = list(Person.objects.filter(roles__unit_id__in=ids, roles__role=Role.SECURITY, is_active=True)
                    .distinct().order_by("pk"))
    if officers:
        return officers
    head = head_for(unit)
    return [head] if head is not None else []


def alert(change: RightsChange) -> int:
    """Notify everyone concerned by `change`; returns how many were told."""
    person = Person.objects.select_related("unit").filter(pk=change.person_id).first() if change.person_id else None
    unit = Unit.objects.filter(pk=change.unit_id).first() if change.unit_id else None
    if unit is None and person is not None:
        unit = person.unit
    told: dict[int, Person] = {}
    if person is not None and person.is_active:
        told[person.pk] = person
    for officer in security_officers(unit) if unit is not None else []:
        told.setdefault(officer.pk, officer)
    whom = person.full_name if person is not None else (unit.name if unit is not None else "")
    values = {"actor": change.actor_name or _("hệ thống"), "what": _what(change.verb), "whom": whom,
              "detail": change.detail}
    if change.detail:
        title = _("Thay đổi quyền: %(whom)s %(what)s “%(detail)s” (người thực hiện: %(actor)s)") % values
    else:
        title = _("Thay đổi quyền: %(whom)s %(what)s (người thực hiện: %(actor)s)") % values
    for reader in told.values():
        sending.send(reader, kind=Kind.INFO, title=title, url="", key=f"rights:{change.event_id}")
    return len(told)


def on_rights_changed(sender: Any, *, change: RightsChange, **kwargs: Any) -> None:
    if not change.setup:  # the demo's or a fixture's starting state, not a change
        alert(change)


def subscribe() -> None:
    from vanthu.org.signals import rights_changed

    rights_changed.connect(on_rights_changed, dispatch_uid="vanthu.notify.rights_alerts")
