"""The second factor's own pages (decision 0020): enrolment with a QR code, the administrators' step-up, the reset
by an administrator of the person's unit, `vanthu otp code`, and the deployment setting for every login."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.audit.models import AuditEvent
from vanthu.demo.characters import CAST_BUILDER
from vanthu.org import actions as org
from vanthu.org.models import Role
from vanthu.org.second_factor import demo_key
from vanthu.org.second_factor_testing import code_for


def step_up(client, person) -> None:
    client.force_login(person.user)
    done = client.post("/tai-khoan/xac-thuc/ma/", {"otp": code_for(person)})
    assert done.status_code == 302, done.content.decode()[:1000]


def test_the_cast_is_enrolled_with_the_documented_demo_secret(cast):
    device = TOTPDevice.objects.get(user=cast.lan.user, confirmed=True)
    assert device.key == demo_key("lan")


def test_a_person_enrols_a_phone_by_qr_code_and_code(client, cast):
    TOTPDevice.objects.filter(user=cast.minh.user).delete()
    client.force_login(cast.minh.user)
    page = client.get("/tai-khoan/xac-thuc/dang-ky/")
    text = page.content.decode()
    assert page.status_code == 200
    assert '<img src="/tai-khoan/xac-thuc/dang-ky/qr.svg"' in text
    qr = client.get("/tai-khoan/xac-thuc/dang-ky/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")
    device = TOTPDevice.objects.get(user=cast.minh.user, confirmed=False)
    wrong = client.post("/tai-khoan/xac-thuc/dang-ky/", {"otp": "000000", "name": "Điện thoại"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    done = client.post("/tai-khoan/xac-thuc/dang-ky/", {"otp": f"{totp.token():06d}", "name": "Điện thoại"})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert device.name == "Điện thoại"
    assert AuditEvent.objects.filter(verb="org.second_factor.enrolled", target_id=str(cast.minh.pk)).exists()
    listing = client.get("/tai-khoan/xac-thuc/").content.decode()
    assert "Điện thoại" in listing


def test_changing_the_devices_of_an_enrolled_person_needs_a_fresh_code(client, cast):
    client.force_login(cast.minh.user)
    device = TOTPDevice.objects.get(user=cast.minh.user)
    refused = client.post(f"/tai-khoan/xac-thuc/{device.pk}/go")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/tai-khoan/xac-thuc/ma/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    step_up(client, cast.minh)
    client.post(f"/tai-khoan/xac-thuc/{device.pk}/go")
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(verb="org.second_factor.removed").exists()


def test_one_cannot_remove_anothers_device(client, cast):
    step_up(client, cast.minh)
    other = TOTPDevice.objects.get(user=cast.tam.user)
    assert client.post(f"/tai-khoan/xac-thuc/{other.pk}/go").status_code == 404
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


def test_an_admin_page_without_step_up_redirects_to_the_code_page_and_back(client, cast):
    client.force_login(cast.admin.user)
    page = client.get("/ky-so/chung-thu/")
    assert page.status_code == 302
    assert page["Location"] == "/tai-khoan/xac-thuc/ma/?next=%2Fky-so%2Fchung-thu%2F"
    form = client.get(page["Location"]).content.decode()
    assert 'name="otp"' in form
    wrong = client.post("/tai-khoan/xac-thuc/ma/", {"otp": "12", "next": "/ky-so/chung-thu/"})
    assert wrong.status_code == 400
    TOTPDevice.objects.filter(user=cast.admin.user).update(throttling_failure_count=0,
                                                           throttling_failure_timestamp=None)
    back = client.post("/tai-khoan/xac-thuc/ma/", {"otp": code_for(cast.admin), "next": "/ky-so/chung-thu/"})
    assert back.status_code == 302
    assert back["Location"] == "/ky-so/chung-thu/"
    assert client.get("/ky-so/chung-thu/").status_code == 200
    retry = client.post("/quan-tri/viec-nen/khong-co/chay-lai")  # an admin action: the step-up holds
    assert retry.status_code != 302 or not retry["Location"].startswith("/tai-khoan/xac-thuc/ma/")


def test_an_admin_action_without_step_up_is_not_done(client, cast):
    client.force_login(cast.admin.user)
    refused = client.post("/quan-tri/viec-nen/khong-co/chay-lai")
    assert refused.status_code == 302
    assert refused["Location"] == "/tai-khoan/xac-thuc/ma/"


def test_a_non_admin_still_gets_404_not_the_code_page(client, cast):
    client.force_login(cast.lan.user)
    assert client.get("/ky-so/chung-thu/").status_code == 404


def test_the_reset_needs_a_reason_and_is_audited(client, cast):
    step_up(client, cast.admin)
    url = f"/org/people/{cast.lan.pk}/xac-thuc/dat-lai/"
    assert "Đặt lại xác thực hai lớp" in client.get(url).content.decode()
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "Hãy ghi lý do đặt lại xác thực hai lớp." in empty.content.decode()
    assert TOTPDevice.objects.filter(user=cast.lan.user).exists()
    done = client.post(url, {"reason": "Mất điện thoại công tác"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.lan.user).exists()
    event = AuditEvent.objects.get(verb="org.second_factor.reset")
    assert event.actor_id == cast.admin.pk
    assert event.data["reason"] == "Mất điện thoại công tác"
    assert event.data["devices"] == 1


def test_another_units_admin_gets_404_for_the_reset(client, cast):
    org.grant_role(person=cast.tam, unit=cast.province, role=Role.ADMIN, acting=CAST_BUILDER)
    step_up(client, cast.tam)
    url = f"/org/people/{cast.lan.pk}/xac-thuc/dat-lai/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "thử"}).status_code == 404
    assert TOTPDevice.objects.filter(user=cast.lan.user).exists()
    assert not AuditEvent.objects.filter(verb="org.second_factor.reset").exists()


def test_otp_code_prints_the_code_that_verifies(cast):
    out = io.StringIO()
    call_command("otp", "code", "lan", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    device = TOTPDevice.objects.get(user=cast.lan.user)
    assert device.verify_token(code)


def test_otp_code_of_an_unknown_account_fails(cast):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("otp", "code", "khong-co-ai")


def test_every_login_asks_for_the_code_when_the_deployment_says_so(client, cast, settings):
    settings.VANTHU_2FA_ALL_LOGINS = True
    client.force_login(cast.lan.user)
    page = client.get("/")
    assert page.status_code == 302
    assert page["Location"].startswith("/tai-khoan/xac-thuc/ma/")
    step_up(client, cast.lan)
    assert not client.get("/").get("Location", "").startswith("/tai-khoan/xac-thuc/ma/")


def test_logins_need_only_the_password_by_default(client, cast):
    client.force_login(cast.lan.user)
    assert not client.get("/").get("Location", "").startswith("/tai-khoan/xac-thuc/ma/")
