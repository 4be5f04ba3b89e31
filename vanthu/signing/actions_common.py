"""What the signing app's actions share (actions.py, binding_actions.py, sim_actions.py): who may act (an admin
of a top unit; an owner still active), the rule for a new key passphrase, and the certificate and credential rows
that issuing, renewing and binding write. Helpers of actions, not actions: the calling action checks, audits and
holds the transaction.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from django.utils.translation import gettext as _

from vanthu.org.access import Actor, can_administer_all
from vanthu.org.models import Person, Unit
from vanthu.signing import pki
from vanthu.signing.models import Certificate, CertificateAuthority, KeyCredential
from vanthu.signing.types import SigningRefused

MIN_PASSPHRASE = 6


# --- helpers ----------------------------------------------------------------------------------------------

def owner_field(owner: Person | Unit) -> dict[str, Any]:
    return {"person": owner} if isinstance(owner, Person) else {"unit": owner}


def unit_of(owner: Person | Unit) -> Unit:
    return owner.unit if isinstance(owner, Person) else owner


def require_admin(acting: Actor | None) -> None:
    if not can_administer_all(acting):
        raise SigningRefused(_("Chỉ quản trị hệ thống được làm việc này."), code="forbidden", status=403)


def check_owner_active(owner: Person | Unit) -> None:
    if not owner.is_active:
        raise SigningRefused(_("%(who)s không còn hoạt động trong hệ thống.") % {"who": pki.owner_label(owner)},
                             code="owner_inactive")


def check_new_passphrase(passphrase: str | None, *, required: bool) -> None:
    if passphrase is None or passphrase == "":
        if required:
            raise SigningRefused(_("Cần đặt mã PIN khóa ký."), code="passphrase_required", field="passphrase")
        return
    if len(passphrase) < MIN_PASSPHRASE:
        raise SigningRefused(_("Mã PIN khóa ký cần ít nhất %(n)d ký tự.") % {"n": MIN_PASSPHRASE},
                             code="passphrase_short", field="passphrase")


def _encode_chain(chain: list[x509.Certificate]) -> list[str]:
    return [base64.b64encode(pki.der(c)).decode("ascii") for c in chain]


def _own_issuer(cert: x509.Certificate) -> CertificateAuthority | None:
    """The vanthu CA that issued `cert`, if any (subject match and a verifying signature)."""
    for ca in CertificateAuthority.objects.all():
        ca_cert = pki.load(ca.certificate_der)
        if ca_cert.subject == cert.issuer and pki.order_chain(cert, [ca_cert]):
            return ca
    return None


def certificate_row(cert: x509.Certificate, *, owner: Person | Unit, chain: list[x509.Certificate],
                     source: str, renewed_from: Certificate | None = None) -> Certificate:
    if Certificate.objects.filter(fingerprint=pki.fingerprint(cert)).exists():
        raise SigningRefused(_("Chứng thư số này đã được gắn trong hệ thống."), code="duplicate_certificate",
                             field="file")
    return Certificate.objects.create(
        der=pki.der(cert),
        fingerprint=pki.fingerprint(cert),
        serial=pki.serial_hex(cert),
        subject=cert.subject.rfc4514_string()[:500],
        common_name=pki.common_name(cert.subject)[:200],
        issuer=cert.issuer.rfc4514_string()[:500],
        issued_by=_own_issuer(cert),
        chain=_encode_chain(chain),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_usage=pki.key_usage_names(cert),
        key_algorithm=pki.key_algorithm(cert.public_key()),
        source=source,
        renewed_from=renewed_from,
        **owner_field(owner),
    )


def add_credential(*, owner: Person | Unit, certificate: Certificate, backend: str, make_default: bool,
                    **fields: Any) -> KeyCredential:
    if make_default:
        KeyCredential.objects.filter(**owner_field(owner), is_default=True).update(is_default=False)
    return KeyCredential.objects.create(certificate=certificate, backend=backend, is_default=make_default,
                                        **owner_field(owner), **fields)

