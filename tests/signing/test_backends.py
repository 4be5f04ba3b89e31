"""Key back-ends: server-held keys, PKCS#11 tokens (SoftHSM2), remote signing; what each refuses."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.serialization import pkcs12

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import actions, backends, binding_actions, pki
from vanthu.signing.models import KeyCredential, RemoteState
from vanthu.signing.service import SigningRefused
from vanthu.signing.testing import SIGNING_SECRET, ensure_ca, put_on_token

from .helpers import sign, status_of


def test_server_held_key_signs_a_pdf_that_validates(equipped_cast, draft_pdf):
    credential = backends.open_credential(equipped_cast.hung, secret=SIGNING_SECRET)
    try:
        signed = sign(draft_pdf, credential.signer)
    finally:
        credential.close()
    status = status_of(signed)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert credential.kind == "software"
    assert credential.owner_label == "Trần Quốc Hùng"
    assert credential.image_png is not None
    assert credential.image_png.startswith(b"\x89PNG")
    assert [c.subject.native["common_name"] for c in credential.chain] == [
        "CA cấp chứng thư Bộ Tư lệnh Quân khu 10", "CA gốc Bộ Tư lệnh Quân khu 10"]


def test_ecdsa_server_held_key_signs_a_pdf_that_validates(cast, draft_pdf):
    from vanthu.signing.testing import equip_cast

    equip_cast(cast, algorithm="ecdsa", people=["son"], units=["staff"])
    credential = backends.open_credential(cast.staff, secret=SIGNING_SECRET)
    status = status_of(sign(draft_pdf, credential.signer))
    assert credential.key_algorithm == "ecdsa"
    assert status.intact
    assert status.valid
    assert status.trusted


def test_wrong_passphrase_is_refused_in_vietnamese(equipped_cast):
    with pytest.raises(SigningRefused, match="Mã PIN không đúng") as refused:
        backends.open_credential(equipped_cast.hung, secret="000000")
    assert refused.value.code == "wrong_secret"


def test_missing_passphrase_is_asked_for(equipped_cast):
    with pytest.raises(SigningRefused, match="Cần nhập Mã PIN"):
        backends.open_credential(equipped_cast.hung, secret=None)


def test_server_protected_seal_key_needs_no_secret(cast, draft_pdf):
    ensure_ca()
    actions.issue_certificate(owner=cast.staff, acting=TEST_FIXTURES, passphrase=None)
    info = backends.credential_info(cast.staff)
    assert info.available
    assert info.backend == "software"
    assert not info.needs_secret
    credential = backends.open_credential(cast.staff, secret=None)
    assert status_of(sign(draft_pdf, credential.signer)).valid


def test_credential_info_of_someone_without_a_certificate(equipped_cast):
    info = backends.credential_info(equipped_cast.lan)
    assert not info.available
    assert info.backend == ""
    assert "Nguyễn Thị Lan chưa có chứng thư số" in info.problem


def test_credential_info_of_an_equipped_signer(equipped_cast):
    info = backends.credential_info(equipped_cast.hung)
    assert info.available
    assert info.needs_secret
    assert info.backend == "software"
    assert info.subject == "Trần Quốc Hùng"
    assert info.not_after is not None


def test_key_is_stored_encrypted(equipped_cast):
    credential = KeyCredential.objects.get(person=equipped_cast.hung)
    blob = bytes(credential.key_encrypted)
    assert blob.startswith(b"VK1p")
    with pytest.raises(ValueError, match="Could not deserialize"):
        serialization.load_der_private_key(blob, password=None)


def test_changing_the_passphrase(equipped_cast):
    credential = KeyCredential.objects.get(person=equipped_cast.hung)
    with pytest.raises(SigningRefused, match="Mã PIN khóa ký hiện tại không đúng"):
        actions.change_passphrase(credential=credential, old="nope", new="987654321", acting=equipped_cast.hung)
    actions.change_passphrase(credential=credential, old=SIGNING_SECRET, new="987654321", acting=equipped_cast.hung)
    assert backends.open_credential(equipped_cast.hung, secret="987654321").signer is not None
    with pytest.raises(SigningRefused):
        backends.open_credential(equipped_cast.hung, secret=SIGNING_SECRET)


# --- PKCS#12 ---------------------------------------------------------------------------------------------

def _p12_for(owner_subject, *, password: bytes, ca):
    key = pki.generate_key("rsa")
    cert = pki.build_end_entity(subject=owner_subject, public_key=key.public_key(), issuer=pki.issuer_of(ca))
    return pkcs12.serialize_key_and_certificates(
        b"p12", key, cert, None, serialization.BestAvailableEncryption(password)), cert


def test_pkcs12_bind_with_the_right_password(cast, draft_pdf):
    ca = ensure_ca()
    data, cert = _p12_for(pki.person_subject(cast.binh), password=b"mat-khau-p12", ca=ca)
    credential = binding_actions.bind_pkcs12(owner=cast.binh, data=data, password="mat-khau-p12",
                                             passphrase="binh-2026", acting=TEST_FIXTURES)
    assert credential.certificate.fingerprint == pki.fingerprint(cert)
    assert credential.certificate.source == "imported"
    signer = backends.open_credential(cast.binh, secret="binh-2026").signer
    assert status_of(sign(draft_pdf, signer)).trusted


def test_pkcs12_with_a_wrong_password_is_refused_and_audited(cast):
    ca = ensure_ca()
    data, _cert = _p12_for(pki.person_subject(cast.binh), password=b"mat-khau-p12", ca=ca)
    with pytest.raises(SigningRefused, match="Mật khẩu của tệp PKCS#12 không đúng"):
        binding_actions.bind_pkcs12(owner=cast.binh, data=data, password="sai", passphrase="binh-2026",
                                    acting=cast.admin)
    assert not KeyCredential.objects.filter(person=cast.binh).exists()
    refusal = AuditEvent.objects.get(verb="signing.certificate.bound.refused")
    assert refusal.actor_id == cast.admin.pk
    assert "PKCS#12" in refusal.data["reason"]


def test_unreadable_pkcs12_is_refused(cast):
    ensure_ca()
    with pytest.raises(SigningRefused, match="Không đọc được tệp PKCS#12"):
        binding_actions.bind_pkcs12(owner=cast.binh, data=b"this is not a p12 file", password="x", passphrase=None,
                                    acting=TEST_FIXTURES)


def test_pkcs12_of_another_person_is_refused(cast):
    ca = ensure_ca()
    data, _cert = _p12_for(pki.person_subject(cast.hung), password=b"pw", ca=ca)
    with pytest.raises(SigningRefused, match="không phải cho Lê Văn Bình") as refused:
        binding_actions.bind_pkcs12(owner=cast.binh, data=data, password="pw", passphrase=None, acting=TEST_FIXTURES)
    assert refused.value.code == "certificate_wrong_owner"
    assert not KeyCredential.objects.exists()


# --- PKCS#11 (SoftHSM2) ----------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ["rsa", "ecdsa"])
def test_token_key_signs_a_pdf_that_validates(cast, softhsm, draft_pdf, algorithm):
    """Checklist point 19."""
    ensure_ca(algorithm=algorithm)
    put_on_token(softhsm, owner=cast.hung, label="hung", algorithm=algorithm)
    info = backends.credential_info(cast.hung)
    assert info.backend == "pkcs11"
    assert info.needs_secret
    assert info.available
    credential = backends.open_credential(cast.hung, secret=softhsm.pin)
    try:
        signed = sign(draft_pdf, credential.signer)
    finally:
        credential.close()
    assert credential.kind == "pkcs11"
    status = status_of(signed)
    assert status.intact
    assert status.valid
    assert status.trusted


def test_wrong_token_pin_is_refused(cast, softhsm):
    ensure_ca()
    put_on_token(softhsm, owner=cast.hung, label="hung")
    with pytest.raises(SigningRefused, match="Mã PIN của thiết bị ký số không đúng"):
        backends.open_credential(cast.hung, secret="9999")


def test_absent_token_is_told(cast, softhsm):
    ensure_ca()
    credential = put_on_token(softhsm, owner=cast.hung, label="hung")
    KeyCredential.objects.filter(pk=credential.pk).update(token_label="khong-co")
    with pytest.raises(SigningRefused, match="Không tìm thấy thiết bị ký số “khong-co”"):
        backends.open_credential(cast.hung, secret=softhsm.pin)


def test_registering_a_token_with_a_wrong_pin_saves_nothing(cast, softhsm):
    ensure_ca()
    with pytest.raises(SigningRefused, match="Mã PIN"):
        binding_actions.register_pkcs11_credential(owner=cast.hung, token_label=softhsm.label, pin="0000",
                                                   key_label="hung", acting=cast.admin)
    assert not KeyCredential.objects.exists()
    assert AuditEvent.objects.filter(verb="signing.credential.registered.refused").count() == 1


# --- remote signing ----------------------------------------------------------------------------------------

@pytest.fixture
def remote_hung(cast):
    """Hùng's certificate whose key sits at a (here: simulated) remote signing service."""
    ca = ensure_ca()
    key = pki.generate_key("ecdsa")
    cert = pki.build_end_entity(subject=pki.person_subject(cast.hung), public_key=key.public_key(),
                                issuer=pki.issuer_of(ca))
    binding_actions.bind_remote_certificate(owner=cast.hung, data=pki.pem(cert).encode(), acting=TEST_FIXTURES,
                                            service_url="https://ky-so-tu-xa.example/csc/v1", credential_id="hung-01")
    return key


def test_remote_credential_has_no_signer(cast, remote_hung):
    info = backends.credential_info(cast.hung)
    assert info.backend == "remote"
    assert not info.needs_secret
    assert info.available
    credential = backends.open_credential(cast.hung, secret=None)
    assert credential.kind == "remote"
    assert credential.signer is None
    assert credential.certificate.subject.native["common_name"] == "Trần Quốc Hùng"


def test_remote_signature_is_checked_and_completes_the_request(cast, remote_hung):
    """Checklist point 19."""
    digest = hashlib.sha256(b"signed attributes").digest()
    request = actions.begin_remote_signing(owner=cast.hung, digest=digest, prepared=b"%PDF-prepared",
                                           context={"field": "Sig1"}, acting=cast.hung)
    assert request.state == RemoteState.PENDING
    forged = pki.generate_key("ecdsa").sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    with pytest.raises(SigningRefused, match="không khớp với chứng thư số"):
        actions.complete_remote_signing(request=request, signature=forged, acting=cast.hung)
    request.refresh_from_db()
    assert request.state == RemoteState.PENDING

    genuine = remote_hung.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    done = actions.complete_remote_signing(request=request, signature=genuine, acting=cast.hung)
    assert done.state == RemoteState.COMPLETED
    assert bytes(done.signature) == genuine
    assert bytes(done.prepared) == b"%PDF-prepared"
    assert done.context == {"field": "Sig1"}


def test_expired_remote_request_is_refused(cast, remote_hung):
    digest = hashlib.sha256(b"x").digest()
    request = actions.begin_remote_signing(owner=cast.hung, digest=digest, acting=None,
                                           ttl=dt.timedelta(seconds=-1))
    genuine = remote_hung.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    with pytest.raises(SigningRefused, match="quá hạn"):
        actions.complete_remote_signing(request=request, signature=genuine, acting=None)


def test_verify_raw_signature_for_rsa(equipped_cast):
    key = pki.generate_key("rsa")
    cert = pki.build_end_entity(subject=pki.person_subject(equipped_cast.hung), public_key=key.public_key(),
                                issuer=pki.issuer_of(equipped_cast.equipment.ca))
    digest = hashlib.sha256(b"data").digest()
    signature = key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    assert backends.verify_raw_signature(cert, digest=digest, signature=signature)
    assert not backends.verify_raw_signature(cert, digest=hashlib.sha256(b"other").digest(), signature=signature)
