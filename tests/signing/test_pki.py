"""vanthu's own CA: what it issues, revocation in CRL and OCSP over real HTTP, renewal, and the checks that
refuse unusable certificates with a Vietnamese message."""

from __future__ import annotations

import base64
import datetime as dt
import urllib.error
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from django.utils import timezone

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import actions, backends, binding_actions, pki
from vanthu.signing.models import Certificate, CertificateAuthority, CertStatus, KeyCredential
from vanthu.signing.service import SigningRefused
from vanthu.signing.testing import SIGNING_SECRET, ensure_ca


def _cert(owner_field, owner) -> x509.Certificate:
    return pki.load(Certificate.objects.get(**{owner_field: owner}, status=CertStatus.ACTIVE).der)


def _get(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own live server
        return response.read(), response.headers["Content-Type"]


def _post(url: str, body: bytes, content_type: str) -> tuple[bytes, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read(), response.headers["Content-Type"]


# --- issuance ---------------------------------------------------------------------------------------------

def test_person_certificate_is_for_signing_and_names_the_person(equipped_cast, settings):
    cert = _cert("person", equipped_cast.hung)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Trần Quốc Hùng"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Bộ Tư lệnh Quân khu 10"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    assert ku.value.digital_signature
    assert ku.value.content_commitment
    assert not ku.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert pki.DOCUMENT_SIGNING in eku
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    crl = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert crl[0].full_name[0].value == f"{settings.PUBLIC_URL}/pki/crl/issuing.crl"
    aia = {d.access_method: d.access_location.value
           for d in cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value}
    assert aia[x509.AuthorityInformationAccessOID.OCSP] == f"{settings.PUBLIC_URL}/pki/ocsp"
    assert aia[x509.AuthorityInformationAccessOID.CA_ISSUERS] == f"{settings.PUBLIC_URL}/pki/ca/issuing.crt"


def test_person_certificate_of_a_staff_officer_names_the_unit(equipped_cast):
    cert = _cert("person", equipped_cast.son)
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "Bộ Tham mưu"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Tham mưu trưởng"


def test_unit_seal_certificate_names_the_unit(equipped_cast):
    cert = _cert("unit", equipped_cast.operations)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Phòng Tác chiến"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "Bộ Tham mưu"
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment


def test_ca_hierarchy_root_issuing_and_tsa(equipped_cast):
    root = CertificateAuthority.objects.get(slug="root")
    issuing = CertificateAuthority.objects.get(slug="issuing")
    root_cert, issuing_cert = pki.load(root.certificate_der), pki.load(issuing.certificate_der)
    assert pki.is_self_signed(root_cert)
    issuing_cert.verify_directly_issued_by(root_cert)
    assert issuing_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    hung = _cert("person", equipped_cast.hung)
    hung.verify_directly_issued_by(issuing_cert)
    assert hung.not_valid_after_utc <= issuing_cert.not_valid_after_utc
    # CA keys are encrypted at rest, under the server key
    assert bytes(root.key_encrypted).startswith(b"VK1s")


def test_ca_cannot_be_initialised_twice(equipped_cast):
    with pytest.raises(SigningRefused, match="đã được khởi tạo"):
        actions.init_ca(acting=TEST_FIXTURES)


def test_clerk_cannot_issue_certificates(equipped_cast):
    with pytest.raises(SigningRefused, match="Chỉ quản trị"):
        actions.issue_certificate(owner=equipped_cast.lan, acting=equipped_cast.lan, passphrase="123456")
    assert AuditEvent.objects.filter(verb="signing.certificate.issued.refused", actor_id=equipped_cast.lan.pk).exists()


def test_issuance_is_audited(equipped_cast):
    event = AuditEvent.objects.filter(verb="signing.certificate.issued", target_type="signing.certificate").first()
    assert event is not None
    assert event.data["serial"]


# --- revocation over HTTP -----------------------------------------------------------------------------------

def _crl(url: str, issuing: x509.Certificate) -> x509.CertificateRevocationList:
    body, content_type = _get(url)
    assert content_type == "application/pkix-crl"
    crl = x509.load_der_x509_crl(body)
    assert crl.is_signature_valid(issuing.public_key())
    return crl


def test_revocation_appears_in_the_crl_with_its_reason(live_pki):
    issuing = pki.load(CertificateAuthority.objects.get(slug="issuing").certificate_der)
    row = Certificate.objects.get(person=live_pki.binh)
    url = f"{live_pki.live_url}/pki/crl/issuing.crl"
    assert _crl(url, issuing).get_revoked_certificate_by_serial_number(int(row.serial, 16)) is None

    actions.revoke_certificate(certificate=row, reason="keyCompromise", acting=live_pki.admin)

    entry = _crl(url, issuing).get_revoked_certificate_by_serial_number(int(row.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303 - as clients do
    builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def test_ocsp_answers_good_then_revoked_with_reason(live_pki):
    issuing = pki.load(CertificateAuthority.objects.get(slug="issuing").certificate_der)
    row = Certificate.objects.get(person=live_pki.hung)
    cert = pki.load(row.der)
    url = f"{live_pki.live_url}/pki/ocsp"

    body, content_type = _post(url, _ocsp_request(cert, issuing, b"nonce-1"), "application/ocsp-request")
    assert content_type == "application/ocsp-response"
    answer = ocsp.load_der_ocsp_response(body)
    assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"nonce-1"
    issuing.public_key().verify(answer.signature, answer.tbs_response_bytes, padding.PKCS1v15(),
                                answer.signature_hash_algorithm)

    actions.revoke_certificate(certificate=row, reason="affiliationChanged", acting=TEST_FIXTURES)

    request = _ocsp_request(cert, issuing, b"nonce-2")
    encoded = base64.b64encode(request).decode().replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
    body, _type = _get(f"{url}/{encoded}")  # the GET form of RFC 6960 Appendix A.1
    answer = ocsp.load_der_ocsp_response(body)
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.affiliation_changed
    assert answer.revocation_time_utc is not None


def test_ocsp_for_another_ca_is_unauthorized(live_pki):
    stranger_key = pki.generate_key("rsa")
    stranger = pki.build_ca(subject=pki.ca_subject("CA lạ", "Nơi khác"), key=stranger_key, issuer=None)
    leaf = pki.build_end_entity(subject=pki.person_subject(live_pki.hung), public_key=stranger_key.public_key(),
                                issuer=pki.Issuer(stranger, stranger_key, "x"))
    body, _type = _post(f"{live_pki.live_url}/pki/ocsp", _ocsp_request(leaf, stranger, b"n"),
                        "application/ocsp-request")
    assert ocsp.load_der_ocsp_response(body).response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


def test_malformed_ocsp_request(live_pki):
    body, _type = _post(f"{live_pki.live_url}/pki/ocsp", b"garbage", "application/ocsp-request")
    assert ocsp.load_der_ocsp_response(body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_ca_certificates_are_published(live_pki):
    body, content_type = _get(f"{live_pki.live_url}/pki/ca/root.crt")
    assert content_type == "application/pkix-cert"
    assert pki.is_self_signed(x509.load_der_x509_certificate(body))
    with pytest.raises(urllib.error.HTTPError) as missing:
        _get(f"{live_pki.live_url}/pki/ca/khong-co.crt")
    assert missing.value.code == 404


def test_revoked_certificate_can_no_longer_sign(equipped_cast):
    row = Certificate.objects.get(person=equipped_cast.hung)
    actions.revoke_certificate(certificate=row, reason="keyCompromise", acting=TEST_FIXTURES)
    with pytest.raises(SigningRefused, match=r"đã bị thu hồi ngày .* \(lý do: Lộ hoặc mất khóa bí mật\)"):
        backends.open_credential(equipped_cast.hung, secret=SIGNING_SECRET)
    info = backends.credential_info(equipped_cast.hung)
    assert not info.available
    assert "thu hồi" in info.problem
    with pytest.raises(SigningRefused, match="đã bị thu hồi trước đó"):
        actions.revoke_certificate(certificate=row, reason="keyCompromise", acting=TEST_FIXTURES)


def test_revocation_needs_a_known_reason(equipped_cast):
    row = Certificate.objects.get(person=equipped_cast.hung)
    with pytest.raises(SigningRefused, match="lý do thu hồi"):
        actions.revoke_certificate(certificate=row, reason="because", acting=TEST_FIXTURES)
    row.refresh_from_db()
    assert row.status == CertStatus.ACTIVE


# --- renewal ----------------------------------------------------------------------------------------------

def test_renewal_makes_a_new_key_and_supersedes_the_old_certificate(equipped_cast):
    old = Certificate.objects.get(person=equipped_cast.hung)
    credential = actions.renew_certificate(certificate=old, passphrase="hung-moi-2026", acting=TEST_FIXTURES)
    old.refresh_from_db()
    assert old.status == CertStatus.SUPERSEDED
    new = credential.certificate
    assert new.renewed_from_id == old.pk
    assert new.status == CertStatus.ACTIVE
    assert pki.load(new.der).public_key() != pki.load(old.der).public_key()
    assert not KeyCredential.objects.get(certificate=old).is_active
    opened = backends.open_credential(equipped_cast.hung, secret="hung-moi-2026")
    assert opened.certificate.serial_number == int(new.serial, 16)
    # superseded is not revoked: documents signed before stay valid
    crl = x509.load_der_x509_crl(pki.crl_der(CertificateAuthority.objects.get(slug="issuing")))
    assert crl.get_revoked_certificate_by_serial_number(int(old.serial, 16)) is None


def test_imported_certificate_cannot_be_renewed_here(cast):
    ca = ensure_ca()
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = pki.generate_key("rsa")
    cert = pki.build_end_entity(subject=pki.person_subject(cast.dung), public_key=key.public_key(),
                                issuer=pki.issuer_of(ca))
    data = pkcs12.serialize_key_and_certificates(b"x", key, cert, None, serialization.NoEncryption())
    credential = binding_actions.bind_pkcs12(owner=cast.dung, data=data, password="", passphrase=None,
                                             acting=TEST_FIXTURES)
    Certificate.objects.filter(pk=credential.certificate_id).update(issued_by=None)
    with pytest.raises(SigningRefused, match="do tổ chức khác cấp"):
        actions.renew_certificate(certificate=credential.certificate, passphrase=None, acting=TEST_FIXTURES)


# --- checks before signing ----------------------------------------------------------------------------------

def test_expired_certificate_is_refused(cast):
    ensure_ca()
    actions.issue_certificate(owner=cast.hung, acting=TEST_FIXTURES, passphrase=SIGNING_SECRET,
                              valid_from=timezone.now() - dt.timedelta(days=800), days=365)
    with pytest.raises(SigningRefused, match="Chứng thư số của Trần Quốc Hùng đã hết hạn ngày") as refused:
        backends.open_credential(cast.hung, secret=SIGNING_SECRET)
    assert refused.value.code == "certificate_expired"


def test_not_yet_valid_certificate_is_refused(cast):
    ensure_ca()
    actions.issue_certificate(owner=cast.hung, acting=TEST_FIXTURES, passphrase=SIGNING_SECRET,
                              valid_from=timezone.now() + dt.timedelta(days=10))
    with pytest.raises(SigningRefused, match="chưa có hiệu lực"):
        backends.open_credential(cast.hung, secret=SIGNING_SECRET)


def test_certificate_without_signing_key_usage_is_refused(cast):
    ensure_ca()
    actions.issue_certificate(owner=cast.hung, acting=TEST_FIXTURES, passphrase=SIGNING_SECRET, purpose="bare")
    with pytest.raises(SigningRefused, match="không được cấp cho mục đích ký số"):
        backends.open_credential(cast.hung, secret=SIGNING_SECRET)
    assert "mục đích ký số" in backends.credential_info(cast.hung).problem


def test_certificate_of_someone_else_is_refused(cast):
    ensure_ca()
    credential = actions.issue_certificate(owner=cast.hung, acting=TEST_FIXTURES, passphrase=SIGNING_SECRET)
    with pytest.raises(SigningRefused, match="cấp cho “Trần Quốc Hùng”, không phải cho Lê Văn Bình"):
        pki.check_certificate(pki.load(credential.certificate.der), owner=cast.binh)


def test_name_match_ignores_case_and_diacritics(cast):
    ca = ensure_ca()
    key = pki.generate_key("ecdsa")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TRAN QUOC HUNG")])
    cert = pki.build_end_entity(subject=subject, public_key=key.public_key(), issuer=pki.issuer_of(ca))
    pki.check_certificate(cert, owner=cast.hung)


def test_ca_certificate_cannot_sign_documents(cast):
    ensure_ca()
    root = pki.load(CertificateAuthority.objects.get(slug="root").certificate_der)
    with pytest.raises(SigningRefused, match="không dùng để ký văn bản"):
        pki.check_certificate(root, owner=cast.command)


# --- the CLI ----------------------------------------------------------------------------------------------

def test_cli_initialises_issues_revokes_and_reports(cast, tmp_path, capsys):
    secret_file = tmp_path / "secret"
    secret_file.write_text("cli-secret-1\n")
    call_command("pki", "init", "--algorithm", "ecdsa")
    call_command("pki", "issue", "--person", "son", "--passphrase-file", str(secret_file))
    call_command("pki", "issue", "--unit", cast.staff.code, "--no-passphrase")
    row = Certificate.objects.get(person=cast.son)
    assert row.key_algorithm == "ecdsa"
    assert backends.open_credential(cast.son, secret="cli-secret-1").signer is not None
    call_command("pki", "revoke", "--serial", row.serial, "--reason", "privilegeWithdrawn")
    row.refresh_from_db()
    assert row.status == CertStatus.REVOKED
    assert row.revocation_reason == "privilegeWithdrawn"
    crl_file = tmp_path / "issuing.crl"
    call_command("pki", "crl", "--out", str(crl_file))
    crl = x509.load_der_x509_crl(crl_file.read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(int(row.serial, 16)) is not None
    call_command("pki", "status")
    out = capsys.readouterr().out
    assert "Đã thu hồi: 1" in out
    assert "Đang hiệu lực: 1" in out


def test_cli_refusal_is_a_command_error(cast):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="chưa được khởi tạo"):
        call_command("pki", "issue", "--person", "son", "--no-passphrase")


def test_nobody_named_cannot_administer_signing(equipped_cast):
    """The admin check is not skipped when no acting person is given: only a named system actor passes."""
    certificate = Certificate.objects.get(person=equipped_cast.hung, status=CertStatus.ACTIVE)
    with pytest.raises(SigningRefused, match="Chỉ quản trị") as refused:
        actions.revoke_certificate(certificate=certificate, reason="keyCompromise", acting=None)  # type: ignore[arg-type]
    assert refused.value.status == 403
    assert Certificate.objects.get(pk=certificate.pk).status == CertStatus.ACTIVE
    assert AuditEvent.objects.filter(verb="signing.certificate.revoked.refused").count() == 1


def test_admin_of_a_division_does_not_run_the_ca(equipped_cast):
    """Signing's administration (vanthu's CA, the trust store) is the top unit admin's; the Command's admin
    issues, a division's admin is refused like an officer."""
    from vanthu.org import actions as org
    from vanthu.org.models import Role

    org.grant_role(person=equipped_cast.minh, unit=equipped_cast.division, role=Role.ADMIN,
                   acting=equipped_cast.admin)
    with pytest.raises(SigningRefused, match="Chỉ quản trị"):
        actions.issue_certificate(owner=equipped_cast.minh, acting=equipped_cast.minh, passphrase=None)
    credential = actions.issue_certificate(owner=equipped_cast.minh, acting=equipped_cast.admin, passphrase=None)
    event = AuditEvent.objects.get(verb="signing.certificate.issued", target_id=str(credential.certificate.pk))
    assert event.actor_id == equipped_cast.admin.pk


def test_pki_command_acts_as_the_operator_and_says_so_in_the_audit(equipped_cast):
    call_command("pki", "issue", "--person", "minh", "--no-passphrase")
    row = Certificate.objects.get(person=equipped_cast.minh, status=CertStatus.ACTIVE)
    event = AuditEvent.objects.get(verb="signing.certificate.issued", target_id=str(row.pk))
    assert event.actor_id is None
    assert event.actor_name.startswith("system:operator ")
    assert event.actor_name.endswith(": vanthu pki issue")
