"""A unit's codes after its creation (its QCVN 102 organ id, the exchange's address, and its QĐ 20/2020
identifier): corrected by an admin of a top unit through one action (the unit's page posts to it), each in its
form, never another unit's, audited with the codes before and after; the database keeps two units from sharing a
non-empty QĐ 20 identifier even when the action's check is passed by two admins at once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org import actions as org
from vanthu.org.agency_actions import set_unit_codes
from vanthu.org.models import Role, Unit
from vanthu.org.second_factor_testing import step_up

FIXTURES = SystemActor("test fixtures")
pytestmark = pytest.mark.django_db


def test_an_admin_of_the_top_unit_corrects_a_units_codes_and_the_change_is_audited(cast):
    old = cast.division.code
    set_unit_codes(unit=cast.division, code=" 000.99.03.Q10 ", code_qd20="Q10.03", acting=cast.admin)
    division = Unit.objects.get(pk=cast.division.pk)
    assert (division.code, division.code_qd20) == ("000.99.03.Q10", "Q10.03")
    event = AuditEvent.objects.get(verb="org.unit.codes_changed")
    assert event.actor_id == cast.admin.pk
    assert event.data["before"] == {"code": old or "", "code_qd20": ""}
    assert event.data["after"] == {"code": "000.99.03.Q10", "code_qd20": "Q10.03"}
    set_unit_codes(unit=division, code="000.99.03.Q10", code_qd20="Q10.03", acting=cast.admin)  # unchanged
    assert AuditEvent.objects.filter(verb="org.unit.codes_changed").count() == 1
    set_unit_codes(unit=division, code="", code_qd20="", acting=cast.admin)  # empty takes the codes away
    division.refresh_from_db()
    assert (division.code, division.code_qd20) == (None, "")


def test_another_units_code_or_identifier_is_refused_naming_it(cast):
    set_unit_codes(unit=cast.staff, code=cast.staff.code or "", code_qd20="Q10.02", acting=cast.admin)
    with pytest.raises(ActionRefused) as refused:
        set_unit_codes(unit=cast.division, code=cast.staff.code or "", code_qd20="", acting=cast.admin)
    assert (refused.value.code, refused.value.field) == ("duplicate_code", "code")
    assert refused.value.message == f"Mã định danh {cast.staff.code} đã được đơn vị Bộ Tham mưu dùng."
    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        set_unit_codes(unit=cast.division, code="", code_qd20="Q10.02", acting=cast.admin)
    assert (refused.value.code, refused.value.field) == ("duplicate_code_qd20", "code_qd20")
    assert refused.value.message == "Electronic identifier Q10.02 is already used by the unit Bộ Tham mưu."
    with pytest.raises(ActionRefused) as refused:
        set_unit_codes(unit=cast.division, code="G22.01", code_qd20="", acting=cast.admin)
    assert refused.value.code == "bad_code"
    assert Unit.objects.get(pk=cast.division.pk).code == cast.division.code
    assert AuditEvent.objects.filter(verb="org.unit.codes_changed.refused").count() == 3


def test_an_admin_of_a_lower_unit_may_not_change_its_codes(cast):
    org.grant_role(person=cast.dung, unit=cast.division, role=Role.ADMIN, acting=FIXTURES)
    with pytest.raises(ActionRefused) as refused:
        set_unit_codes(unit=cast.division, code="", code_qd20="Q10.03", acting=cast.dung)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    assert refused.value.message == "Chỉ quản trị của đơn vị cấp cao nhất được làm việc này."
    assert Unit.objects.get(pk=cast.division.pk).code_qd20 == ""


def test_the_database_keeps_two_units_from_sharing_a_qd20_identifier_and_allows_many_empty(cast):
    assert Unit.objects.filter(code_qd20="").count() >= 2  # the cast's units have none: empty is shared
    Unit.objects.filter(pk=cast.staff.pk).update(code_qd20="Q10.02")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=cast.division.pk).update(code_qd20="Q10.02")  # past the action's check
    assert Unit.objects.filter(code_qd20="Q10.02").count() == 1


def test_the_units_page_shows_the_codes_form_to_the_top_admin_and_saves_it(client, cast):
    step_up(client, cast.admin)
    page = client.get(reverse("unit_head", args=[cast.division.pk])).content.decode()
    assert f'action="{reverse("unit_codes", args=[cast.division.pk])}"' in page
    assert "Mã định danh điện tử (QĐ 20/2020)" in page
    answer = client.post(reverse("unit_codes", args=[cast.division.pk]),
                         {"code": cast.division.code or "", "code_qd20": "Q10.03"})
    assert answer.status_code == 302
    assert Unit.objects.get(pk=cast.division.pk).code_qd20 == "Q10.03"
    followed = client.get(answer["Location"]).content.decode()
    assert "Đã lưu mã định danh của Sư đoàn 301." in followed
    answer = client.post(reverse("unit_codes", args=[cast.operations.pk]), {"code": "", "code_qd20": "Q10.03"})
    assert answer.status_code == 200  # refused: the page again, the holder named at the field
    assert "Mã định danh điện tử Q10.03 đã được đơn vị Sư đoàn 301 dùng." in answer.content.decode()
    assert Unit.objects.get(pk=cast.operations.pk).code_qd20 == ""


def test_a_lower_units_admin_sees_the_codes_and_cannot_post_them(client, cast):
    org.grant_role(person=cast.dung, unit=cast.division, role=Role.ADMIN, acting=FIXTURES)
    step_up(client, cast.dung)
    page = client.get(reverse("unit_head", args=[cast.division.pk])).content.decode()
    assert reverse("unit_codes", args=[cast.division.pk]) not in page
    assert "Chỉ quản trị của đơn vị cấp cao nhất được sửa mã định danh." in page
    answer = client.post(reverse("unit_codes", args=[cast.division.pk]), {"code": "", "code_qd20": "Q10.03"})
    assert answer.status_code == 404
    assert Unit.objects.get(pk=cast.division.pk).code_qd20 == ""
