"""Who may change the organisation: an admin of the unit or of a unit above it, or the system actor of the
operator's CLI / a bootstrap, audited under its name. Everyone else is refused (403), and the refusal is
audited."""

from __future__ import annotations

import datetime as dt

import pytest

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import SystemActor, operator
from vanthu.core.errors import ActionRefused
from vanthu.org import actions as org
from vanthu.org.models import AuthorityPrefix, Role, RoleGrant, SigningAuthority, Unit
from vanthu.org.queries import scope_of


@pytest.fixture
def division_admin(cast):
    """Minh, made admin of Sư đoàn 301 by the Command's admin: he manages the division and its regiment."""
    org.grant_role(person=cast.minh, unit=cast.division, role=Role.ADMIN, acting=cast.admin)
    return cast.minh


def refusals(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=f"{verb}.refused").order_by("id"))


def test_officer_cannot_grant_roles(cast):
    with pytest.raises(ActionRefused) as refused:
        org.grant_role(person=cast.quang, unit=cast.staff, role=Role.CLERK, acting=cast.quang)
    assert refused.value.status == 403
    assert refused.value.code == "forbidden"
    assert not RoleGrant.objects.filter(person=cast.quang, role=Role.CLERK).exists()
    [event] = refusals("org.role.granted")
    assert event.actor_id == cast.quang.pk
    assert event.data["code"] == "forbidden"


def test_leader_is_not_an_admin(cast):
    """Leading the whole tree gives no right to change it: that is the admin's work."""
    with pytest.raises(ActionRefused):
        org.grant_role(person=cast.minh, unit=cast.division, role=Role.CLERK, acting=cast.hung)
    with pytest.raises(ActionRefused):
        org.create_unit(name="Trung đoàn 2", abbreviation="E2", parent=cast.division, acting=cast.dung)


def test_admin_of_the_command_manages_the_whole_tree(cast):
    grant = org.grant_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=cast.admin)
    assert scope_of(cast.minh).is_clerk_of(cast.regiment.pk)
    event = AuditEvent.objects.get(verb="org.role.granted", target_id=str(cast.minh.pk))
    assert (event.actor_id, event.actor_name) == (cast.admin.pk, str(cast.admin))
    org.revoke_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=cast.admin)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_admin_of_a_division_manages_its_subtree(cast, division_admin):
    regiment_2 = org.create_unit(name="Trung đoàn 2", abbreviation="E2", parent=cast.division,
                                 acting=division_admin)
    assert regiment_2.is_within(cast.division)
    clerk = org.create_person(username="nga", password=None, full_name="Trần Thị Nga", unit=regiment_2,
                              acting=division_admin, roles=(Role.CLERK,))
    assert scope_of(clerk).is_clerk_of(regiment_2.pk)
    org.grant_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=division_admin)
    authority = org.grant_signing_authority(person=cast.dung, unit=cast.regiment, title="Sư đoàn trưởng",
                                            acting=division_admin)
    org.revoke_signing_authority(authority=authority, acting=division_admin)
    authority.refresh_from_db()
    assert authority.revoked_at is not None


def test_admin_of_one_unit_cannot_act_on_another(cast, division_admin):
    attempts = [
        lambda: org.create_unit(name="Phòng Tác chiến 2", abbreviation="TC2", parent=cast.staff,
                                acting=division_admin),
        lambda: org.create_person(username="ha", password=None, full_name="Lê Văn Hà", unit=cast.province,
                                  acting=division_admin),
        lambda: org.grant_role(person=cast.tam, unit=cast.province, role=Role.CLERK, acting=division_admin),
        lambda: org.grant_role(person=division_admin, unit=cast.command, role=Role.ADMIN, acting=division_admin),
        lambda: org.revoke_role(person=cast.lan, unit=cast.staff, role=Role.CLERK, acting=division_admin),
        lambda: org.grant_signing_authority(person=cast.tam, unit=cast.province, title="Chỉ huy trưởng",
                                            acting=division_admin),
        lambda: org.revoke_signing_authority(authority=SigningAuthority.objects.get(person=cast.son),
                                             acting=division_admin),
    ]
    for attempt in attempts:
        with pytest.raises(ActionRefused) as refused:
            attempt()
        assert refused.value.status == 403
    assert not Unit.objects.filter(abbreviation="TC2").exists()
    assert scope_of(cast.lan).is_clerk_of(cast.staff.pk)
    assert SigningAuthority.objects.get(person=cast.son).revoked_at is None
    refused_verbs = AuditEvent.objects.filter(verb__endswith=".refused", actor_id=division_admin.pk)
    assert refused_verbs.count() == len(attempts)


def test_signing_authority_needs_an_admin_even_for_a_tuq_delegation(cast):
    with pytest.raises(ActionRefused):
        org.grant_signing_authority(person=cast.lan, unit=cast.staff, prefix=AuthorityPrefix.TUQ,
                                    on_behalf_title="Tham mưu trưởng", title="Trưởng phòng", acting=cast.son,
                                    delegated_by=cast.son, valid_until=dt.date(2030, 12, 31))
    assert not SigningAuthority.objects.filter(person=cast.lan).exists()


def test_nobody_named_is_refused(cast):
    with pytest.raises(ActionRefused):
        org.grant_role(person=cast.minh, unit=cast.division, role=Role.CLERK, acting=None)  # type: ignore[arg-type]


def test_a_top_unit_only_by_the_operator(cast):
    with pytest.raises(ActionRefused) as refused:
        org.create_unit(name="Quân khu 11", abbreviation="QK11", parent=None, acting=cast.admin)
    assert refused.value.status == 403
    top = org.create_unit(name="Quân khu 11", abbreviation="QK11", parent=None, acting=operator("demo"))
    event = AuditEvent.objects.get(verb="org.unit.created", target_id=str(top.pk))
    assert event.actor_id is None
    assert event.actor_name.startswith("system:operator ")
    assert event.actor_name.endswith(": vanthu demo")


def test_the_fixed_characters_were_made_by_a_named_system_actor(cast):
    event = AuditEvent.objects.get(verb="org.unit.created", target_id=str(cast.command.pk))
    assert event.actor_name == str(SystemActor("fixed characters")) == "system:fixed characters"
    assert scope_of(cast.admin).administers_all
    assert not scope_of(cast.hung).administers_all
