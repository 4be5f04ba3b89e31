"""Signing in two clicks, issuing with the unit's seal, recall and replacement, through the pages.

The keys are vanthu's test equipment (`vanthu.signing.testing.equip_cast`: a server-held key per signer and
per unit under the passphrase SIGNING_SECRET).
"""

from __future__ import annotations

import pytest

from vanthu.documents.models import Document, Recipient, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


@pytest.fixture
def equipped(cast):
    """Keys for the signer (Sơn) and the issuing unit's seal (the Staff) only: what these stories use."""
    return equip_cast(cast, people=("son",), units=("staff",))


def sign(client, cast, document, secret=SIGNING_SECRET):
    client.force_login(cast.son.user)
    return client.post(f"/documents/{document.pk}/sign/", {"secret": secret, "expected_version": document.version,
                                                           "otp": code_for(cast.son)}, follow=True)


def issue(client, cast, document, secret=SIGNING_SECRET):
    document.refresh_from_db()
    client.force_login(cast.lan.user)
    return client.post(f"/documents/{document.pk}/issue/", {"secret": secret, "expected_version": document.version,
                                                            "otp": code_for(cast.lan)}, follow=True)


def test_without_a_key_signing_says_so_and_changes_nothing(client, cast, awaiting_signature):
    client.force_login(cast.son.user)
    form = client.get(f"/documents/{awaiting_signature.pk}/sign/").content.decode()
    assert "Xác nhận ký" in form
    assert "chưa có chứng thư số và khóa ký" in form
    before = awaiting_signature.current_file_id
    page = client.post(f"/documents/{awaiting_signature.pk}/sign/", {"secret": "123456", "otp": code_for(cast.son)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Chưa lưu được." in text
    assert "Hoàng Văn Sơn chưa có chứng thư số và khóa ký." in text
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE
    assert awaiting_signature.current_file_id == before


def test_sign_button_loads_the_pin_form_into_the_page(client, cast, equipped, awaiting_signature):
    client.force_login(cast.son.user)
    detail = client.get(f"/documents/{awaiting_signature.pk}/").content.decode()
    assert f'hx-get="/documents/{awaiting_signature.pk}/sign/"' in detail
    assert 'id="sign-panel"' in detail
    panel = client.get(f"/documents/{awaiting_signature.pk}/sign/", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<section class="card form-card sign-card"')
    assert 'type="password" name="secret"' in panel
    assert "Xác nhận ký" in panel
    assert "THAM MƯU TRƯỞNG" in panel


def test_wrong_pin_is_refused_and_nothing_is_signed(client, cast, equipped, awaiting_signature):
    page = sign(client, cast, awaiting_signature, secret="000000")
    assert "Chưa lưu được." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE


def test_empty_pin_is_asked_for(client, cast, equipped, awaiting_signature):
    page = sign(client, cast, awaiting_signature, secret="")
    assert "Hãy nhập Mã PIN." in page.content.decode()


def test_only_the_signer_may_open_the_signing_form(client, cast, awaiting_signature):
    for person in (cast.quang, cast.lan, cast.hung, cast.tam):
        client.force_login(person.user)
        assert client.get(f"/documents/{awaiting_signature.pk}/sign/").status_code == 404, person


def test_son_signs_lan_issues_and_the_division_receives(client, cast, equipped, awaiting_signature,
                                                        django_capture_on_commit_callbacks):
    page = sign(client, cast, awaiting_signature)
    assert "Đã ký số văn bản." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SIGNED

    client.force_login(cast.lan.user)
    assert "Chờ phát hành" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the delivery jobs run after the commit
        page = issue(client, cast, awaiting_signature)
    text = page.content.decode()
    assert "Đã phát hành văn bản số 01/KH-TM." in text
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.ISSUED
    assert awaiting_signature.number == 1
    assert "Cấp số 01/KH-TM, ký số của cơ quan và phát hành" in text
    assert "Ký số văn bản (chữ ký số cá nhân)" in text
    assert "01/KH-TM" in client.get("/registers/outgoing/").content.decode()
    delivered = Recipient.objects.get(document=awaiting_signature, unit=cast.division).delivered
    assert delivered is not None
    assert delivered.status == Status.RECEIVED


def test_issuing_with_a_wrong_seal_pin_keeps_the_document_signed(client, cast, equipped, awaiting_signature):
    sign(client, cast, awaiting_signature)
    page = issue(client, cast, awaiting_signature, secret="999999")
    assert "Chưa lưu được." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SIGNED
    assert awaiting_signature.number is None


def test_issuing_a_changed_document_is_a_concurrent_edit(client, cast, equipped, awaiting_signature):
    sign(client, cast, awaiting_signature)
    awaiting_signature.refresh_from_db()
    client.force_login(cast.lan.user)
    page = client.post(f"/documents/{awaiting_signature.pk}/issue/",
                       {"secret": SIGNING_SECRET, "expected_version": awaiting_signature.version - 1,
                        "otp": code_for(cast.lan)})
    assert "Văn bản vừa được người khác thay đổi." in page.content.decode()
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.SIGNED


@pytest.fixture
def issued(client, cast, equipped, awaiting_signature, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the signature checks run after commit
        sign(client, cast, awaiting_signature)
        issue(client, cast, awaiting_signature)
    awaiting_signature.refresh_from_db()
    return awaiting_signature


def test_recall_needs_a_reason_and_cancels_the_copies(client, cast, issued, django_capture_on_commit_callbacks):
    client.force_login(cast.lan.user)
    empty = client.post(f"/documents/{issued.pk}/recall/", {"reason": ""})
    assert "Hãy ghi lý do." in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the cancellations travel after the commit
        page = client.post(f"/documents/{issued.pk}/recall/", {"reason": "Sai đối tượng áp dụng."}, follow=True)
    assert "Đã thu hồi văn bản" in page.content.decode()
    issued.refresh_from_db()
    assert issued.status == Status.RECALLED
    copy = Recipient.objects.get(document=issued, unit=cast.division).delivered
    assert copy.status == Status.CANCELLED
    assert "Sai đối tượng áp dụng." in page.content.decode()


def test_replacement_keeps_both_documents_linked(client, cast, doc_types, issued, draft_pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.son.user)  # the signer may replace what he signed
    form = client.get(f"/drafts/new/?replaces={issued.pk}").content.decode()
    assert "Soạn văn bản thay thế" in form
    assert "Huấn luyện chiến đấu năm 2027" in form
    page = client.post("/drafts/new/", {
        "replaces": issued.pk, "drafting_unit": cast.staff.pk, "issuing_unit": cast.staff.pk,
        "doc_type": doc_types["KH"].pk, "subject": "Huấn luyện chiến đấu năm 2027 (thay thế)", "urgency": "0",
        "secrecy": "0", "recipient_units": [cast.division.pk],
        "file": SimpleUploadedFile("ke-hoach-moi.pdf", draft_pdf),
    }, follow=True)
    newer = Document.objects.get(replaces=issued)
    assert page.redirect_chain[-1][0] == f"/documents/{newer.pk}/"
    assert "Thay thế văn bản" in page.content.decode()
    old_page = client.get(f"/documents/{issued.pk}/").content.decode()
    assert "Được thay thế bởi" in old_page
    assert f'href="/documents/{newer.pk}/"' in old_page


def test_replace_and_recall_are_404_for_others(client, cast, issued):
    for person in (cast.quang, cast.tam):
        client.force_login(person.user)
        assert client.get(f"/documents/{issued.pk}/recall/").status_code == 404, person
    client.force_login(cast.tam.user)
    assert client.get(f"/drafts/new/?replaces={issued.pk}").status_code == 404


def test_the_drafter_may_replace_what_he_may_not_recall(client, cast, issued):
    """Quang drafted it (Operations): the action lets him replace it (can_replace), so the page does too — it
    asks Need.REPLACE, no longer the recall right."""
    client.force_login(cast.quang.user)
    assert client.get(f"/documents/{issued.pk}/recall/").status_code == 404
    page = client.get(f"/drafts/new/?replaces={issued.pk}")
    assert page.status_code == 200
    detail = client.get(f"/documents/{issued.pk}/").content.decode()
    assert f"?replaces={issued.pk}" in detail


def test_the_issued_documents_page_shows_its_checked_signatures(client, cast, issued):
    client.force_login(cast.lan.user)
    text = client.get(f"/documents/{issued.pk}/").content.decode()
    assert "sig-panel" in text
    assert "Chưa kiểm tra chữ ký số của tệp này." not in text
    assert "Hoàng Văn Sơn" in text[text.index("sig-panel"):]
