"""The second factor at signing (decision 0020): the code is asked in the same step as the key's PIN; without
it, with a wrong one or with one already used, nothing is signed and the refusal is translated and audited."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import checked
from tests.pages.conftest import draft_data
from vanthu.audit.models import AuditEvent
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions as documents
from vanthu.documents.models import Document, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def equipped(cast):
    return equip_cast(cast, people=("son",), units=("staff",))


def another_awaiting(cast, doc_types, draft_pdf) -> Document:
    doc = documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                 data=draft_data(doc_types, cast, subject="Kế hoạch thứ hai"),
                                 file=checked(draft_pdf, "ke-hoach-2.pdf"))
    documents.submit_for_review(document=doc, acting=cast.quang, signer_authority=cast.son.signing_authorities.get())
    doc.refresh_from_db()
    return doc


def post_sign(client, cast, document, **extra):
    client.force_login(cast.son.user)
    return client.post(f"/documents/{document.pk}/sign/",
                       {"secret": SIGNING_SECRET, "expected_version": document.version, **extra})


def unchanged(document: Document) -> bool:
    before = document.current_file_id
    document.refresh_from_db()
    return document.status == Status.AWAITING_SIGNATURE and document.current_file_id == before


def test_the_signing_dialog_asks_for_the_code_beside_the_pin(client, cast, equipped, awaiting_signature):
    client.force_login(cast.son.user)
    panel = client.get(f"/documents/{awaiting_signature.pk}/sign/", HTTP_HX_REQUEST="true").content.decode()
    assert 'type="password" name="secret"' in panel
    assert 'name="otp"' in panel
    assert 'autocomplete="one-time-code"' in panel
    assert "Mã xác thực hai lớp" in panel


def test_signing_without_a_code_is_refused_and_nothing_is_signed(client, cast, equipped, awaiting_signature):
    page = post_sign(client, cast, awaiting_signature)
    assert "Hãy nhập mã xác thực (6 chữ số trên ứng dụng xác thực)." in page.content.decode()
    assert unchanged(awaiting_signature)
    refusal = AuditEvent.objects.get(verb="documents.outgoing.signed.refused")
    assert refusal.data["code"] == "otp_required"


def test_signing_with_a_wrong_code_is_refused(client, cast, equipped, awaiting_signature):
    good = code_for(cast.son)
    page = post_sign(client, cast, awaiting_signature, otp=f"{(int(good) + 1) % 1_000_000:06d}")
    assert "Mã xác thực không đúng hoặc đã được dùng." in page.content.decode()
    assert unchanged(awaiting_signature)
    assert AuditEvent.objects.filter(verb="documents.outgoing.signed.refused", data__code="otp_wrong").exists()


def test_a_replayed_code_is_refused(client, cast, equipped, awaiting_signature, doc_types, draft_pdf):
    second = another_awaiting(cast, doc_types, draft_pdf)
    code = code_for(cast.son)
    documents.sign_outgoing(document=awaiting_signature, acting=cast.son, secret=SIGNING_SECRET, otp=code)
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SIGNED
    with pytest.raises(ActionRefused) as err:
        documents.sign_outgoing(document=second, acting=cast.son, secret=SIGNING_SECRET, otp=code)
    assert err.value.code == "otp_wrong"
    assert unchanged(second)


def test_wrong_codes_lock_the_device_for_a_while(cast, equipped, awaiting_signature, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # the first wrong code locks for 600 s: no race with the clock
    good = code_for(cast.son)
    with pytest.raises(ActionRefused):
        documents.sign_outgoing(document=awaiting_signature, acting=cast.son, secret=SIGNING_SECRET, otp="000000"
                                if good != "000000" else "111111")
    with pytest.raises(ActionRefused) as err:  # the right code now: refused, the lock holds (and it stayed written)
        documents.sign_outgoing(document=awaiting_signature, acting=cast.son, secret=SIGNING_SECRET, otp=good)
    assert err.value.code == "otp_throttled"
    assert "Thử lại sau" in err.value.message
    assert TOTPDevice.objects.get(user=cast.son.user).throttling_failure_count == 1
    assert unchanged(awaiting_signature)


def test_a_signer_without_a_device_is_sent_to_enrol(client, cast, equipped, awaiting_signature):
    TOTPDevice.objects.filter(user=cast.son.user).delete()
    client.force_login(cast.son.user)
    form = client.get(f"/documents/{awaiting_signature.pk}/sign/").content.decode()
    assert "chưa đăng ký thiết bị xác thực" in form
    assert 'href="/tai-khoan/xac-thuc/"' in form
    page = post_sign(client, cast, awaiting_signature, otp="123456")
    assert "Đồng chí chưa đăng ký xác thực hai lớp." in page.content.decode()
    assert unchanged(awaiting_signature)


def test_the_clerk_needs_her_code_to_seal(client, cast, equipped, awaiting_signature):
    documents.sign_outgoing(document=awaiting_signature, acting=cast.son, secret=SIGNING_SECRET,
                            otp=code_for(cast.son))
    awaiting_signature.refresh_from_db()
    client.force_login(cast.lan.user)
    page = client.post(f"/documents/{awaiting_signature.pk}/issue/",
                       {"secret": SIGNING_SECRET, "expected_version": awaiting_signature.version,
                        "otp": code_for(cast.son)})  # Sơn's code is not Lan's
    assert "Mã xác thực không đúng hoặc đã được dùng." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SIGNED
    assert awaiting_signature.number is None
    assert AuditEvent.objects.filter(verb="documents.outgoing.issued.refused", data__code="otp_wrong").exists()
