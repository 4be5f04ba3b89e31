"""Wrong passphrases lock the signing key (core/lockout.py under the key `key:<credential id>`): the signer is
told when it reopens, the right passphrase is refused meanwhile, and the unit's administrator may lift it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core import lockout
from vanthu.documents.models import Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.models import KeyCredential
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def equipped(cast, settings):
    settings.LOCKOUT_FAILURES = 3
    settings.LOCKOUT_MINUTES = 15
    return equip_cast(cast, people=("son",), units=("staff",))


def sign(client, cast, document, secret):
    client.force_login(cast.son.user)
    document.refresh_from_db()
    return client.post(f"/documents/{document.pk}/sign/", {"secret": secret, "expected_version": document.version,
                                                           "otp": code_for(cast.son)}, follow=True)


def son_key(cast) -> str:
    return f"key:{KeyCredential.objects.get(person=cast.son, is_active=True).pk}"


def test_three_wrong_passphrases_lock_the_key_and_say_when_it_reopens(client, cast, equipped, awaiting_signature):
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=1)  # the key is valid then
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            sign(client, cast, awaiting_signature, "000000")
        page = sign(client, cast, awaiting_signature, SIGNING_SECRET)
    text = page.content.decode()
    reopens = timezone.localtime(start + dt.timedelta(minutes=15))
    assert (f"Khóa ký đã bị tạm khóa do nhập sai Mã PIN 3 lần; khóa mở lại lúc {reopens:%H:%M} ngày "
            f"{reopens:%d/%m/%Y}.") in text
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE
    assert AuditEvent.objects.filter(verb__endswith=".refused", data__code="wrong_secret").count() == 3


def test_the_key_reopens_after_the_period(client, cast, equipped, awaiting_signature):
    for _ in range(3):
        sign(client, cast, awaiting_signature, "000000")
    assert lockout.locked_until(son_key(cast)) is not None
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        sign(client, cast, awaiting_signature, SIGNING_SECRET)
        awaiting_signature.refresh_from_db()
        assert awaiting_signature.status != Status.AWAITING_SIGNATURE


def test_a_right_passphrase_clears_earlier_failures(client, cast, equipped, awaiting_signature):
    for _ in range(2):
        sign(client, cast, awaiting_signature, "000000")
    sign(client, cast, awaiting_signature, SIGNING_SECRET)
    assert lockout.locked_until(son_key(cast)) is None
    assert lockout.current_locks() == []


def test_the_admin_sees_the_locked_key_and_lifts_it(client, cast, equipped, awaiting_signature):
    for _ in range(3):
        sign(client, cast, awaiting_signature, "000000")
    client.force_login(cast.admin.user)
    text = client.get("/quan-tri/khoa/").content.decode()
    assert "Khóa ký" in text
    assert "Hoàng Văn Sơn" in text
    client.post("/quan-tri/khoa/mo", {"key": son_key(cast)})
    assert lockout.locked_until(son_key(cast)) is None
    sign(client, cast, awaiting_signature, SIGNING_SECRET)
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status != Status.AWAITING_SIGNATURE
