"""Writes to the organisation. Each is one transaction with its audit event.

Who may: an admin of the unit concerned or of a unit above it (`org.access.require_admin_of`), or a
`SystemActor` (the operator's CLI, the demo builder, test fixtures), audited under its name. A new top unit
only by a system actor. Refusals are 403 and audited (`<verb>.refused`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor, require_admin_of
from vanthu.org.identifiers import check_unit_codes
from vanthu.org.models import (
    AuthorityPrefix,
    NumberingScheme,
    Person,
    Rank,
    Role,
    RoleGrant,
    SigningAuthority,
    Unit,
    UnitKind,
    path_segment,
)
from vanthu.org.queries import forget_scope
from vanthu.org.signals import announce


@action("org.unit.created")
def create_unit(
    *,
    name: str,
    abbreviation: str,
    parent: Unit | None,
    acting: Actor,
    short_name: str = "",
    code: str | None = None,
    code_qd20: str = "",
    kind: str = UnitKind.SUBUNIT,
    place_name: str = "",
    sort_order: int = 0,
    numbering_scheme: str = NumberingScheme.SINGLE,
) -> Unit:
    if parent is None and not isinstance(acting, SystemActor):
        raise ActionRefused(_("Chỉ người vận hành máy chủ được tạo đơn vị cấp cao nhất."), code="forbidden",
                            status=403, field="parent")
    if parent is not None:
        require_admin_of(acting, parent)
    if parent is not None and not parent.is_active:
        raise ActionRefused(_("Đơn vị cấp trên đã ngừng hoạt động."), field="parent")
    code, code_qd20 = (code or "").strip(), (code_qd20 or "").strip()
    check_unit_codes(code=code, code_qd20=code_qd20)
    unit = Unit(
        parent=parent,
        name=name,
        short_name=short_name or name,
        abbreviation=abbreviation,
        code=code or None,
        code_qd20=code_qd20,
        kind=kind,
        place_name=place_name or (parent.place_name if parent else ""),
        sort_order=sort_order,
        numbering_scheme=numbering_scheme,
        path="",
        depth=(parent.depth + 1) if parent else 0,
    )
    unit.full_clean(exclude=["path"])
    try:
        with transaction.atomic():
            unit.save(force_insert=True)
    except IntegrityError as exc:
        raise ActionRefused(_("Mã định danh hoặc chữ viết tắt đã được đơn vị khác dùng."), field="code") from exc
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.save(update_fields=["path"])
    log.record(actor=acting, verb="org.unit.created", target=unit, unit=unit,
               data={"name": name, "parent": parent.pk if parent else None, "code": code, "code_qd20": code_qd20})
    return unit


@action("org.person.created")
def create_person(
    *,
    username: str,
    password: str | None,
    full_name: str,
    unit: Unit,
    acting: Actor,
    rank: str = Rank.NONE,
    position: str = "",
    clearance: int = Secrecy.NONE,
    email: str = "",
    roles: tuple[str, ...] = (Role.OFFICER,),
) -> Person:
    require_admin_of(acting, unit)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ActionRefused(_("Tên đăng nhập “%(u)s” đã có người dùng.") % {"u": username}, field="username")
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person = Person(user=user, full_name=full_name, unit=unit, rank=rank, position=position,
                    clearance=clearance, email=email)
    person.full_clean(exclude=["user"])
    person.save()
    for role in roles:
        RoleGrant.objects.create(person=person, unit=unit, role=role)
    log.record(actor=acting, verb="org.person.created", target=person, unit=unit,
               data={"username": username, "roles": list(roles)})
    return person


@action("org.role.granted")
def grant_role(*, person: Person, unit: Unit, role: str, acting: Actor) -> RoleGrant:
    require_admin_of(acting, unit, target=person)
    if role not in Role.values:
        raise ActionRefused(_("Vai trò không hợp lệ."), field="role")
    grant, created = RoleGrant.objects.get_or_create(person=person, unit=unit, role=role)
    if created:
        event = log.record(actor=acting, verb="org.role.granted", target=person, unit=unit, data={"role": role})
        announce(event, person=person, unit=unit, detail=str(Role(role).label))
    forget_scope(person)
    return grant


@action("org.role.revoked")
def revoke_role(*, person: Person, unit: Unit, role: str, acting: Actor) -> None:
    require_admin_of(acting, unit, target=person)
    deleted, _count = RoleGrant.objects.filter(person=person, unit=unit, role=role).delete()
    if deleted:
        event = log.record(actor=acting, verb="org.role.revoked", target=person, unit=unit, data={"role": role})
        announce(event, person=person, unit=unit, detail=str(Role(role).label) if role in Role.values else role)
    forget_scope(person)


@action("org.authority.granted")
def grant_signing_authority(
    *,
    person: Person,
    unit: Unit,
    title: str,
    acting: Actor,
    prefix: str = AuthorityPrefix.NONE,
    on_behalf_title: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    document_types: list[str] | None = None,
    delegated_by: Person | None = None,
) -> SigningAuthority:
    require_admin_of(acting, unit, target=person)
    start = valid_from or timezone.localdate()
    if prefix == AuthorityPrefix.TUQ and (delegated_by is None or valid_until is None):
        raise ActionRefused(
            _("Ký thừa ủy quyền (TUQ.) phải có người ủy quyền và thời hạn ủy quyền."), field="valid_until"
        )
    if valid_until is not None and valid_until < start:
        raise ActionRefused(_("Ngày hết hiệu lực phải sau ngày bắt đầu."), field="valid_until")
    if prefix and not on_behalf_title:
        raise ActionRefused(_("Cần chức danh người đứng đầu (ví dụ TƯ LỆNH) khi ký %(p)s") % {"p": prefix},
                            field="on_behalf_title")
    authority = SigningAuthority.objects.create(
        person=person, unit=unit, prefix=prefix, on_behalf_title=on_behalf_title, title=title,
        valid_from=start, valid_until=valid_until, document_types=document_types or [], delegated_by=delegated_by,
    )
    event = log.record(actor=acting, verb="org.authority.granted", target=person, unit=unit,
                       data={"prefix": prefix, "title": title, "from": start, "until": valid_until})
    announce(event, person=person, unit=unit, detail=authority.competence_line)
    return authority


@action("org.authority.revoked")
def revoke_signing_authority(*, authority: SigningAuthority, acting: Actor) -> None:
    require_admin_of(acting, authority.unit, target=authority.person)
    authority.revoked_at = timezone.now()
    authority.save(update_fields=["revoked_at"])
    event = log.record(actor=acting, verb="org.authority.revoked", target=authority.person, unit=authority.unit,
                       data={"authority": authority.pk})
    announce(event, person=authority.person, unit=authority.unit, detail=authority.competence_line)


@action("org.clearance.changed")
def set_clearance(*, person: Person, clearance: int, acting: Actor, reason: str = "") -> Person:
    """Grant or withdraw a person's secrecy clearance (mức được tiếp cận bí mật): an admin of their unit or above."""
    require_admin_of(acting, person.unit, target=person)
    if clearance not in Secrecy.values:
        raise ActionRefused(_("Mức tiếp cận bí mật không hợp lệ."), field="clearance", target=person)
    before = Person.objects.select_for_update().values_list("clearance", flat=True).get(pk=person.pk)
    if before == clearance:
        return person
    Person.objects.filter(pk=person.pk).update(clearance=clearance)
    person.clearance = clearance
    forget_scope(person)
    event = log.record(actor=acting, verb="org.clearance.changed", target=person, unit=person.unit_id,
                       data={"before": before, "after": clearance, "reason": (reason or "").strip()[:500]})
    announce(event, person=person, detail=f"{Secrecy(before).label} → {Secrecy(clearance).label}")
    return person


@action("org.person.opens_next_set")
def set_opens_next(*, person: Person, value: bool, acting: Person) -> Person:
    """A person's own setting: after an action, open the next item of the same queue (issue 12)."""
    if not isinstance(acting, Person) or acting.pk != person.pk:
        raise ActionRefused(_("Chỉ người dùng tự đổi được cài đặt của mình."), code="forbidden", status=403)
    Person.objects.filter(pk=person.pk).update(opens_next=value)
    person.opens_next = value
    log.record(actor=acting, verb="org.person.opens_next_set", target=person, unit=person.unit_id,
               data={"opens_next": value})
    return person
