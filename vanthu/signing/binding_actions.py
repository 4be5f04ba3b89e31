"""The certificate-binding actions of the signing app: a certificate issued elsewhere bound to a person or unit
with its key — from a PKCS#12 file (kept server-side), on a PKCS#11 token, or at a remote signing service (and,
through `bind_external`, a SIM's MSSP: sim_actions.py). Each certificate must chain to the trust store.

Every function is one `@action` (one transaction, audit on success, audited refusal), for an admin of a top unit
(`org.access.can_administer_all`), as in actions.py.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from django.utils.translation import gettext as _

from vanthu.core.actions import action
from vanthu.org.access import Actor
from vanthu.org.models import Person, Unit
from vanthu.signing import backends, keystore, pki, rights
from vanthu.signing.actions_common import (
    add_credential,
    certificate_row,
    check_new_passphrase,
    check_owner_active,
    require_admin,
)
from vanthu.signing.models import Backend, CertificateAuthority, CertSource, KeyCredential, TrustAnchor
from vanthu.signing.types import SigningRefused


def _trusted_chain(cert: x509.Certificate, extra: list[x509.Certificate]) -> list[x509.Certificate]:
    """The issuers of `cert` up to a trusted root (vanthu's own or an enabled anchor), nearest first.

    Refuses a certificate that does not chain to the trust store: signatures made with it would not
    validate anywhere in vanthu.
    """
    from vanthu.signing import trust

    own = [pki.load(c.certificate_der) for c in CertificateAuthority.objects.all()]
    anchors = [pki.load(a.certificate_der) for a in TrustAnchor.objects.filter(enabled=True)]
    chain = pki.order_chain(cert, [*extra, *own, *anchors])
    top = chain[-1] if chain else cert
    roots = {c.sha256.hex() for c in trust.trust_roots()}
    if not pki.is_self_signed(top) or pki.fingerprint(top) not in roots:
        raise SigningRefused(
            _("Chứng thư số do “%(issuer)s” cấp, tổ chức này chưa có trong danh sách tin cậy. Hãy nhập chứng "
              "thư CA gốc (và CA trung gian) của tổ chức đó trước.") % {"issuer": pki.common_name(cert.issuer)},
            code="untrusted_issuer")
    return chain


@action("signing.certificate.bound")
def bind_pkcs12(*, owner: Person | Unit, data: bytes, password: str, passphrase: str | None,
                acting: Actor, make_default: bool = True) -> KeyCredential:
    """Bind an existing certificate with its key from a PKCS#12 file (.p12/.pfx, opened with `password`).
    The key is then kept server-side under `passphrase` (None: under the server key)."""
    require_admin(acting)
    check_owner_active(owner)
    check_new_passphrase(passphrase, required=False)
    content = pki.parse_pkcs12(data, password)
    pki.check_certificate(content.certificate, owner=owner)
    chain = _trusted_chain(content.certificate, content.chain)
    row = certificate_row(content.certificate, owner=owner, chain=chain, source=CertSource.IMPORTED)
    credential = add_credential(owner=owner, certificate=row, backend=Backend.SOFTWARE, make_default=make_default,
                                 key_encrypted=keystore.lock(content.key, passphrase=passphrase or None))
    rights.record(acting=acting, verb="signing.certificate.bound", row=row, owner=owner,
                  data={"owner": pki.owner_label(owner), "serial": row.serial, "issuer": row.issuer,
                        "backend": Backend.SOFTWARE})
    return credential


@action("signing.certificate.bound")
def bind_remote_certificate(*, owner: Person | Unit, data: bytes, service_url: str, credential_id: str,
                            acting: Actor, make_default: bool = True) -> KeyCredential:
    """Bind a certificate (PEM/DER) whose key lives at a remote signing service (CSC-style `credential_id`)."""
    require_admin(acting)
    check_owner_active(owner)
    if not service_url or not credential_id:
        raise SigningRefused(_("Cần địa chỉ dịch vụ ký số từ xa và mã chứng thư tại dịch vụ đó."),
                             code="remote_incomplete", field="service_url")
    return bind_external(owner=owner, data=data, backend=Backend.REMOTE, service_url=service_url,
                         credential_id=credential_id, acting=acting, make_default=make_default)


def bind_external(*, owner: Person | Unit, data: bytes, backend: str, service_url: str, credential_id: str,
                  acting: Actor, make_default: bool) -> KeyCredential:
    """The imported certificate of a key another service holds (remote signing, a SIM through its MSSP), checked
    against the trust store and bound as the owner's credential; the calling action has checked the rights."""
    certs = pki.parse_certificates(data)
    cert = certs[0]
    pki.check_certificate(cert, owner=owner)
    chain = _trusted_chain(cert, certs[1:])
    row = certificate_row(cert, owner=owner, chain=chain, source=CertSource.IMPORTED)
    credential = add_credential(owner=owner, certificate=row, backend=backend, make_default=make_default,
                                 service_url=service_url, remote_credential_id=credential_id)
    rights.record(acting=acting, verb="signing.certificate.bound", row=row, owner=owner,
                  data={"owner": pki.owner_label(owner), "serial": row.serial, "backend": backend,
                        "service_url": service_url})
    return credential


@action("signing.credential.registered")
def register_pkcs11_credential(*, owner: Person | Unit, token_label: str, pin: str, acting: Actor,
                               key_label: str = "", key_id: str = "", certificate_data: bytes | None = None,
                               make_default: bool = True) -> KeyCredential:
    """Register a key on a PKCS#11 token (settings.PKCS11_MODULE) for a person or unit.

    Logs in with `pin` (not stored) to prove the token and key are there. The certificate is read from the
    token (the certificate object with the key's label/id) unless `certificate_data` (PEM/DER) is given.
    """
    require_admin(acting)
    check_owner_active(owner)
    if not key_label and not key_id:
        raise SigningRefused(_("Cần nhãn hoặc mã của khóa trên thiết bị ký số."), code="key_required",
                             field="key_label")
    session = backends.open_token(token_label, pin=pin)
    try:
        backends.find_private_key(session, label=key_label, key_id=key_id)
        cert_der = certificate_data or _certificate_on_token(session, label=key_label, key_id=key_id)
    finally:
        session.close()
    certs = pki.parse_certificates(cert_der)
    cert = certs[0]
    pki.check_certificate(cert, owner=owner)
    chain = _trusted_chain(cert, certs[1:])
    source = CertSource.TOKEN if certificate_data is None else CertSource.IMPORTED
    row = certificate_row(cert, owner=owner, chain=chain, source=source)
    credential = add_credential(owner=owner, certificate=row, backend=Backend.PKCS11, make_default=make_default,
                                 token_label=token_label, key_label=key_label, key_id=key_id)
    rights.record(acting=acting, verb="signing.credential.registered", row=row, owner=owner,
                  data={"owner": pki.owner_label(owner), "serial": row.serial, "token": token_label,
                        "key_label": key_label, "key_id": key_id})
    return credential


def _certificate_on_token(session: Any, *, label: str, key_id: str) -> bytes:
    from pkcs11 import Attribute, ObjectClass

    found = backends.find_on_token(session, ObjectClass.CERTIFICATE, label=label, key_id=key_id)
    if len(found) != 1:
        raise SigningRefused(_("Không tìm thấy chứng thư số đi kèm khóa trên thiết bị; hãy tải tệp chứng thư "
                               "lên cùng lúc."), code="certificate_absent", field="certificate")
    return bytes(found[0][Attribute.VALUE])
