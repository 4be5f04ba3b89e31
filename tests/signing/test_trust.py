"""The trust store: vanthu's own roots, imported CA certificates, certificates from other CAs, and B-LT
signing with revocation data fetched over real HTTP from vanthu's own OCSP/CRL."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import actions, backends, binding_actions, pki, trust, tsa_stamper
from vanthu.signing.models import Certificate, TrustAnchor
from vanthu.signing.service import SigningRefused
from vanthu.signing.testing import SIGNING_SECRET, ensure_ca

from .helpers import sign, status_of


@pytest.fixture
def government_ca():
    """A stand-in for an outside CA (say, the Government CA): root → intermediate, built offline."""
    root_key = pki.generate_key("rsa")
    root = pki.build_ca(subject=pki.ca_subject("Cơ quan chứng thực gốc", "Ban Cơ yếu (thử nghiệm)"), key=root_key,
                        issuer=None, path_length=1)
    sub_key = pki.generate_key("rsa")
    sub = pki.build_ca(subject=pki.ca_subject("CA chuyên dùng (thử nghiệm)", "Ban Cơ yếu (thử nghiệm)"),
                       key=sub_key, issuer=pki.Issuer(root, root_key, "gov-root"), path_length=0)
    return root, pki.Issuer(sub, sub_key, "gov-sub")


def _p12(owner_subject, issuer: pki.Issuer, *, chain) -> bytes:
    key = pki.generate_key("rsa")
    cert = pki.build_end_entity(subject=owner_subject, public_key=key.public_key(), issuer=issuer)
    return pkcs12.serialize_key_and_certificates(b"p12", key, cert, chain, serialization.NoEncryption())


def test_own_root_is_trusted_and_issuing_ca_is_an_intermediate(equipped_cast):
    roots = [c.subject.native["common_name"] for c in trust.trust_roots()]
    assert roots == ["CA gốc Bộ Tư lệnh Quân khu 10"]
    assert [c.subject.native["common_name"] for c in trust.intermediates()] == [
        "CA cấp chứng thư Bộ Tư lệnh Quân khu 10"]


def test_imported_root_is_trusted_and_intermediate_is_not(cast, government_ca):
    """Checklist point 20."""
    root, sub = government_ca
    anchors = actions.import_trust_anchor(data=(pki.pem(root) + pki.pem(sub.certificate)).encode(),
                                          acting=TEST_FIXTURES)
    assert [a.is_root for a in anchors] == [True, False]
    assert pki.to_asn1(root).sha256 in [c.sha256 for c in trust.trust_roots()]
    assert pki.to_asn1(sub.certificate).sha256 not in [c.sha256 for c in trust.trust_roots()]
    assert pki.to_asn1(sub.certificate).sha256 in [c.sha256 for c in trust.intermediates()]
    actions.set_trust_anchor_enabled(anchor=anchors[0], enabled=False, acting=TEST_FIXTURES)
    assert trust.trust_roots() == []


def test_certificate_from_an_untrusted_ca_cannot_be_bound(cast, government_ca):
    root, sub = government_ca
    data = _p12(pki.person_subject(cast.dung), sub, chain=[sub.certificate, root])
    with pytest.raises(SigningRefused, match="chưa có trong danh sách tin cậy"):
        binding_actions.bind_pkcs12(owner=cast.dung, data=data, password="", passphrase=None, acting=TEST_FIXTURES)
    assert not Certificate.objects.exists()


def test_certificate_from_an_imported_ca_signs_and_validates(cast, government_ca, draft_pdf):
    root, sub = government_ca
    actions.import_trust_anchor(data=pki.der(root), name="Ban Cơ yếu — CA gốc", acting=TEST_FIXTURES)
    data = _p12(pki.person_subject(cast.dung), sub, chain=[sub.certificate])  # the root is not in the file
    credential = binding_actions.bind_pkcs12(owner=cast.dung, data=data, password="", passphrase="dung-2026",
                                             acting=TEST_FIXTURES)
    assert credential.certificate.issued_by is None
    assert len(credential.certificate.chain) == 2  # the intermediate from the file, the root from the store
    signer = backends.open_credential(cast.dung, secret="dung-2026").signer
    status = status_of(sign(draft_pdf, signer))
    assert status.intact
    assert status.valid
    assert status.trusted


def test_disabling_the_anchor_makes_its_signatures_untrusted(cast, government_ca, draft_pdf):
    root, sub = government_ca
    [anchor] = actions.import_trust_anchor(data=pki.der(root), acting=TEST_FIXTURES)
    data = _p12(pki.person_subject(cast.dung), sub, chain=[sub.certificate])
    binding_actions.bind_pkcs12(owner=cast.dung, data=data, password="", passphrase=None, acting=TEST_FIXTURES)
    signed = sign(draft_pdf, backends.open_credential(cast.dung, secret=None).signer)
    actions.set_trust_anchor_enabled(anchor=anchor, enabled=False, acting=TEST_FIXTURES)
    status = status_of(signed)
    assert status.intact
    assert status.valid
    assert not status.trusted


def test_anchor_import_refusals(cast, government_ca):
    root, _sub = government_ca
    ca = ensure_ca()
    leaf_key = pki.generate_key("ecdsa")
    leaf = pki.build_end_entity(subject=pki.person_subject(cast.hung), public_key=leaf_key.public_key(),
                                issuer=pki.issuer_of(ca))
    with pytest.raises(SigningRefused, match="không phải chứng thư của tổ chức cấp chứng thư số"):
        actions.import_trust_anchor(data=pki.der(leaf), acting=TEST_FIXTURES)
    with pytest.raises(SigningRefused, match="Không đọc được tệp chứng thư số"):
        actions.import_trust_anchor(data=b"-----BEGIN CERTIFICATE-----\nnot base64\n", acting=TEST_FIXTURES)
    with pytest.raises(SigningRefused, match="Không đọc được tệp chứng thư số"):
        actions.import_trust_anchor(data=b"\x00\x01garbage", acting=TEST_FIXTURES)
    actions.import_trust_anchor(data=pki.der(root), acting=TEST_FIXTURES)
    with pytest.raises(SigningRefused, match="đã có trong danh sách tin cậy"):
        actions.import_trust_anchor(data=pki.pem(root).encode(),
                                          acting=TEST_FIXTURES)
    assert TrustAnchor.objects.count() == 1


def test_validation_context_modes(equipped_cast):
    fetching = trust.validation_context(allow_fetching=True)
    offline = trust.validation_context(allow_fetching=False)
    assert fetching.fetching_allowed
    assert not offline.fetching_allowed
    assert len(list(fetching.certificate_registry)) >= 2


def test_b_lt_signature_embeds_revocation_data_fetched_over_http(live_pki, draft_pdf, settings):
    """Checklist point 20."""
    settings.TSA_URL = "builtin"
    credential = backends.open_credential(live_pki.hung, secret=SIGNING_SECRET)
    signed = sign(draft_pdf, credential.signer, timestamper=tsa_stamper.timestamper(), embed_validation_info=True,
                  validation_context=trust.validation_context(allow_fetching=True))
    assert b"/DSS" in signed
    # offline, with only what the PDF carries, the signature holds with revocation data for every certificate
    offline = status_of(signed, dss=True, revocation_mode="require")
    assert offline.intact
    assert offline.valid
    assert offline.trusted

    row = Certificate.objects.get(person=live_pki.hung)
    actions.revoke_certificate(certificate=row, reason="keyCompromise", acting=TEST_FIXTURES)
    online = status_of(signed, allow_fetching=True)
    assert online.revoked
