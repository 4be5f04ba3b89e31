"""Alerts on rights changes (checklist point 50, decision 0027): every grant or withdrawal of a right tells the
person concerned and the unit's security officers (Role.SECURITY over the unit or above; none: the unit's head)
through the one notification path, naming who changed what for whom; a refused change tells no one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from vanthu.core.actors import TEST_FIXTURES, operator
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.notify.models import Kind, MailState, Notification, Preference
from vanthu.org import actions as org
from vanthu.org.models import Rank, Role
from vanthu.org.second_factor_actions import reset_second_factor
from vanthu.signing import actions as signing
from vanthu.signing import testing as signing_testing
from vanthu.workflow.stand_in_actions import cancel_stand_in, name_stand_in


@pytest.fixture
def bao(cast):
    """Bảo, the Command's security officer (as in the demo), made by the fixtures: no alert for that."""
    person = org.create_person(username="bao", password="x", full_name="Lý Văn Bảo", unit=cast.office,
                               acting=TEST_FIXTURES, rank=Rank.THIEU_TA, position="Trợ lý bảo mật",
                               clearance=Secrecy.TOP_SECRET, roles=(Role.OFFICER,), email="bao@qk10.example")
    org.grant_role(person=person, unit=cast.command, role=Role.SECURITY, acting=TEST_FIXTURES)
    assert not Notification.objects.exists()
    return person


def told(person) -> list[Notification]:
    return list(Notification.objects.filter(person=person, key__startswith="rights:").order_by("pk"))


def test_checklist_point_50_a_role_granted_alerts_the_person_and_the_security_officer(cast, bao):
    org.grant_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=cast.admin)
    [mine] = told(cast.minh)
    [officers] = told(bao)
    assert mine.key == officers.key
    assert mine.kind == Kind.INFO
    for text in ("Thay đổi quyền", "Đỗ Văn Minh", "được giao vai trò", "Văn thư", "Ngô Minh Khoa"):
        assert text in mine.title
    assert officers.title == mine.title
    assert not told(cast.hung), "the commander is not the security officer"

    org.revoke_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=cast.admin)
    assert "bị thu hồi vai trò" in told(cast.minh)[-1].title
    assert len(told(bao)) == 2


def test_checklist_point_50_without_a_security_officer_the_units_head_is_alerted(cast):
    org.grant_role(person=cast.minh, unit=cast.division, role=Role.ADMIN, acting=cast.admin)
    assert len(told(cast.minh)) == 1
    [head] = told(cast.dung)  # Sư đoàn trưởng, the division's head
    assert "Quản trị" in head.title


def test_checklist_point_50_a_refused_change_alerts_no_one(cast, bao):
    with pytest.raises(ActionRefused):
        org.grant_role(person=cast.quang, unit=cast.staff, role=Role.CLERK, acting=cast.quang)
    with pytest.raises(ActionRefused):
        org.set_clearance(person=cast.minh, clearance=Secrecy.TOP_SECRET, acting=cast.hung)
    assert not Notification.objects.exists()


def test_checklist_point_50_clearance_authority_and_second_factor_changes_alert(cast, bao):
    org.set_clearance(person=cast.minh, clearance=Secrecy.SECRET, acting=cast.admin, reason="Bổ nhiệm mới")
    cast.minh.refresh_from_db()
    assert cast.minh.clearance == Secrecy.SECRET
    assert "Mật → Tối mật" in told(cast.minh)[-1].title
    authority = org.grant_signing_authority(person=cast.minh, unit=cast.division, title="Phó Sư đoàn trưởng",
                                            prefix="KT.", on_behalf_title="Sư đoàn trưởng", acting=cast.admin)
    assert "KT. SƯ ĐOÀN TRƯỞNG" in told(cast.minh)[-1].title
    org.revoke_signing_authority(authority=authority, acting=cast.admin)
    assert "bị thu hồi thẩm quyền ký" in told(cast.minh)[-1].title
    reset_second_factor(person=cast.minh, acting=cast.admin, reason="Mất điện thoại")
    assert "bị đặt lại xác thực hai lớp" in told(cast.minh)[-1].title
    assert len(told(cast.minh)) == 4
    assert len(told(bao)) == 4


def test_checklist_point_50_a_stand_in_named_and_cancelled_alerts_the_stand_in_and_the_officer(cast, bao):
    today = dt.date.today()
    row = name_stand_in(absent=cast.son, stand_in=cast.lan, starts_on=today, ends_on=today + dt.timedelta(days=3),
                        reason="Đi công tác", acting=cast.son)
    assert "được cử người xử lý thay" in told(cast.lan)[-1].title
    assert "Hoàng Văn Sơn" in told(cast.lan)[-1].title
    cancel_stand_in(stand_in=row, acting=cast.son)
    assert len(told(cast.lan)) == 2
    assert len(told(bao)) == 2


def test_checklist_point_50_a_certificate_bound_to_a_person_or_a_unit_alerts(cast, bao):
    signing_testing.ensure_ca()
    credential = signing.issue_certificate(owner=cast.minh, acting=operator("pki issue"), passphrase=None)
    assert "được cấp chứng thư số" in told(cast.minh)[-1].title
    signing.issue_certificate(owner=cast.division, acting=operator("pki issue"), passphrase=None)
    assert len(told(bao)) == 2
    assert "Sư đoàn 301" in told(bao)[-1].title
    signing.revoke_certificate(certificate=credential.certificate, reason="keyCompromise",
                               acting=operator("pki revoke"))
    assert "bị thu hồi chứng thư số" in told(cast.minh)[-1].title


def test_an_alert_is_mailed_to_who_chose_mail_for_information(cast, bao, settings):
    settings.MAIL_ENABLED = True
    Preference.objects.create(person=bao, mail_other=True)
    org.grant_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=cast.admin)
    assert told(bao)[0].mail_state == MailState.PENDING
    assert told(cast.minh)[0].mail_state == MailState.OFF  # Minh kept the default: the bell only


def test_the_alert_reads_in_english_for_an_english_reader(cast, bao):
    with translation.override("en"):
        org.grant_role(person=cast.minh, unit=cast.regiment, role=Role.CLERK, acting=cast.admin)
    title = told(cast.minh)[0].title
    assert title.startswith("Rights changed")
    assert "Đỗ Văn Minh" in title
    assert "Ngô Minh Khoa" in title
