"""A one-time backup code (django-otp's static tokens) works once; issue 7, seventh pass: it is used up by one
DELETE statement, without the transaction Django's `QuerySet.delete()` opened around it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.core.errors import ActionRefused
from vanthu.org import second_factor
from vanthu.org.models import SecurityKey
from vanthu.org.second_factor_testing import backup_code_for


@pytest.mark.django_db
def test_a_backup_code_works_once(cast):
    code = backup_code_for(cast.lan)
    second_factor.verify(cast.lan, code)
    with pytest.raises(ActionRefused) as refused:
        second_factor.verify(cast.lan, code)
    assert refused.value.code == "otp_wrong"
    assert not StaticToken.objects.filter(token=code).exists()


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as a request checks it
def test_a_backup_code_is_used_up_by_one_statement_without_a_transaction(cast):
    code = backup_code_for(cast.lan)
    with CaptureQueriesContext(connection) as queries:
        second_factor.verify(cast.lan, code)
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if s.split()[0].upper() in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    assert len(statements) == 2  # the backup devices (with "enrolled?") · the DELETE
    assert statements[-1].upper().startswith("DELETE")


@pytest.mark.django_db
def test_a_throttled_backup_device_neither_accepts_nor_uses_up_a_code(cast):
    code = backup_code_for(cast.lan)
    StaticDevice.objects.filter(user_id=cast.lan.user_id).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    with pytest.raises(ActionRefused):
        second_factor.verify(cast.lan, code)
    assert StaticToken.objects.filter(token=code).exists()


@pytest.mark.django_db
def test_another_persons_backup_code_is_refused_and_stays(cast):
    code = backup_code_for(cast.hoa)
    with pytest.raises(ActionRefused):
        second_factor.verify(cast.lan, code)
    assert StaticToken.objects.filter(token=code).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_backup_code_at_once_one_passes(cast):
    code = backup_code_for(cast.lan)
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
    assert sorted(outcomes) == ["otp_wrong"] * 5 + ["passed"]


@pytest.mark.django_db
def test_a_backup_code_without_an_authenticator_or_key_is_not_enrolment(cast):
    code = backup_code_for(cast.lan)
    TOTPDevice.objects.filter(user_id=cast.lan.user_id).delete()
    SecurityKey.objects.filter(person=cast.lan).delete()
    with pytest.raises(ActionRefused) as refused:
        second_factor.verify(cast.lan, code)
    assert refused.value.code == "otp_not_enrolled"
    assert StaticToken.objects.filter(token=code).exists()
