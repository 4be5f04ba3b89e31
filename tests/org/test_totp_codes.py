"""An authenticator's code (django-otp's TOTPDevice) is checked in Python and used up by one conditional UPDATE,
without a transaction or a row lock (issue 7, throughput pass): a code works once, one time step either side of
the server's clock, a wrong code counts toward throttling and a right one resets it, exactly as django-otp's
`verify_token` under the lock did."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.core.errors import ActionRefused
from vanthu.org import second_factor

NOW = 1_900_000_005.0  # a fixed clock, 5 s into a 30-second step: no test races a step boundary


@pytest.fixture
def clock(monkeypatch):
    frozen = SimpleNamespace(time=lambda: NOW)
    monkeypatch.setattr(second_factor, "time", frozen)
    monkeypatch.setattr(totp_models, "time", frozen)  # django-otp's own check, for the same tests on the old code


def device_of(person) -> TOTPDevice:
    return TOTPDevice.objects.get(user_id=person.user_id, confirmed=True)


def code_at(device: TOTPDevice, steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps)
    totp.time = NOW
    return f"{totp.token():0{device.digits}d}"


def step_at(device: TOTPDevice, steps: int = 0) -> int:
    return int((NOW - device.t0) // device.step) + device.drift + steps


def wrong_code(device: TOTPDevice) -> str:
    near = {code_at(device, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def test_a_code_works_once(cast, clock):
    device = device_of(cast.lan)
    code = code_at(device)
    second_factor.verify(cast.lan, code)
    with pytest.raises(ActionRefused) as refused:
        second_factor.verify(cast.lan, code)
    assert refused.value.code == "otp_wrong"
    device.refresh_from_db()
    assert device.last_t == step_at(device)
    assert device.throttling_failure_count == 1  # the replay counted as a wrong code, as django-otp counts it
    assert device.last_used_at is not None


def test_one_step_either_side_is_accepted_two_are_not(cast, clock):
    device = device_of(cast.lan)
    for steps in (-2, 2):
        with pytest.raises(ActionRefused):
            second_factor.verify(cast.lan, code_at(device, steps))
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    second_factor.verify(cast.lan, code_at(device, -1))
    second_factor.verify(cast.lan, code_at(device, +1))
    device.refresh_from_db()
    assert device.last_t == step_at(device, +1)
    with pytest.raises(ActionRefused):  # the current step is below the last one used now
        second_factor.verify(cast.lan, code_at(device))


def test_a_wrong_code_counts_and_a_right_one_resets(cast, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600
    device = device_of(cast.lan)
    with pytest.raises(ActionRefused) as refused:
        second_factor.verify(cast.lan, wrong_code(device))
    assert refused.value.code == "otp_wrong"
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert device.throttling_failure_timestamp is not None
    with pytest.raises(ActionRefused) as locked:  # the right code while throttled: refused and not used up
        second_factor.verify(cast.lan, code_at(device))
    assert locked.value.code == "otp_throttled"
    device.refresh_from_db()
    assert (device.throttling_failure_count, device.last_t) == (1, -1)
    TOTPDevice.objects.filter(pk=device.pk).update(  # the lock has run out (moved back, not waited for)
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=601))
    second_factor.verify(cast.lan, code_at(device))
    device.refresh_from_db()
    assert (device.throttling_failure_count, device.throttling_failure_timestamp) == (0, None)
    assert device.last_t == step_at(device)


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as a request checks it
def test_a_code_is_used_up_by_one_update_without_a_lock(cast, clock):
    device = device_of(cast.lan)
    with CaptureQueriesContext(connection) as queries:
        second_factor.verify(cast.lan, code_at(device))
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if s.split()[0].upper() in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    assert not [s for s in statements if "FOR UPDATE" in s.upper()]
    assert len(statements) == 2  # the person's devices (also "enrolled?") · the UPDATE
    assert statements[-1].upper().startswith("UPDATE")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_code_at_once_one_passes(cast):
    device = device_of(cast.lan)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.time % device.step > device.step - 5:  # a step ends within 5 s: the code stays good for the next step
        totp.drift += 1
    code = f"{totp.token():06d}"
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def request() -> None:
        try:
            barrier.wait(timeout=30)
            second_factor.verify(cast.lan, code)
            outcomes.append("passed")
        except ActionRefused as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("passed") == 1, outcomes
    assert set(outcomes) - {"passed"} <= {"otp_wrong", "otp_throttled"}
    device.refresh_from_db()
    assert device.last_t == totp.t()
    assert device.throttling_failure_count >= 1  # the replays that were checked counted as wrong codes
