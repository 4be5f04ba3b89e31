"""Codes for the demo and test characters, whose TOTP secrets are public (`second_factor.demo_key`).

`code_for(person)` returns a code that verifies now. A fixture signs many times within one 30-second step, which
no one with a phone can: when both codes the window allows were used, the device's last used step is moved back
first. Tests of the replay protection type the same code twice and do not use this.
"""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.core.actors import SystemActor
from vanthu.org.models import Person
from vanthu.org.second_factor import next_code


def code_for(person: Person | SystemActor) -> str:
    if isinstance(person, SystemActor):
        return ""
    device = TOTPDevice.objects.filter(user_id=person.user_id, confirmed=True).order_by("pk").first()
    if device is None:
        raise LookupError(f"{person} has no second-factor device")
    code = next_code(device)
    if code is None:
        device.last_t = -1
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        code = next_code(device)
    assert code is not None
    return code


def step_up(client: Any, person: Person) -> None:
    """Log a test client in as `person` with the second factor proved on the code page, as a person does before
    an administration page (decision 0020)."""
    from django.urls import reverse

    client.force_login(person.user)
    response = client.post(reverse("second_factor_verify"), {"otp": code_for(person)})
    assert response.status_code == 302, response.content.decode()[:500]


def backup_code_for(person: Person) -> str:
    """A fresh one-time backup code of `person` (django-otp static token): for the issuing benchmark, whose
    threads act as one person at once, more often than an authenticator app's codes allow."""
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.filter(user_id=person.user_id, confirmed=True).first()
    if device is None:
        device = StaticDevice.objects.create(user_id=person.user_id, name="backup codes", confirmed=True)
    token = secrets.token_hex(8)
    StaticToken.objects.create(device=device, token=token)
    return token
