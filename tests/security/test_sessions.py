"""Sessions (org/sessions.py): each is a row with its person, device and address; a person lists theirs and ends
one or all the others; an administrator of the person's unit may too (404 outside their units); a session
unused for VANTHU_SESSION_IDLE_MINUTES ends; the cookie is HttpOnly."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.demo.characters import CAST_BUILDER, DEMO_PASSWORD
from vanthu.org import actions as org
from vanthu.org.models import PersonSession, Role

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"


def logged_in(username: str, agent: str, address: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    page = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert page.status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_login_cookie_is_httponly_and_lax(cast):
    client = Client()
    page = client.post("/login/", {"username": "lan", "password": DEMO_PASSWORD})
    cookie = page.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_lan_sees_her_sessions_with_device_and_address(cast):
    office = logged_in("lan", FIREFOX, "10.1.2.3")
    logged_in("lan", PHONE, "10.9.9.9")
    text = office.get("/tai-khoan/phien/").content.decode()
    assert "Firefox/128.0" in text
    assert "10.1.2.3" in text
    assert "Android 14" in text
    assert "10.9.9.9" in text
    assert "(máy này)" in text
    assert PersonSession.objects.filter(user=cast.lan.user).count() == 2


def test_logout_everywhere_ends_the_other_sessions_and_keeps_this_one(cast):
    office = logged_in("lan", FIREFOX, "10.1.2.3")
    phone = logged_in("lan", PHONE, "10.9.9.9")
    other = logged_in("hoa", FIREFOX, "10.1.2.4")
    page = office.post("/tai-khoan/phien/all/ket-thuc", follow=True)
    assert "Đã kết thúc 1 phiên đăng nhập khác." in page.content.decode()
    assert office.get("/").status_code == 200
    assert phone.get("/").status_code == 302  # back to the login page
    assert other.get("/").status_code == 200
    assert AuditEvent.objects.filter(verb="org.session.ended_all", actor_id=cast.lan.pk).count() == 1


def test_lan_ends_one_session_by_its_handle(cast):
    office = logged_in("lan", FIREFOX, "10.1.2.3")
    phone = logged_in("lan", PHONE, "10.9.9.9")
    handle = PersonSession.objects.get(user=cast.lan.user, user_agent=PHONE).handle
    office.post(f"/tai-khoan/phien/{handle}/ket-thuc")
    assert phone.get("/").status_code == 302
    assert office.get("/").status_code == 200


def test_a_person_cannot_end_anothers_session_by_its_handle(cast):
    lan = logged_in("lan", FIREFOX, "10.1.2.3")
    hoa = logged_in("hoa", PHONE, "10.9.9.9")
    handle = PersonSession.objects.get(user=cast.hoa.user).handle
    assert lan.post(f"/tai-khoan/phien/{handle}/ket-thuc").status_code == 404
    assert hoa.get("/").status_code == 200


def test_admin_sees_and_ends_the_sessions_of_a_person_of_their_units(client, cast):
    phone = logged_in("lan", PHONE, "10.9.9.9")
    client.force_login(cast.admin.user)
    page = client.get(f"/quan-tri/nguoi/{cast.lan.pk}/phien/")
    assert page.status_code == 200
    assert "Android 14" in page.content.decode()
    client.post(f"/quan-tri/nguoi/{cast.lan.pk}/phien/all/ket-thuc")
    assert phone.get("/").status_code == 302
    assert client.get("/").status_code == 200  # the admin's own session stays
    event = AuditEvent.objects.get(verb="org.session.ended_all")
    assert event.actor_id == cast.admin.pk


def test_admin_of_another_unit_gets_404_on_a_persons_sessions(client, cast):
    org.grant_role(person=cast.minh, unit=cast.division, role=Role.ADMIN, acting=CAST_BUILDER)
    phone = logged_in("lan", PHONE, "10.9.9.9")  # Lan works in the Staff, not in the division
    client.force_login(cast.minh.user)
    assert client.get(f"/quan-tri/nguoi/{cast.lan.pk}/phien/").status_code == 404
    assert client.post(f"/quan-tri/nguoi/{cast.lan.pk}/phien/all/ket-thuc").status_code == 404
    assert phone.get("/").status_code == 200


@pytest.mark.parametrize(("minutes", "ends"), [(29, False), (31, True)])
def test_a_session_unused_for_the_idle_time_ends(cast, settings, minutes, ends):
    settings.SESSION_IDLE_MINUTES = 30
    client = logged_in("lan", FIREFOX, "10.1.2.3")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes)):
        page = client.get("/")
        if ends:
            assert page.status_code == 302
            assert page["Location"].startswith("/login/")
            login = client.get(page["Location"]).content.decode()
            assert "Phiên làm việc đã kết thúc vì không dùng quá 30 phút" in login
        else:
            assert page.status_code == 200


def test_polling_the_bell_does_not_keep_a_session_alive(cast, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = logged_in("lan", FIREFOX, "10.1.2.3")
    start = timezone.now()
    for minutes in (10, 20, 29):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            assert client.get("/thong-bao/chuong/", HTTP_HX_REQUEST="true").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=31)):
        assert client.get("/").status_code == 302
