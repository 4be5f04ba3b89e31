"""The signing admin pages: only the admin sees them (others get 404); revoke, renew, import anchors, bind a
PKCS#12, upload images; refusals shown in Vietnamese with nothing saved. The PKI endpoints need no login."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.urls import reverse
from PIL import Image

from vanthu.org.second_factor_testing import step_up
from vanthu.signing import pki
from vanthu.signing.models import Certificate, CertStatus, KeyCredential, SignatureImage, TrustAnchor
from vanthu.signing.testing import seal_png, signature_png


@pytest.fixture
def admin_client(client, equipped_cast):
    step_up(client, equipped_cast.admin)
    return client


@pytest.fixture
def lan_client(client, equipped_cast):
    client.force_login(equipped_cast.lan.user)
    return client


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_admin_sees_certificates_with_owner_validity_and_status(admin_client, equipped_cast):
    row = Certificate.objects.get(person=equipped_cast.binh)
    from vanthu.signing import actions

    actions.revoke_certificate(certificate=row, reason="affiliationChanged", acting=equipped_cast.admin)
    response = admin_client.get(reverse("signing:certificates"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trần Quốc Hùng" in page
    assert "Bộ Tham mưu" in page
    assert "Đã thu hồi" in page
    assert "Thay đổi đơn vị, chức vụ" in page
    assert "CA gốc Bộ Tư lệnh Quân khu 10" in page


def test_certificate_list_query_count_does_not_grow_with_rows(admin_client, equipped_cast,
                                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("signing:certificates")).status_code == 200


@pytest.mark.parametrize("name", ["certificates", "anchors", "owners"])
def test_clerk_gets_404_on_admin_pages(lan_client, name):
    assert lan_client.get(reverse(f"signing:{name}")).status_code == 404


def test_clerk_gets_404_on_a_certificate_and_cannot_revoke_it(lan_client, equipped_cast):
    row = Certificate.objects.get(person=equipped_cast.hung)
    assert lan_client.get(reverse("signing:certificate", kwargs={"pk": row.pk})).status_code == 404
    response = lan_client.post(reverse("signing:certificate_revoke", kwargs={"pk": row.pk}),
                               {"reason": "keyCompromise"})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == CertStatus.ACTIVE


def test_admin_revokes_with_a_reason(admin_client, equipped_cast):
    row = Certificate.objects.get(person=equipped_cast.hung)
    url = reverse("signing:certificate_revoke", kwargs={"pk": row.pk})
    response = admin_client.post(url, {"reason": "keyCompromise"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == CertStatus.REVOKED
    assert row.revocation_reason == "keyCompromise"
    page = admin_client.get(reverse("signing:certificate", kwargs={"pk": row.pk})).content.decode()
    assert "Lộ hoặc mất khóa bí mật" in page


def test_admin_renews_with_a_new_passphrase(admin_client, equipped_cast):
    row = Certificate.objects.get(person=equipped_cast.son)
    url = reverse("signing:certificate_renew", kwargs={"pk": row.pk})
    mismatch = admin_client.post(url, {"passphrase": "son-2027", "passphrase_again": "khac-2027"})
    assert mismatch.status_code == 400
    assert "không khớp" in mismatch.content.decode()
    response = admin_client.post(url, {"passphrase": "son-2027", "passphrase_again": "son-2027"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == CertStatus.SUPERSEDED
    assert Certificate.objects.filter(person=equipped_cast.son, status=CertStatus.ACTIVE).count() == 1


def test_admin_imports_a_trust_anchor_and_sees_refusals(admin_client):
    key = pki.generate_key("ecdsa")
    root = pki.build_ca(subject=pki.ca_subject("CA gốc bên ngoài", "Tổ chức khác"), key=key, issuer=None)
    url = reverse("signing:anchors")
    response = admin_client.post(url, {"file": _upload("goc.pem", pki.pem(root).encode()), "name": "Tổ chức khác"})
    assert response.status_code == 302
    assert TrustAnchor.objects.get().name == "Tổ chức khác"
    again = admin_client.post(url, {"file": _upload("goc.cer", pki.der(root))})
    assert again.status_code == 400
    assert "đã có trong danh sách tin cậy" in again.content.decode()
    garbage = admin_client.post(url, {"file": _upload("x.cer", b"rubbish")})
    assert "Không đọc được tệp chứng thư số" in garbage.content.decode()
    assert TrustAnchor.objects.count() == 1


def _owner_url(kind: str, pk: int, what: str | None = None) -> str:
    if what is None:
        return reverse("signing:owner", kwargs={"kind": kind, "pk": pk})
    return reverse("signing:owner_action", kwargs={"kind": kind, "pk": pk, "what": what})


def test_admin_binds_a_pkcs12_and_a_wrong_password_saves_nothing(admin_client, equipped_cast):
    key = pki.generate_key("rsa")
    cert = pki.build_end_entity(subject=pki.person_subject(equipped_cast.minh), public_key=key.public_key(),
                                issuer=pki.issuer_of(equipped_cast.equipment.ca))
    data = pkcs12.serialize_key_and_certificates(b"minh", key, cert, None,
                                                 serialization.BestAvailableEncryption(b"dung-mat-khau"))
    url = _owner_url("person", equipped_cast.minh.pk, "pkcs12")
    wrong = admin_client.post(url, {"file": _upload("minh.p12", data), "password": "sai",
                                    "passphrase": "minh-2026", "passphrase_again": "minh-2026"})
    assert wrong.status_code == 400
    assert "Mật khẩu của tệp PKCS#12 không đúng" in wrong.content.decode()
    assert not KeyCredential.objects.filter(person=equipped_cast.minh).exists()
    good = admin_client.post(url, {"file": _upload("minh.p12", data), "password": "dung-mat-khau",
                                   "passphrase": "minh-2026", "passphrase_again": "minh-2026"})
    assert good.status_code == 302
    assert KeyCredential.objects.get(person=equipped_cast.minh).certificate.common_name == "Đỗ Văn Minh"


def test_admin_issues_a_certificate_to_a_person(admin_client, equipped_cast):
    url = _owner_url("person", equipped_cast.quang.pk, "issue")
    short = admin_client.post(url, {"algorithm": "ecdsa", "passphrase": "123", "passphrase_again": "123"})
    assert short.status_code == 400
    response = admin_client.post(url, {"algorithm": "ecdsa", "passphrase": "quang-2026",
                                       "passphrase_again": "quang-2026"})
    assert response.status_code == 302
    page = admin_client.get(_owner_url("person", equipped_cast.quang.pk)).content.decode()
    assert "Bùi Đức Quang" in page
    assert "Có thể ký số" in page


def test_admin_uploads_a_seal_image_and_a_non_transparent_one_is_refused(admin_client, equipped_cast):
    url = _owner_url("unit", equipped_cast.politics.pk, "image")
    opaque = io.BytesIO()
    Image.new("RGB", (400, 400), (200, 0, 0)).save(opaque, format="PNG")
    refused = admin_client.post(url, {"file": _upload("dau.png", opaque.getvalue()), "width_mm": "38"})
    assert refused.status_code == 400
    assert "nền trong suốt" in refused.content.decode()
    blue = admin_client.post(url, {"file": _upload("dau.png", signature_png("X")), "width_mm": "38"})
    assert "Hình con dấu phải màu đỏ" in blue.content.decode()
    response = admin_client.post(url, {"file": _upload("dau.png", seal_png("Cục Chính trị")), "width_mm": "40"})
    assert response.status_code == 302
    image = SignatureImage.objects.get(unit=equipped_cast.politics)
    assert float(image.width_mm) == 40.0
    assert float(image.height_mm) == 40.0
    served = admin_client.get(reverse("signing:owner_image", kwargs={"kind": "unit", "pk": equipped_cast.politics.pk}))
    assert served["Content-Type"] == "image/png"


def test_signature_images_of_the_equipment_are_blue_and_red_and_transparent(equipped_cast):
    """Checklist point 13."""
    signature = Image.open(io.BytesIO(SignatureImage.objects.get(person=equipped_cast.hung).file.read_bytes()))
    seal = Image.open(io.BytesIO(SignatureImage.objects.get(unit=equipped_cast.command).file.read_bytes()))
    assert signature.mode == "RGBA"
    assert seal.mode == "RGBA"
    assert signature.getpixel((0, 0))[3] == 0
    assert seal.getpixel((0, 0))[3] == 0
    assert SignatureImage.objects.get(unit=equipped_cast.command).width_mm == 38


def test_owner_overview_lists_people_and_units(admin_client, equipped_cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("signing:owners")).content.decode()
    assert "Đặng Văn Dũng" in page
    assert "Sư đoàn 301" in page


def test_clerk_gets_404_on_owner_pages_and_actions(lan_client, equipped_cast):
    assert lan_client.get(_owner_url("person", equipped_cast.hung.pk)).status_code == 404
    response = lan_client.post(_owner_url("person", equipped_cast.lan.pk, "issue"),
                               {"algorithm": "rsa", "passphrase": "lan-2026", "passphrase_again": "lan-2026"})
    assert response.status_code == 404
    assert not KeyCredential.objects.filter(person=equipped_cast.lan).exists()


def test_pki_endpoints_need_no_login(client, equipped_cast):
    assert client.get("/pki/crl/issuing.crl").status_code == 200
    assert client.get("/pki/ca/root.crt").status_code == 200
    assert client.post("/pki/ocsp", data=b"x", content_type="application/ocsp-request").status_code == 200
    assert client.get("/pki/ocsp").status_code == 405


def test_anonymous_visitor_is_sent_to_login_from_admin_pages(client, equipped_cast):
    response = client.get(reverse("signing:certificates"))
    assert response.status_code == 302


def test_signer_changes_own_passphrase(client, equipped_cast):
    from vanthu.signing import backends

    client.force_login(equipped_cast.hung.user)
    url = reverse("signing:my_passphrase")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"old": "sai-roi", "passphrase": "hung-2027", "passphrase_again": "hung-2027"})
    assert wrong.status_code == 400
    assert "Mã PIN khóa ký hiện tại không đúng" in wrong.content.decode()
    done = client.post(url, {"old": "123456", "passphrase": "hung-2027", "passphrase_again": "hung-2027"})
    assert done.status_code == 302
    assert backends.open_credential(equipped_cast.hung, secret="hung-2027").signer is not None


def test_passphrase_page_is_404_without_a_server_held_key(lan_client):
    assert lan_client.get(reverse("signing:my_passphrase")).status_code == 404
