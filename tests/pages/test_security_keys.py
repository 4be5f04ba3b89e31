"""WebAuthn security keys (decision 0020), verified by py_webauthn against a software authenticator that answers
as a key would (tests/org/soft_authenticator.py): enrolment on the second-factor page, then a signature whose
second factor is the key's assertion; a replayed or forged assertion signs nothing."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.org.soft_authenticator import SoftKey
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions as documents
from vanthu.documents.models import Status
from vanthu.org import second_factor
from vanthu.org.models import SecurityKey
from vanthu.org.second_factor_testing import step_up
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def soft_key(settings) -> SoftKey:
    settings.PUBLIC_URL = "https://vanthu.qk10.example"
    return SoftKey(origin="https://vanthu.qk10.example", rp_id="vanthu.qk10.example")


def enrol(client, person, soft_key: SoftKey) -> SecurityKey:
    step_up(client, person)  # an enrolled person adds a device only after a fresh code
    options = client.post("/tai-khoan/xac-thuc/khoa/tuy-chon-dang-ky")
    assert options.status_code == 200
    done = client.post("/tai-khoan/xac-thuc/khoa/dang-ky",
                       {"response": soft_key.register(options.content.decode()), "name": "Khóa USB"})
    assert done.status_code == 201, done.content
    return SecurityKey.objects.get(person=person)


def test_a_security_key_is_enrolled_from_its_attestation(client, cast, soft_key):
    key = enrol(client, cast.son, soft_key)
    assert key.name == "Khóa USB"
    assert AuditEvent.objects.filter(verb="org.second_factor.key_enrolled").exists()
    assert "Khóa USB" in client.get("/tai-khoan/xac-thuc/").content.decode()


def test_a_registration_answer_is_good_once(client, cast, soft_key):
    step_up(client, cast.son)
    options = client.post("/tai-khoan/xac-thuc/khoa/tuy-chon-dang-ky").content.decode()
    answer = soft_key.register(options)
    assert client.post("/tai-khoan/xac-thuc/khoa/dang-ky", {"response": answer}).status_code == 201
    again = client.post("/tai-khoan/xac-thuc/khoa/dang-ky", {"response": answer})
    assert again.status_code == 400
    assert SecurityKey.objects.filter(person=cast.son).count() == 1


def test_the_signer_signs_with_the_keys_assertion_and_it_cannot_be_replayed(client, cast, soft_key,
                                                                             awaiting_signature):
    equip_cast(cast, people=("son",), units=("staff",))
    enrol(client, cast.son, soft_key)
    panel = client.get(f"/documents/{awaiting_signature.pk}/sign/").content.decode()
    assert "data-security-key-assert" in panel
    assert "security-key.js" in panel
    options = client.post("/tai-khoan/xac-thuc/khoa/tuy-chon").content.decode()
    assertion = soft_key.answer(options)
    page = client.post(f"/documents/{awaiting_signature.pk}/sign/",
                       {"secret": SIGNING_SECRET, "expected_version": awaiting_signature.version, "otp": assertion},
                       follow=True)
    assert "Đã ký số văn bản." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SIGNED
    assert SecurityKey.objects.get(person=cast.son).sign_count == 1
    with pytest.raises(ActionRefused) as err:  # the same answer again: its challenge was used
        second_factor.verify(cast.son, assertion)
    assert err.value.code == "webauthn_refused"


def test_a_forged_assertion_signs_nothing(client, cast, soft_key, awaiting_signature):
    equip_cast(cast, people=("son",), units=("staff",))
    enrol(client, cast.son, soft_key)
    options = client.post("/tai-khoan/xac-thuc/khoa/tuy-chon").content.decode()
    forged = soft_key.answer(options, key=ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ActionRefused) as err:
        documents.sign_outgoing(document=awaiting_signature, acting=cast.son, secret=SIGNING_SECRET, otp=forged)
    assert err.value.code == "webauthn_refused"
    assert "khóa bảo mật" in err.value.message
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE


def test_anothers_assertion_is_refused(client, cast, soft_key, awaiting_signature):
    equip_cast(cast, people=("son",), units=("staff",))
    enrol(client, cast.lan, soft_key)  # Lan's key
    options = client.post("/tai-khoan/xac-thuc/khoa/tuy-chon").content.decode()
    with pytest.raises(ActionRefused) as err:
        documents.sign_outgoing(document=awaiting_signature, acting=cast.son, secret=SIGNING_SECRET,
                                otp=soft_key.answer(options))
    assert err.value.code == "webauthn_refused"
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE
