"""Login lockout (django-axes through core/lockout.py): after VANTHU_LOCKOUT_FAILURES wrong passwords the account
is locked, the person is told when it reopens, an administrator of the unit sees the lock and may lift it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core import lockout
from vanthu.demo.characters import CAST_BUILDER, DEMO_PASSWORD
from vanthu.org import actions as org
from vanthu.org.models import Role


@pytest.fixture(autouse=True)
def _three_failures(settings):
    settings.LOCKOUT_FAILURES = settings.AXES_FAILURE_LIMIT = 3
    settings.LOCKOUT_MINUTES = 15
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def _fail(client, username="hoa", times=3):
    for _ in range(times):
        page = client.post("/login/", {"username": username, "password": "sai-mat-khau"})
    return page


def test_third_wrong_password_locks_the_account_and_says_when_it_reopens(client, cast):
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        assert _fail(client, times=2).status_code == 200
        page = _fail(client, times=1)
    text = page.content.decode()
    assert page.status_code == 429
    assert "Tài khoản đã bị tạm khóa do nhập sai mật khẩu 3 lần" in text
    assert "16:15 ngày 05/12/2026" in text  # 09:00 UTC + 15 minutes, in Hanoi time
    assert int(page["Retry-After"]) > 0


def test_the_right_password_is_refused_while_locked_and_accepted_after(client, cast):
    _fail(client)
    page = client.post("/login/", {"username": "hoa", "password": DEMO_PASSWORD})
    assert page.status_code == 429
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        page = client.post("/login/", {"username": "hoa", "password": DEMO_PASSWORD})
        assert page.status_code == 302
    assert lockout.locked_until("hoa") is None


def test_a_success_before_the_limit_clears_the_failures(client, cast):
    _fail(client, times=2)
    assert client.post("/login/", {"username": "hoa", "password": DEMO_PASSWORD}).status_code == 302
    client.post("/logout/")
    assert _fail(client, times=2).status_code == 200  # counting starts again


def test_locking_one_account_leaves_the_others_open(client, cast):
    _fail(client, "hoa")
    assert client.post("/login/", {"username": "lan", "password": DEMO_PASSWORD}).status_code == 302


def test_admin_of_the_unit_sees_the_lock_and_lifts_it(client, cast):
    _fail(client, "hoa")
    client.force_login(cast.admin.user)
    page = client.get("/quan-tri/khoa/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Phạm Thị Hoa (hoa)" in text
    assert client.post("/quan-tri/khoa/mo", {"key": "hoa"}).status_code == 302
    assert lockout.locked_until("hoa") is None
    event = AuditEvent.objects.get(verb="org.lock.lifted")
    assert event.actor_id == cast.admin.pk
    assert event.data["kind"] == "account"
    client.post("/logout/")
    assert client.post("/login/", {"username": "hoa", "password": DEMO_PASSWORD}).status_code == 302


def test_admin_of_another_unit_neither_sees_nor_lifts_the_lock(client, cast):
    org.grant_role(person=cast.minh, unit=cast.division, role=Role.ADMIN, acting=CAST_BUILDER)
    _fail(client, "hoa")  # Hoa works at the Command, above the division
    client.force_login(cast.minh.user)
    assert "Phạm Thị Hoa" not in client.get("/quan-tri/khoa/").content.decode()
    assert client.post("/quan-tri/khoa/mo", {"key": "hoa"}).status_code == 404
    assert lockout.locked_until("hoa") is not None
    assert not AuditEvent.objects.filter(verb="org.lock.lifted").exists()


def test_people_without_the_admin_role_get_404_on_the_locks_page(client, cast):
    client.force_login(cast.lan.user)
    assert client.get("/quan-tri/khoa/").status_code == 404
    assert client.post("/quan-tri/khoa/mo", {"key": "hoa"}).status_code == 404
